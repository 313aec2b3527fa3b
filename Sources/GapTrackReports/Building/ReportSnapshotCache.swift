import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres

/// The stored data of termly reports (`report_snapshots`, sql/functions/report_snapshots.sql;
/// read and written through `ReportSnapshots` in GapTrackStore), so that asking again for a
/// report whose inputs have not changed is answered from the stored data instead of computing a
/// national cohort's aggregates again.
///
/// Never stale: an entry keeps the snapshot of the REPEATABLE READ transaction that computed it,
/// and is served only while no transaction the reader can see, and that snapshot could not, has
/// written a table a report reads (every such transaction leaves its id in `data_changes`); the
/// argument is written out in sql/functions/report_snapshots.sql. Entries are also tied to the
/// applied migrations and to this build of gaptrack (`applicationVersion`), so new report SQL or
/// Swift never meets data computed by the old.
///
/// Only where no row-level security policy applies to the session: the service computes reports
/// as roles that see one provider's rows (sql/002_baseline_protection.sql), and its figures must
/// never be served to the CLI or to another role, nor the reverse. A failure to read or store an entry never fails the
/// report: each runs under a savepoint, and the report is computed as if there were no cache.
///
/// Used by `TermlyReportQueries`: `storedData` looks the entry up, in a REPEATABLE READ
/// transaction of its own, before the report's name checks; on a miss, `data(...)` computes the
/// report and stores it at the end of its transaction.
/// Not Sendable: it holds a connection, which is used by one thread at a time.
public struct ReportSnapshotCache {
    /// Whether a report reads and stores entries.
    public enum Mode: Sendable, Equatable {
        /// Neither read nor store (the default: the service, tests, anything that did not ask).
        case off
        /// Serve a valid entry; compute and store on a miss (`gaptrack report termly|gap`).
        case use
        /// Compute afresh and replace the entry (`--recompute`).
        case refresh
    }

    /// What a report's data depends on besides the database: which report it is.
    struct Key: Sendable, Equatable {
        var providerID: Int
        var cohort: String
        var term: AcademicTerm
        /// As asked: nil is the provider's default, which the data itself records once resolved.
        var comparison: ComparisonGroup?
        var trendTerms: Int
        var withImpactCandidates: Bool
        /// A governors' report and a staff report of the same data are different outputs, each
        /// stored under its own key and with its audience (sql/004_report_audience.sql).
        var audience: ReportAudience
        /// A filtered report is a different report: never answered from the unfiltered entry.
        var filter: CohortFilter = .none

        var text: String {
            "provider \(providerID); cohort \(cohort); term \(term); compare \(comparison?.rawValue ?? "default"); "
                + "trend \(trendTerms); impact candidates \(withImpactCandidates ? "yes" : "no"); audience \(audience.rawValue)"
                + (filter.isEmpty ? "" : "; filter \(filter.code)")
        }
    }

    /// The layout of the stored JSON. Raise it when `TermlyReportData` or what it holds changes
    /// shape or meaning; entries of another format are recomputed (and a layout a decoder cannot
    /// read is recomputed whatever this says).
    static let formatVersion = 3

    /// This executable, by path, size and modification time: a rebuilt gaptrack, whose queries
    /// may compute a figure differently, never serves what the previous build stored. Where the
    /// executable cannot be examined, a value of this process alone (entries are then shared by
    /// no other process, which costs speed, never correctness).
    static let buildIdentity: String = {
        if let url = Bundle.main.executableURL?.resolvingSymlinksInPath(),
           let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
           let size = attributes[.size] as? NSNumber, let modified = attributes[.modificationDate] as? Date {
            return "\(url.path) \(size.int64Value) \(modified.timeIntervalSince1970)"
        }
        return "process " + UUID().uuidString
    }()

    /// gaptrack's side of an entry's schema version; the database adds the migrations' checksums
    /// (`report_snapshot_schema_version()`).
    static var applicationVersion: String { "format \(formatVersion); build \(buildIdentity)" }

    let connection: PostgresConnection
    let key: Key
    let mode: Mode
    /// Whether this session may use the cache (the tables exist, it has the privileges, and no
    /// row-level security policy applies to it).
    let usable: Bool
    /// A valid entry's data, when there is one and `mode` is `.use`.
    let hit: TermlyReportData?

