import Foundation

/// What an import did. Every row read is exactly one of inserted, updated, unchanged or rejected;
/// a wide marksheet's rows hold several results each, and its inserted, updated and unchanged
/// count results (a notice says so, and the ledger's rows read are its results and rejected rows).
public struct ImportSummary: Sendable, Hashable {
    public let kind: ImportKind
    public let fileName: String
    /// The import ledger id (`imports.import_id`).
    public let importID: Int
    public let sha256: String
    public let rowsRead: Int
    public let inserted: Int
    public let updated: Int
    public let unchanged: Int
    public let rejected: Int
    public let elapsedSeconds: Double
    /// Set when the same file (same checksum, kind and provider) was imported before.
    public let previousImport: PreviousImport?
    /// Where rejected rows were written (only with --skip-invalid and at least one rejected row).
    public let rejectsFile: URL?
    /// Columns of the file that were not used (neither gaptrack's own names nor mapped).
    public let ignoredColumns: [String]
    /// Where the time went (read and validate, database checks, merge, ...), for tuning.
    public let phases: [Phase]
    /// The counts are what the import would have written; nothing was (`ImportOptions.dryRun`).
    public let dryRun: Bool
    /// What the data lead should know beyond the counts: probable duplicates (reported, never
    /// merged) and what a file held that was not stored.
    public var notices: [String] = []

    /// One step of an import and its wall-clock time.
    public struct Phase: Sendable, Hashable {
        public let name: String
        public let seconds: Double
    }

    /// An earlier import of the identical file.
    public struct PreviousImport: Sendable, Hashable {
        public let importID: Int
        public let finishedAt: Date
    }

    /// Nothing in the database changed.
    public var changedNothing: Bool { inserted == 0 && updated == 0 }

    /// `students.csv: 1,000 rows read, 1,000 inserted, 0 updated, 0 unchanged, 0 rejected (0.4 s)`;
    /// a dry run says `would insert` and so on, and that nothing was written.
    public var line: String {
        let seconds = elapsedSeconds < 10 ? String(format: "%.1f", elapsedSeconds) : String(format: "%.0f", elapsedSeconds)
        if dryRun {
            return "\(fileName) (dry run, nothing written): \(Self.grouped(rowsRead)) rows read, would insert \(Self.grouped(inserted)), "
                + "update \(Self.grouped(updated)), leave \(Self.grouped(unchanged)) unchanged, reject \(Self.grouped(rejected)) (\(seconds) s)"
        }
        return "\(fileName): \(Self.grouped(rowsRead)) rows read, \(Self.grouped(inserted)) inserted, "
            + "\(Self.grouped(updated)) updated, \(Self.grouped(unchanged)) unchanged, \(Self.grouped(rejected)) rejected (\(seconds) s)"
    }

    /// 1234567 as "1,234,567", the way UK readers write it.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }
}
