import Foundation
import GapTrackDomain
import Postgres

/// A support record as the API shows it (openapi.yaml, `SupportRecord`).
public struct SupportRecord: Codable, Sendable, Equatable {
    public let id: Int
    public let reference: String?
    /// The student's identifier at the provider (UPN, ULN, HESA id or institution id).
    public let student: String
    public let type: String
    public let startDate: String
    public let endDate: String?
    public let hours: Double?
    public let sessions: Int?
    /// Pounds and pence as exact decimal text, e.g. "250.00".
    public let amount: String?
    public let fundingSource: String?
    public let staff: String?
    public let intendedOutcome: String?
    public let status: String
    public let reviewDate: String?
    public let restricted: Bool
    /// What the support aims to change (docs/methodology.md §6.6): a subject, an assessment
    /// (`SUBJECT:NAME@YYYY/YY-TERM`) or `attendance`; nil = not named.
    public let target: String?
    public let entryAssessment: String?
    public let exitAssessment: String?
    public let createdAt: Date
    public let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reference, student, type, hours, sessions, amount, staff, status, restricted, target
        case entryAssessment = "entry_assessment", exitAssessment = "exit_assessment"
        case startDate = "start_date", endDate = "end_date", fundingSource = "funding_source"
        case intendedOutcome = "intended_outcome", reviewDate = "review_date"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// The fields of a new support record, checked by `SupportRecordRules`; `type` and
/// `fundingSource` are codes of the catalogues (built-in or the provider's own).
public struct NewSupportRecord: Sendable {
    public var reference: String?
    public var student: StudentIdentifier
    public var type: String
    public var startDate: CalendarDate
    public var endDate: CalendarDate?
    public var hours: String?
    public var sessions: Int?
    public var amount: PoundsAndPence?
    public var fundingSource: String?
    public var staff: String?
    public var intendedOutcome: String?
    public var status: SupportStatus
    public var reviewDate: CalendarDate?
    public var restricted: Bool
    public var plan: SupportPlan

    public init(
        reference: String?, student: StudentIdentifier, type: String, startDate: CalendarDate, endDate: CalendarDate?,
        hours: String?, sessions: Int?, amount: PoundsAndPence?, fundingSource: String?, staff: String?,
        intendedOutcome: String?, status: SupportStatus, reviewDate: CalendarDate?, restricted: Bool, plan: SupportPlan = .none
    ) {
        self.plan = plan
        self.reference = reference
        self.student = student
        self.type = type
        self.startDate = startDate
        self.endDate = endDate
        self.hours = hours
        self.sessions = sessions
        self.amount = amount
        self.fundingSource = fundingSource
        self.staff = staff
        self.intendedOutcome = intendedOutcome
        self.status = status
        self.reviewDate = reviewDate
        self.restricted = restricted
    }
}

/// A change to some fields of a support record: absent fields stay as they are, `.some(nil)`
/// clears an optional field.
public struct SupportRecordChange: Sendable {
    public var reference: String??
    public var type: String?
    public var startDate: CalendarDate?
    public var endDate: CalendarDate??
    public var hours: String??
    public var sessions: Int??
    public var amount: PoundsAndPence??
    public var fundingSource: String??
    public var staff: String??
    public var intendedOutcome: String??
    public var status: SupportStatus?
    public var reviewDate: CalendarDate??
    public var restricted: Bool?
    /// The target, entry and exit together, checked together (`SupportRecordRules.plan`).
    public var plan: SupportPlan?

    public init() {}
}

/// Reads and writes `support_records` for the service. Every query runs inside a
/// `ScopedSession`, so row-level security has already narrowed the table to the caller's
/// provider (and hidden restricted records from staff); the provider id is passed as well so
/// that the indexes on (provider_id, ...) are used.
public struct SupportRecords {
    let connection: PostgresConnection
    let providerID: Int

    public init(connection: PostgresConnection, providerID: Int) {
        self.connection = connection
        self.providerID = providerID
    }

    public enum Outcome: Sendable {
        case created(SupportRecord)
        /// The identifier names no single student (`StudentLookup.problem` says why).
        case student(StudentLookup)
        case duplicate(existingID: Int?)
    }

