import Foundation
import GapTrackDomain
import Postgres

/// A support record as the API shows it (openapi.yaml, `SupportRecord`).
struct SupportRecord: Codable, Sendable, Equatable {
    let id: Int
    let reference: String?
    /// The student's identifier at the provider (UPN, ULN, HESA id or institution id).
    let student: String
    let type: String
    let startDate: String
    let endDate: String?
    let hours: Double?
    let sessions: Int?
    /// Pounds and pence as exact decimal text, e.g. "250.00".
    let amount: String?
    let fundingSource: String?
    let staff: String?
    let intendedOutcome: String?
    let status: String
    let reviewDate: String?
    let restricted: Bool
    let createdAt: Date
    let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reference, student, type, hours, sessions, amount, staff, status, restricted
        case startDate = "start_date", endDate = "end_date", fundingSource = "funding_source"
        case intendedOutcome = "intended_outcome", reviewDate = "review_date"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// The checked fields of a new support record.
struct NewSupportRecord: Sendable {
    var reference: String?
    var student: String
    var type: InterventionType
    var startDate: CalendarDate
    var endDate: CalendarDate?
    var hours: String?
    var sessions: Int?
    var amount: PoundsAndPence?
    var fundingSource: FundingSource?
    var staff: String?
    var intendedOutcome: String?
    var status: SupportStatus
    var reviewDate: CalendarDate?
    var restricted: Bool
}

/// A change to some fields of a support record: absent fields stay as they are, `.some(nil)`
/// clears an optional field.
struct SupportRecordChange: Sendable {
    var reference: String??
    var type: InterventionType?
    var startDate: CalendarDate?
    var endDate: CalendarDate??
    var hours: String??
    var sessions: Int??
    var amount: PoundsAndPence??
    var fundingSource: FundingSource??
    var staff: String??
    var intendedOutcome: String??
    var status: SupportStatus?
    var reviewDate: CalendarDate??
    var restricted: Bool?
}

/// Reads and writes `support_records` (sql/008_support.sql) for the service. Every query runs
/// inside a `ScopedDatabase` transaction, so row-level security has already narrowed the table
/// to the caller's provider (and hidden restricted records from staff); the provider id is
/// passed as well so that the indexes on (provider_id, ...) are used.
struct SupportRecordStore {
    let connection: PostgresConnection
    let providerID: Int

    enum Outcome: Sendable {
        case created(SupportRecord)
        case studentNotFound
        case duplicate(existingID: Int?)
    }

    /// The API's columns of a support record `r` whose student's identifier is `identifier`.
    private static func columns(identifier: String) -> String {
        """
        r.support_id, r.reference, \(identifier) AS student, r.type,
        r.starts_on::text AS starts_on, r.ends_on::text AS ends_on, r.hours::float8 AS hours, r.sessions,
        r.amount::text AS amount, r.funding_source, r.staff, r.intended_outcome, r.status::text AS status,
        r.review_date::text AS review_date, r.restricted, r.created_at, r.updated_at
        """
    }
    private static let columns = columns(identifier: "coalesce(s.upn, s.uln, s.hesa_id, s.institution_id)")

    /// The student with this identifier at the caller's provider: UPN first, then ULN, HESA id
    /// and institution id (the order the imports use).
    func studentID(identifier: String) throws -> Int? {
        try connection.query(
            """
            SELECT student_id FROM students
            WHERE provider_id = $1 AND (upn = $2 OR uln = $2 OR hesa_id = $2 OR institution_id = $2)
            ORDER BY (upn = $2) IS TRUE DESC, (uln = $2) IS TRUE DESC, (hesa_id = $2) IS TRUE DESC
            LIMIT 1
            """,
            [providerID, identifier]
        ).rows.first?.decode("student_id")
    }

    /// One statement finds the student, inserts the record and returns it, so that recording
    /// costs one round trip; only when nothing was inserted do further queries say why.
    func create(_ record: NewSupportRecord) throws -> Outcome {
        let rows = try connection.query(
            """
            WITH student AS (
                SELECT student_id, coalesce(upn, uln, hesa_id, institution_id) AS identifier
                FROM students
                WHERE provider_id = $1 AND (upn = $2 OR uln = $2 OR hesa_id = $2 OR institution_id = $2)
                ORDER BY (upn = $2) IS TRUE DESC, (uln = $2) IS TRUE DESC, (hesa_id = $2) IS TRUE DESC
                LIMIT 1
            ), inserted AS (
                INSERT INTO support_records (student_id, provider_id, reference, type, starts_on, ends_on, hours, sessions,
                                             amount, funding_source, staff, intended_outcome, status, review_date, restricted)
                SELECT student_id, $1, $3, $4, $5::date, $6::date, $7::numeric, $8, $9::numeric, $10, $11, $12,
                       $13::support_status, $14::date, $15
                FROM student
                ON CONFLICT DO NOTHING
                RETURNING *
            )
            SELECT \(Self.columns(identifier: "s.identifier")) FROM inserted r CROSS JOIN student s
            """,
            [providerID, record.student, record.reference, record.type.rawValue, record.startDate.isoString,
             record.endDate?.isoString, record.hours, record.sessions, record.amount?.plainDecimal,
             record.fundingSource?.rawValue, record.staff, record.intendedOutcome, record.status.rawValue,
             record.reviewDate?.isoString, record.restricted]
        ).rows
        if let row = rows.first { return .created(try Self.record(row)) }
        guard let studentID = try studentID(identifier: record.student) else { return .studentNotFound }
        let existing = try connection.query(
            """
            SELECT support_id FROM support_records
            WHERE ($1::text IS NOT NULL AND provider_id = $2 AND reference = $1)
               OR ($1::text IS NULL AND reference IS NULL AND student_id = $3 AND type = $4 AND starts_on = $5::date)
            """,
            [record.reference, providerID, studentID, record.type.rawValue, record.startDate.isoString]
        ).rows.first?.decode("support_id", as: Int.self)
        return .duplicate(existingID: existing)
    }

