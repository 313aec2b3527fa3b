import Foundation
import GapTrackDomain
import Postgres

/// A review of an intervention as the API shows it (openapi.yaml, `SupportReview`): pupil-level
/// notes, for staff only (docs/methodology.md §6.6).
public struct SupportReview: Codable, Sendable, Equatable {
    public let id: Int
    public let supportRecord: Int
    public let date: String
    public let reviewer: String
    public let progressNote: String
    public let entryResult: String?
    public let exitResult: String?
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, date, reviewer
        case supportRecord = "support_record", progressNote = "progress_note", entryResult = "entry_result", exitResult = "exit_result"
        case createdAt = "created_at"
    }
}

/// The fields of a new review, checked by `SupportReviewRules`.
public struct NewSupportReview: Sendable {
    public var date: CalendarDate
    public var reviewer: String
    public var progressNote: String
    public var entryResult: String?
    public var exitResult: String?

    public init(date: CalendarDate, reviewer: String, progressNote: String, entryResult: String?, exitResult: String?) {
        self.date = date
        self.reviewer = reviewer
        self.progressNote = progressNote
        self.entryResult = entryResult
        self.exitResult = exitResult
    }
}

/// The rules a review's fields meet at every door (the CLI and the API): the same limits as
/// the table's checks, named as fields.
public enum SupportReviewRules {
    public static let fields = ["date", "reviewer", "progress_note", "entry_result", "exit_result"]
    static let limits = ["reviewer": 200, "progress_note": 4000, "entry_result": 50, "exit_result": 50]

    /// The text of `field`, trimmed; a problem when it is blank or too long.
    public static func text(_ field: String, _ text: String) throws(FieldProblem) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw FieldProblem("is blank; write the \(field.replacingOccurrences(of: "_", with: " "))") }
        let maximum = limits[field] ?? 200
        if trimmed.unicodeScalars.count > maximum { throw FieldProblem("is longer than \(maximum) characters") }
        if let problem = TextLimit(field: field, maximum: maximum, allowsLineBreaks: field == "progress_note").problem(trimmed) {
            throw FieldProblem(problem)
        }
        return trimmed
    }

    public static func date(_ text: String) throws(FieldProblem) -> CalendarDate { try FieldParsers.date(text) }
}

/// Reads and writes `support_reviews`. Under the service's row-level security a review is seen
/// only with its record (018_support_targets.sql), so a restricted record's reviews are hidden
/// where the record is; the provider id is passed as well for the command line, which runs as
/// the owner.
public struct SupportReviews {
    let connection: PostgresConnection
    let providerID: Int

    public init(connection: PostgresConnection, providerID: Int) {
        self.connection = connection
        self.providerID = providerID
    }

    public enum Outcome: Sendable, Equatable {
        case added(SupportReview)
        case noSuchRecord
        /// The review date is before the record starts (the record's start date).
        case beforeStart(String)
        /// The same reviewer has already reviewed this record on this date.
        case duplicate
    }

    private static let columns = """
        v.review_id, v.support_id, v.reviewed_on::text AS reviewed_on, v.reviewer, v.progress_note, v.entry_result, v.exit_result, v.created_at
        """

    public func add(supportID: Int, _ review: NewSupportReview) throws -> Outcome {
        guard let record = try connection.query(
            "SELECT starts_on::text AS starts_on FROM support_records WHERE provider_id = $1 AND support_id = $2", [providerID, supportID]
        ).rows.first else { return .noSuchRecord }
        let start = try CalendarDate(parsing: try record.decode("starts_on", as: String.self))
        if review.date < start { return .beforeStart(start.ukString) }
        let inserted = try connection.query(
            """
            INSERT INTO support_reviews AS v (provider_id, support_id, reviewed_on, reviewer, progress_note, entry_result, exit_result)
            VALUES ($1, $2, $3::date, $4, $5, $6, $7)
            ON CONFLICT (provider_id, support_id, reviewed_on, reviewer) DO NOTHING
            RETURNING \(Self.columns)
            """,
            [providerID, supportID, review.date.isoString, review.reviewer, review.progressNote, review.entryResult, review.exitResult])
        guard let row = inserted.rows.first else { return .duplicate }
        return .added(try Self.review(row))
    }

    /// The id of the provider's support record with this reference (the command line names records so).
    public func recordID(reference: String) throws -> Int? {
        try connection.query(
            "SELECT support_id FROM support_records WHERE provider_id = $1 AND reference = $2 ORDER BY restricted LIMIT 1", [providerID, reference]
        ).rows.first?.decode("support_id")
    }

    /// The first few references of the provider's records that have reviews, in order: what a
    /// user who named a record wrongly can try instead.
    public func reviewedReferences(limit: Int = 3) throws -> [String] {
        try connection.query(
            """
            SELECT DISTINCT s.reference FROM support_records s
            JOIN support_reviews v ON v.provider_id = s.provider_id AND v.support_id = s.support_id
            WHERE s.provider_id = $1 AND s.reference IS NOT NULL ORDER BY s.reference LIMIT $2
            """,
            [providerID, limit]
        ).rows.map { try $0.decode("reference") }
    }

    /// A record's reviews, oldest first; nil when there is no such record (or the caller may not see it).
    public func list(supportID: Int) throws -> [SupportReview]? {
        guard try connection.query(
            "SELECT 1 FROM support_records WHERE provider_id = $1 AND support_id = $2", [providerID, supportID]).rows.first != nil
        else { return nil }
        return try connection.query(
            "SELECT \(Self.columns) FROM support_reviews v WHERE v.provider_id = $1 AND v.support_id = $2 ORDER BY v.reviewed_on, v.review_id",
            [providerID, supportID]
        ).rows.map(Self.review)
    }

    /// Every review of a student's support, oldest first (the pupil's timeline).
    public func forStudent(_ studentID: Int) throws -> [SupportReview] {
        try connection.query(
            """
            SELECT \(Self.columns) FROM support_reviews v
            JOIN support_records r ON r.provider_id = v.provider_id AND r.support_id = v.support_id
            WHERE v.provider_id = $1 AND r.student_id = $2
            ORDER BY v.reviewed_on, v.review_id
            """, [providerID, studentID]
        ).rows.map(Self.review)
    }

    static func review(_ row: PostgresRow) throws -> SupportReview {
        SupportReview(
            id: try row.decode("review_id"), supportRecord: try row.decode("support_id"), date: try row.decode("reviewed_on"),
            reviewer: try row.decode("reviewer"), progressNote: try row.decode("progress_note"),
            entryResult: try row.decode("entry_result", as: String?.self), exitResult: try row.decode("exit_result", as: String?.self),
            createdAt: try row.decode("created_at"))
    }
}