    /// The API's columns of a support record `r` of student `s`, who is shown by the first
    /// identifier they have (UPN, ULN, HESA id, the provider's own id).
    private static let columns = """
        r.support_id, r.reference, coalesce(s.upn, s.uln, s.hesa_id, s.institution_id) AS student, r.type,
        r.starts_on::text AS starts_on, r.ends_on::text AS ends_on, r.hours::float8 AS hours, r.sessions,
        r.amount::text AS amount, r.funding_source, r.staff, r.intended_outcome, r.status::text AS status,
        r.review_date::text AS review_date, r.restricted, r.created_at, r.updated_at,
        r.target_kind::text AS target_kind, r.target_subject, r.entry_assessment, r.entry_academic_year, r.entry_term::text AS entry_term,
        r.exit_assessment, r.exit_academic_year, r.exit_term::text AS exit_term
        """

    /// Finds the student through `Students` (the rule every door shares), then inserts the
    /// record unless the caller can already see one with the same key, in one statement.
    ///
    /// Restricted and other records are separate key spaces (003_least_privilege.sql), so a
    /// record the caller cannot see never stops the insert: for a staff token a hidden duplicate
    /// is exactly as if there were none, with the same statement run either way
    /// (docs/security.md, "No side channels"). The look-up runs under row-level security, so it
    /// finds only visible records; an admin or data lead, who sees both kinds, is told of a
    /// duplicate of either.
    public func create(_ record: NewSupportRecord) throws -> Outcome {
        let lookup = try Students(connection: connection).lookUp(record.student, providerID: providerID)
        guard let studentID = lookup.studentID else { return .student(lookup) }
        let fields: [any PostgresEncodable] = [
            providerID, studentID, record.reference, record.type, record.startDate.isoString,
            record.endDate?.isoString, record.hours, record.sessions, record.amount?.plainDecimal,
            record.fundingSource, record.staff, record.intendedOutcome, record.status.rawValue,
            record.reviewDate?.isoString, record.restricted]
        let parameters = fields + record.plan.columnValues.map { $0 as any PostgresEncodable }
        let row = try connection.query(
            """
            WITH existing AS (
                SELECT support_id FROM support_records WHERE \(Self.sameKey) ORDER BY support_id LIMIT 1
            ), inserted AS (
                INSERT INTO support_records (student_id, provider_id, reference, type, starts_on, ends_on, hours, sessions,
                                             amount, funding_source, staff, intended_outcome, status, review_date, restricted,
                                             \(SupportTargets.columnList))
                SELECT $2, $1, $3, $4, $5::date, $6::date, $7::numeric, $8, $9::numeric, $10, $11, $12,
                       $13::support_status, $14::date, $15,
                       $16::support_target_kind, $17, $18, $19, $20::term_name, $21, $22, $23::term_name
                WHERE NOT EXISTS (SELECT FROM existing)
                ON CONFLICT DO NOTHING
                RETURNING *
            )
            SELECT (SELECT support_id FROM existing) AS existing_id, \(Self.columns)
            FROM (SELECT) AS one LEFT JOIN (inserted r JOIN students s USING (student_id)) ON true
            """,
            parameters
        ).single()
        if try row.decode("support_id", as: Int?.self) != nil { return .created(try Self.record(row)) }
        if let existing = try row.decode("existing_id", as: Int?.self) { return .duplicate(existingID: existing) }
        // Another request stored the same record since the statement's snapshot was taken.
        let stored = try connection.query(
            "SELECT support_id FROM support_records WHERE \(Self.sameKey) ORDER BY support_id LIMIT 1",
            [providerID, studentID, record.reference, record.type, record.startDate.isoString])
        return .duplicate(existingID: try stored.rows.first?.decode("support_id", as: Int.self))
    }

    /// A record with the same key as the one being created ($1 provider, $2 student, $3 reference,
    /// $4 type, $5 start date): the same reference, or, without one, the same student, type and
    /// start date.
    private static let sameKey = """
        (($3::text IS NOT NULL AND provider_id = $1 AND reference = $3)
         OR ($3::text IS NULL AND reference IS NULL AND student_id = $2 AND type = $4 AND starts_on = $5::date))
        """

    public func find(id: Int) throws -> SupportRecord? {
        try connection.query(
            "SELECT \(Self.columns) FROM support_records r JOIN students s USING (student_id) WHERE r.provider_id = $2 AND r.support_id = $1",
            [id, providerID]
        ).rows.first.map(Self.record)
    }