    func find(id: Int) throws -> SupportRecord? {
        try connection.query(
            "SELECT \(Self.columns) FROM support_records r JOIN students s USING (student_id) WHERE r.support_id = $1",
            [id]
        ).rows.first.map(Self.record)
    }

    struct ListFilter: Sendable {
        var studentID: Int?
        var status: SupportStatus?
        var type: InterventionType?
        var afterID: Int?
        var limit: Int
    }

    /// Records in id order, a page at a time (`after_id` is the last id of the previous page).
    func list(_ filter: ListFilter) throws -> [SupportRecord] {
        try connection.query(
            """
            SELECT \(Self.columns) FROM support_records r JOIN students s USING (student_id)
            WHERE r.provider_id = $1
              AND ($2::bigint IS NULL OR r.student_id = $2)
              AND ($3::support_status IS NULL OR r.status = $3::support_status)
              AND ($4::text IS NULL OR r.type = $4)
              AND ($5::bigint IS NULL OR r.support_id > $5)
            ORDER BY r.support_id
            LIMIT $6
            """,
            [providerID, filter.studentID, filter.status?.rawValue, filter.type?.rawValue, filter.afterID, filter.limit]
        ).rows.map(Self.record)
    }

    /// Applies a change; nil when there is no such record (or the caller may not see it).
    func update(id: Int, _ change: SupportRecordChange) throws -> SupportRecord? {
        // Each column is set from its parameter only when the change names it ($n flag), so one
        // statement serves every combination of fields and values stay bound parameters.
        func flag<T>(_ value: T?) -> Bool { value != nil }
        let result = try connection.query(
            """
            UPDATE support_records SET
                reference = CASE WHEN $2 THEN $3 ELSE reference END,
                type = CASE WHEN $4 THEN $5 ELSE type END,
                starts_on = CASE WHEN $6 THEN $7::date ELSE starts_on END,
                ends_on = CASE WHEN $8 THEN $9::date ELSE ends_on END,
                hours = CASE WHEN $10 THEN $11::numeric ELSE hours END,
                sessions = CASE WHEN $12 THEN $13::integer ELSE sessions END,
                amount = CASE WHEN $14 THEN $15::numeric ELSE amount END,
                funding_source = CASE WHEN $16 THEN $17 ELSE funding_source END,
                staff = CASE WHEN $18 THEN $19 ELSE staff END,
                intended_outcome = CASE WHEN $20 THEN $21 ELSE intended_outcome END,
                status = CASE WHEN $22 THEN $23::support_status ELSE status END,
                review_date = CASE WHEN $24 THEN $25::date ELSE review_date END,
                restricted = CASE WHEN $26 THEN $27::boolean ELSE restricted END,
                updated_at = now()
            WHERE support_id = $1
            RETURNING support_id
            """,
            [id,
             flag(change.reference), change.reference ?? nil,
             flag(change.type), change.type?.rawValue,
             flag(change.startDate), change.startDate?.isoString,
             flag(change.endDate), (change.endDate ?? nil)?.isoString,
             flag(change.hours), change.hours ?? nil,
             flag(change.sessions), change.sessions ?? nil,
             flag(change.amount), (change.amount ?? nil)?.plainDecimal,
             flag(change.fundingSource), (change.fundingSource ?? nil)?.rawValue,
             flag(change.staff), change.staff ?? nil,
             flag(change.intendedOutcome), change.intendedOutcome ?? nil,
             flag(change.status), change.status?.rawValue,
             flag(change.reviewDate), (change.reviewDate ?? nil)?.isoString,
             flag(change.restricted), change.restricted]
        )
        guard result.affectedRows == 1 else { return nil }
        return try find(id: id)
    }

    static func record(_ row: PostgresRow) throws -> SupportRecord {
        SupportRecord(
            id: try row.decode("support_id"), reference: try row.decode("reference", as: String?.self),
            student: try row.decode("student"), type: try row.decode("type"), startDate: try row.decode("starts_on"),
            endDate: try row.decode("ends_on", as: String?.self), hours: try row.decode("hours", as: Double?.self),
            sessions: try row.decode("sessions", as: Int?.self), amount: try row.decode("amount", as: String?.self),
            fundingSource: try row.decode("funding_source", as: String?.self), staff: try row.decode("staff", as: String?.self),
            intendedOutcome: try row.decode("intended_outcome", as: String?.self), status: try row.decode("status"),
            reviewDate: try row.decode("review_date", as: String?.self), restricted: try row.decode("restricted"),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
