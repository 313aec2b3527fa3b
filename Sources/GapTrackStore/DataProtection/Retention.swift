import Foundation
import GapTrackDomain
import Postgres

/// What a retention rule applies to (docs/data-protection.md §2).
public enum RetentionRecordKind: String, Sendable, CaseIterable, Codable {
    /// The student and every row about them.
    case studentRecord = "student_record"
    case attendance
    case results
    case support

    /// As people type it: `student-record`, `attendance`, `results`, `support`.
    public var argument: String { rawValue.replacingOccurrences(of: "_", with: "-") }
}

/// A rule: keep for `years` from a date (date of birth, leaving, the record's own date), or keep.
public enum RetentionRule: Sendable, Equatable, CustomStringConvertible {
    case keep
    case years(Int, after: Basis)

    public enum Basis: String, Sendable {
        case birth, left, entry
    }

    /// Reads `birth+25`, `left+6`, `entry+6` or `keep`.
    public init(parsing text: String) throws(DataProtectionError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if trimmed == "keep" {
            self = .keep
            return
        }
        let parts = trimmed.split(separator: "+", omittingEmptySubsequences: false)
        guard parts.count == 2, let basis = Basis(rawValue: String(parts[0])), let years = Int(parts[1]), (0...150).contains(years) else {
            throw .badRule("'\(text)' is not a retention rule; write birth+YEARS (from the date of birth), left+YEARS (from leaving), "
                + "entry+YEARS (from the record's own date) or keep, e.g. birth+25")
        }
        self = .years(years, after: basis)
    }

    init(basis: String?, years: Int?) {
        if let basis, let years, let parsed = Basis(rawValue: basis) { self = .years(years, after: parsed) } else { self = .keep }
    }

    public var description: String {
        switch self {
        case .keep: return "keep"
        case .years(let years, let basis): return "\(basis.rawValue)+\(years)"
        }
    }
}

/// The rule in force for one kind of record at one provider, with where it comes from.
public struct RetentionPolicyLine: Sendable, Equatable {
    public let kind: RetentionRecordKind
    public let rule: RetentionRule
    /// The period the law requires, when there is one (a rule may not be shorter).
    public let statutoryYears: Int?
    public let source: String
    public let setByProvider: Bool
}

/// One line of a retention plan or of what an apply deleted: a kind of record in one table.
public struct RetentionLine: Sendable, Equatable {
    public let kind: RetentionRecordKind
    public let table: String
    public let rule: String
    public let source: String
    public let rows: Int
    public let students: Int
    public let earliest: String
    public let latest: String
}

/// Retention rules per provider, and the plan and apply of `gaptrack retention`
/// (sql/functions/data_protection.sql: retention_due).
public struct Retention {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func policy(providerID: Int) throws -> [RetentionPolicyLine] {
        try connection.query(
            "SELECT record_kind, basis, years, statutory_years, source, set_by_provider FROM retention_rules($1)", [providerID]
        ).rows.map { row in
            RetentionPolicyLine(
                kind: try Self.kind(row), rule: RetentionRule(basis: try row.decode("basis"), years: try row.decode("years")),
                statutoryYears: try row.decode("statutory_years"), source: try row.decode("source"),
                setByProvider: try row.decode("set_by_provider"))
        }
    }

    /// Sets the provider's rule for one kind; refused (changing nothing) when the law requires longer.
    public func set(_ rule: RetentionRule, for kind: RetentionRecordKind, providerID: Int, actor: String) throws {
        var basis: String?
        var years: Int?
        if case .years(let count, let after) = rule { (basis, years) = (after.rawValue, count) }
        do {
            try connection.transaction { connection in
                try connection.query("SELECT set_config('gaptrack.actor', $1, true)", [actor])
                try connection.query("SELECT retention_policy_set($1, $2, $3, $4)", [providerID, kind.rawValue, basis, years])
            }
        } catch let error as PostgresError where error.sqlState == ServerError.Code.checkViolation {
            if case .server(let server) = error { throw DataProtectionError.belowStatutoryMinimum(server.message) }
            throw error
        }
    }

    /// What would be deleted on `asOf`; writes nothing.
    public func plan(providerID: Int, asOf: CalendarDate) throws -> [RetentionLine] {
        try Self.lines(connection.query("SELECT \(Self.columns) FROM retention_plan($1, $2::date)", [providerID, asOf.isoString]))
    }

    /// Deletes what `plan` lists, in one transaction, audited; returns what it deleted (nothing
    /// the second time).
    public func apply(providerID: Int, asOf: CalendarDate, actor: String) throws -> [RetentionLine] {
        try connection.transaction { connection in
            try connection.query("SELECT set_config('gaptrack.actor', $1, true)", [actor])
            return try Self.lines(connection.query("SELECT \(Self.columns) FROM retention_apply($1, $2::date)", [providerID, asOf.isoString]))
        }
    }

    static let columns = "record_kind, table_name, rule, source, rows_due, students, earliest::text AS earliest, latest::text AS latest"

    static func kind(_ row: PostgresRow) throws -> RetentionRecordKind {
        let text: String = try row.decode("record_kind")
        guard let kind = RetentionRecordKind(rawValue: text) else {
            throw PostgresError.malformedValue(column: "record_kind", value: text, swiftType: "RetentionRecordKind")
        }
        return kind
    }

    static func lines(_ result: PostgresResult) throws -> [RetentionLine] {
        try result.rows.map { row in
            RetentionLine(
                kind: try kind(row), table: try row.decode("table_name"), rule: try row.decode("rule"), source: try row.decode("source"),
                rows: try row.decode("rows_due"), students: try row.decode("students"),
                earliest: try row.decode("earliest"), latest: try row.decode("latest"))
        }
    }
}
