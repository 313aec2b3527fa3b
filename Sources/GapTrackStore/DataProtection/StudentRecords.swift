import Foundation
import GapTrackDomain
import Postgres

/// One student's record as a whole, for the data-subject rights (docs/data-protection.md §3–§5):
/// legal holds, erasure where the law allows it, and the subject-access document.
public struct StudentRecords {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The student an identifier (UPN, ULN, HESA id or the provider's own id) names, resolved as
    /// every other door resolves it (docs/methodology.md §2.4).
    public func require(_ identifier: String, providerID: Int) throws -> Int {
        let lookup = try Students(connection: connection).lookUp(StudentIdentifier(identifier), providerID: providerID)
        guard let id = lookup.studentID else {
            throw DataProtectionError.student(identifier: identifier, problem: lookup.problem(identifier) ?? "'\(identifier)' names no student")
        }
        return id
    }

    public func setLegalHold(studentID: Int, reason: String, actor: String) throws {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DataProtectionError.badRule("a legal hold needs a reason (--reason), e.g. 'claim notified 2025-03-01'")
        }
        try connection.transaction { connection in
            try connection.query("SELECT set_config('gaptrack.actor', $1, true)", [actor])
            try connection.query("SELECT legal_hold_set($1, $2)", [studentID, reason])
        }
    }

    /// Clears the hold; false when there was none.
    public func clearLegalHold(studentID: Int, actor: String) throws -> Bool {
        try connection.transaction { connection in
            try connection.query("SELECT set_config('gaptrack.actor', $1, true)", [actor])
            return try connection.query("SELECT legal_hold_clear($1) AS cleared", [studentID]).single().decode("cleared")
        }
    }

    /// Why the student may not be erased on `asOf` (empty when they may).
    public func erasureRefusals(studentID: Int, asOf: CalendarDate) throws -> [String] {
        try connection.query("SELECT r FROM student_erasure_refusals($1, $2::date) AS r", [studentID, asOf.isoString]).rows.map { try $0.decode("r") }
    }

    /// What an erasure left behind: no personal data, only that it happened.
    public struct Erasure: Sendable, Equatable, Codable {
        public let erasureID: Int
        public let token: String
        public let reason: String
        public let erasedBy: String
        /// Rows deleted per table.
        public let deleted: [String: Int]
        public let redactedAuditEntries: Int
        /// The import ledger rows the student's rows came from.
        public let sourceImports: [Int]

        enum CodingKeys: String, CodingKey {
            case erasureID = "erasure_id", token, reason, erasedBy = "erased_by", deleted
            case redactedAuditEntries = "redacted_audit_entries", sourceImports = "source_imports"
        }
    }

    /// Erases the student in one transaction, or refuses (changing nothing) with the reasons.
    public func erase(studentID: Int, identifier: String, reason: String, asOf: CalendarDate, actor: String) throws -> Erasure {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw DataProtectionError.badRule("an erasure needs a reason (--reason), e.g. 'request from the student, 2025-03-01'")
        }
        return try connection.transaction { connection in
            try connection.query("SELECT set_config('gaptrack.actor', $1, true)", [actor])
            try connection.query("SELECT 1 FROM students WHERE student_id = $1 FOR UPDATE", [studentID])
            let refusals = try StudentRecords(connection: connection).erasureRefusals(studentID: studentID, asOf: asOf)
            guard refusals.isEmpty else { throw DataProtectionError.erasureRefused(identifier: identifier, reasons: refusals) }
            let json: String = try connection.query(
                "SELECT student_erase($1, $2, $3::date)::text AS erasure", [studentID, reason, asOf.isoString]).single().decode("erasure")
            return try JSONDecoder().decode(Erasure.self, from: Data(json.utf8))
        }
    }

    /// The subject-access document through the service, inside its scoped session (an admin or
    /// data lead of the student's provider: sql/functions/data_protection.sql checks again).
    public func subjectAccessInService(studentID: Int, format: String) throws -> Data {
        let text: String = try connection.query(
            "SELECT student_subject_access_for_service($1, $2)::text AS doc", [studentID, format]).single().decode("doc")
        return try Self.sortedJSON(text)
    }

    /// The subject-access document (its shape: docs/data-protection.md §5), as JSON text with
    /// sorted keys; recorded in the audit log with the format asked for.
    public func subjectAccess(studentID: Int, format: String, actor: String) throws -> Data {
        let text: String = try connection.transaction { connection in
            try connection.query("SELECT set_config('gaptrack.actor', $1, true)", [actor])
            return try connection.query("SELECT student_subject_access($1, $2)::text AS doc", [studentID, format]).single().decode("doc")
        }
        return try Self.sortedJSON(text)
    }

    static func sortedJSON(_ text: String) throws -> Data {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