    public struct ListFilter: Sendable {
        public var studentID: Int?
        public var status: SupportStatus?
        /// A catalogue code.
        public var type: String?
        public var afterID: Int?
        public var limit: Int

        public init(studentID: Int?, status: SupportStatus?, type: String?, afterID: Int?, limit: Int) {
            self.studentID = studentID
            self.status = status
            self.type = type
            self.afterID = afterID
            self.limit = limit
        }
    }

    /// Records in id order, a page at a time (`after_id` is the last id of the previous page).
    /// Ids are random (docs/security.md), so this order is stable but is not the order of creation.
    public func list(_ filter: ListFilter) throws -> [SupportRecord] {
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
            [providerID, filter.studentID, filter.status?.rawValue, filter.type, filter.afterID, filter.limit]
        ).rows.map(Self.record)
    }

    /// Applies a change; nil when there is no such record (or the caller may not see it).
    public func update(id: Int, _ change: SupportRecordChange) throws -> SupportRecord? {
        // Each column is set from its parameter only when the change names it ($n flag), so one
        // statement serves every combination of fields and values stay bound parameters.
        func flag<T>(_ value: T?) -> Bool { value != nil }
        let planParameters: [any PostgresEncodable] = [flag(change.plan)] + (change.plan ?? .none).columnValues.map { $0 as any PostgresEncodable }
        let fieldParameters: [any PostgresEncodable] = [id,
             flag(change.reference), change.reference ?? nil,
             flag(change.type), change.type,
             flag(change.startDate), change.startDate?.isoString,
             flag(change.endDate), (change.endDate ?? nil)?.isoString,
             flag(change.hours), change.hours ?? nil,
             flag(change.sessions), change.sessions ?? nil,
             flag(change.amount), (change.amount ?? nil)?.plainDecimal,
             flag(change.fundingSource), change.fundingSource ?? nil,
             flag(change.staff), change.staff ?? nil,
             flag(change.intendedOutcome), change.intendedOutcome ?? nil,
             flag(change.status), change.status?.rawValue,
             flag(change.reviewDate), (change.reviewDate ?? nil)?.isoString,
             flag(change.restricted), change.restricted]
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
                target_kind = CASE WHEN $28 THEN $29::support_target_kind ELSE target_kind END,
                target_subject = CASE WHEN $28 THEN $30 ELSE target_subject END,
                entry_assessment = CASE WHEN $28 THEN $31 ELSE entry_assessment END,
                entry_academic_year = CASE WHEN $28 THEN $32 ELSE entry_academic_year END,
                entry_term = CASE WHEN $28 THEN $33::term_name ELSE entry_term END,
                exit_assessment = CASE WHEN $28 THEN $34 ELSE exit_assessment END,
                exit_academic_year = CASE WHEN $28 THEN $35 ELSE exit_academic_year END,
                exit_term = CASE WHEN $28 THEN $36::term_name ELSE exit_term END,
                updated_at = now()
            WHERE support_id = $1 AND provider_id = $37
            RETURNING support_id
            """,
            fieldParameters + planParameters + [providerID]
        )
        guard result.affectedRows == 1 else { return nil }
        return try find(id: id)
    }

    static func record(_ row: PostgresRow) throws -> SupportRecord {
        let plan = try SupportTargets.texts(row)
        return SupportRecord(
            id: try row.decode("support_id"), reference: try row.decode("reference", as: String?.self),
            student: try row.decode("student"), type: try row.decode("type"), startDate: try row.decode("starts_on"),
            endDate: try row.decode("ends_on", as: String?.self), hours: try row.decode("hours", as: Double?.self),
            sessions: try row.decode("sessions", as: Int?.self), amount: try row.decode("amount", as: String?.self),
            fundingSource: try row.decode("funding_source", as: String?.self), staff: try row.decode("staff", as: String?.self),
            intendedOutcome: try row.decode("intended_outcome", as: String?.self), status: try row.decode("status"),
            reviewDate: try row.decode("review_date", as: String?.self), restricted: try row.decode("restricted"),
            target: plan.target, entryAssessment: plan.entry, exitAssessment: plan.exit, createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }
}
