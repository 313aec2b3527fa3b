import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackStore

/// `gaptrack audit`: who changed what, when, with the row before and after.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log: every change to a provider's records, newest first.",
        discussion: """
            Changes through the HTTP service name the token ('token:12 MIS integration'); changes from the command \
            line name the operating-system user ('cli:alice'); anything else the database user ('db:gaptrack'). \
            A 'gaptrack import' is one entry (the file, its SHA-256 and the rows it changed per table), not one per row.
            """
    )

    @OptionGroup var database: DatabaseOptions

    @Option(help: "Only this provider's changes (its code).")
    var provider: ProviderCode?

    @Option(help: "Only changes to this table, e.g. support_records or attendance_marks.")
    var table: String?

    @Option(help: "Only changes whose actor contains this text, e.g. 'token:12' or 'cli:alice'.")
    var actor: String?

    @Option(help: "Only changes on or after this date (YYYY-MM-DD).")
    var since: String?

    @Option(help: "At most this many entries (default 50).")
    var limit: Int = 50

    @Flag(help: "Print JSON lines (one entry per line) instead of text.")
    var json = false

    func validate() throws {
        if let since, Self.parseDay(since) == nil { throw ValidationError("--since '\(since)' is not a date; write YYYY-MM-DD") }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
    }

    static func parseDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
        var components = DateComponents()
        (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)
    }

    func run() throws {
        let entries = try AuditEntries(connection: try database.connect()).entries(
            .init(providerCode: provider, table: table, actorContains: actor, since: since.flatMap(Self.parseDay), limit: limit))
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            for entry in entries { print(String(decoding: try encoder.encode(entry), as: UTF8.self)) }
            return
        }
        if entries.isEmpty { print("No audit entries match.") }
        for entry in entries {
            if let summary = Self.importSummary(entry) {
                print("#\(entry.auditID)  \(entry.occurredAt)  \(entry.providerCode ?? "-")  \(entry.actor)  \(summary)")
                continue
            }
            print("#\(entry.auditID)  \(entry.occurredAt)  \(entry.providerCode ?? "-")  \(entry.actor)"
                + (entry.actorRole.map { " (\($0))" } ?? "") + "  \(entry.action) \(entry.table) \(entry.rowKey ?? "")")
            if let before = entry.before { print("    before: \(before)") }
            if let after = entry.after { print("    after:  \(after)") }
        }
    }

    /// An import's single entry (sql/functions/audit_log.sql: the ledger row plus rows per table,
    /// instead of a copy of every row) as two readable lines; nil for any other entry.
    static func importSummary(_ entry: AuditEntries.Entry) -> String? {
        guard entry.table == "imports", let after = entry.after,
              let object = try? JSONSerialization.jsonObject(with: Data(after.utf8)) as? [String: Any],
              let tables = object["tables"] as? [String: Any] else { return nil }
        let kind = object["kind"] as? String ?? "?"
        let file = object["file_name"] as? String ?? "?"
        let sha256 = object["file_sha256"] as? String ?? "?"
        let id = object["import_id"].map { "\($0)" } ?? "?"
        let counts = tables.keys.sorted().map { table in
            let actions = tables[table] as? [String: Any] ?? [:]
            return table + " " + ["inserted", "updated", "deleted"].compactMap { action in
                actions[action].map { "\($0) \(action)" }
            }.joined(separator: ", ")
        }
        return "import \(id): \(kind) \(file) (SHA-256 \(sha256))\n    rows: "
            + (counts.isEmpty ? "none changed" : counts.joined(separator: "; "))
    }
}