    /// Looks the report's entry up. Call it first in the report's REPEATABLE READ transaction, so
    /// that the entry is checked against the snapshot the report would be computed in.
    init(key: Key, mode: Mode, connection: PostgresConnection) {
        self.connection = connection
        self.key = key
        self.mode = mode
        guard mode != .off else {
            usable = false
            hit = nil
            return
        }
        let looked = try? connection.transaction { connection -> (usable: Bool, data: String?) in
            let snapshots = ReportSnapshots(connection: connection)
            let usable = try snapshots.usable()
            guard usable, mode == .use else { return (usable, nil) }
            return (usable, try snapshots.lookup(key: key.text, applicationVersion: Self.applicationVersion))
        }
        usable = looked?.usable ?? false
        // An entry this build cannot read (another layout) is a miss: computed again and replaced.
        hit = looked?.data.flatMap { try? Self.decode($0) }
    }

    /// Stores `data`, computed in this transaction, as the report's entry, and returns it. A
    /// failure to store (a concurrent report storing the same entry: a serialization failure) is
    /// ignored: the report stands, only the next one is not faster.
    func keep(_ data: TermlyReportData) -> TermlyReportData {
        guard usable, mode != .off, let json = try? Self.encode(data) else { return data }
        let stored = (try? connection.transaction { connection in
            try ReportSnapshots(connection: connection).store(key: key.text, applicationVersion: Self.applicationVersion, json: json, audience: key.audience.rawValue)
        }) != nil
        if stored {
            // Concurrent pruning is refused (NOWAIT) or fails to serialise; the next store prunes.
            _ = try? connection.transaction { connection in
                try ReportSnapshots(connection: connection).prune(applicationVersion: Self.applicationVersion)
            }
        }
        return data
    }

    // MARK: - The stored form

    /// JSON with sorted keys, so that an entry reads the same in psql every time. Non-finite
    /// numbers (none is expected) are written as strings rather than refused.
    static func encode(_ data: TermlyReportData) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(data), as: UTF8.self)
    }

    static func decode(_ json: String) throws -> TermlyReportData {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(TermlyReportData.self, from: Data(json.utf8))
    }
}

extension TermlyReportQueries {
    /// Whether `data(...)` (and so `report(...)`) may answer from the stored report data and store
    /// what it computes. Off unless a caller binds it for the work it does:
    ///
    ///     try TermlyReportQueries.$snapshotCache.withValue(.use) { try queries.report(...) }
    ///
    /// so that nothing (the service above all, whose figures depend on its role) uses the cache
    /// without asking. A task-local value rather than a stored property keeps the cache out of
    /// the queries' own code: the queries compute, the cache decides whether they need to.
    @TaskLocal public static var snapshotCache: ReportSnapshotCache.Mode = .off
}

extension TermlyReportQueries {
    /// The stored data of the report asked for, looked up before the names are checked: on a
    /// national cohort the checks (`report_terms`, `report_cohorts`) read every enrolment, which
    /// costs far more than reading the entry. A valid entry needs no checks: it was
    /// computed for these very names, and nothing it rests on has changed since. Nil (and the
    /// report is made as usual, checks first) unless `snapshotCache` is `.use` and a valid entry
    /// exists; never throws, because the usual path reports any problem better.
    func storedData(
        provider providerCode: ProviderCode, cohort cohortCode: CohortCode, term: AcademicTerm, comparison: ComparisonGroup?,
        withImpactCandidates: Bool, audience: ReportAudience, filter: CohortFilter = .none
    ) -> TermlyReportData? {
        guard Self.snapshotCache == .use else { return nil }
        return try? repository.snapshot { repository -> TermlyReportData? in
            guard let providerID = try repository.provider(code: providerCode.value)?.id else { return nil }
            let key = ReportSnapshotCache.Key(
                providerID: providerID, cohort: cohortCode.code, term: term, comparison: comparison, trendTerms: trendTerms,
                withImpactCandidates: withImpactCandidates, audience: audience, filter: filter)
            return ReportSnapshotCache(key: key, mode: .use, connection: repository.connection).hit
        }
    }
}
