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
/// Stored in parts (`Part`, `ReportDataParts`), each under a key naming the families of tables it
/// reads, so that a change to one family computes again only the parts that read it.
///
/// Used by `TermlyReportQueries`: `storedData` looks every part up, in a REPEATABLE READ
/// transaction of its own, before the report's name checks; when a part is missing,
/// `data(...)` looks the parts up again in the snapshot it computes in, computes the missing
/// ones and stores them at the end of its transaction.
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

    /// The parts of a report's data stored apart (`ReportDataParts`), each named with the
    /// families of tables it reads, which its key names (sql/functions/report_snapshots.sql,
    /// `gaptrack_data_family`): a change recorded under the provider for another family leaves
    /// the part valid. Every part reads the cohort, so every part names `pupils`; and every
    /// part counts the family `other` (calendars, code lists, the provider's own record).
    enum Part: String, Sendable, CaseIterable {
        case attainment
        case attendance
        case support
        case impactCandidates = "impact candidates"

        var families: [String] {
            switch self {
            case .attainment: ["assessments", "pupils"]
            case .attendance: ["attendance", "pupils"]
            case .support: ["pupils", "support"]
            // Which records and results each candidate section would compare.
            case .impactCandidates: ["assessments", "pupils", "support"]
            }
        }
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

        /// The key of one part: the families come last, where `report_snapshot_families` reads them.
        func text(_ part: Part) -> String {
            text + "; part \(part.rawValue); families \(part.families.joined(separator: ","))"
        }
    }

    /// The layout of the stored JSON. Raise it when `TermlyReportData`, its parts or what they
    /// hold change shape or meaning; entries of another format are recomputed (and a layout a
    /// decoder cannot read is recomputed whatever this says).
    static let formatVersion = 4

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

    /// Checks whether the session may use the cache. Make it in the report's REPEATABLE READ
    /// transaction, so that every part is looked up in the snapshot the report is computed in.
    init(key: Key, mode: Mode, connection: PostgresConnection) {
        self.connection = connection
        self.key = key
        self.mode = mode
        usable = mode != .off && ((try? connection.transaction { try ReportSnapshots(connection: $0).usable() }) ?? false)
    }

    /// A valid entry's data for `part`, when there is one and `mode` is `.use`. An entry this
    /// build cannot read (another layout) is a miss: computed again and replaced.
    func stored<Value: Decodable>(_ part: Part, as type: Value.Type) -> Value? {
        guard usable, mode == .use else { return nil }
        let json = try? connection.transaction { connection in
            try ReportSnapshots(connection: connection).lookup(key: key.text(part), applicationVersion: Self.applicationVersion)
        }
        return json.flatMap { $0 }.flatMap { try? Self.decode(type, from: $0) }
    }

    /// Stores `value`, computed in this transaction, as the entry of `part`. A failure to store (a
    /// concurrent report storing the same entry: a serialization failure) is ignored: the
    /// report stands, only the next one is not faster.
    func keep<Value: Encodable>(_ part: Part, _ value: Value) {
        guard usable, mode != .off, let json = try? Self.encode(value) else { return }
        _ = try? connection.transaction { connection in
            try ReportSnapshots(connection: connection).store(
                key: key.text(part), applicationVersion: Self.applicationVersion, json: json, audience: key.audience.rawValue)
        }
    }

    /// Removes the entries that can no longer be served; once a report has stored its parts.
    /// Concurrent pruning is refused (NOWAIT) or fails to serialise; the next report prunes.
    func prune() {
        guard usable, mode != .off else { return }
        _ = try? connection.transaction { connection in
            try ReportSnapshots(connection: connection).prune(applicationVersion: Self.applicationVersion)
        }
    }

    // MARK: - The stored form

    /// JSON with sorted keys, so that an entry reads the same in psql every time. Non-finite
    /// numbers (none is expected) are written as strings rather than refused.
    static func encode<Value: Encodable>(_ value: Value) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from json: String) throws -> Value {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return try decoder.decode(type, from: Data(json.utf8))
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
            guard let provider = try repository.provider(code: providerCode.value) else { return nil }
            let key = ReportSnapshotCache.Key(
                providerID: provider.id, cohort: cohortCode.code, term: term, comparison: comparison, trendTerms: trendTerms,
                withImpactCandidates: withImpactCandidates, audience: audience, filter: filter)
            let cache = ReportSnapshotCache(key: key, mode: .use, connection: repository.connection)
            guard let parts = cache.storedParts(), let kind = ReportProvider.Kind(rawValue: provider.kind) else { return nil }
            return TermlyReportData(
                parts: parts, term: term, imports: try repository.imports(providerID: provider.id), shownGroups: Self.attendanceGroups(for: kind))
        }
    }
}

extension ReportSnapshotCache {
    /// Every part of the report, when each has a valid entry; nil when any must be computed.
    func storedParts() -> ReportDataParts? {
        guard let attainment = stored(.attainment, as: ReportDataParts.AttainmentPart.self),
              let attendance = stored(.attendance, as: ReportDataParts.AttendancePart.self),
              let support = stored(.support, as: ReportDataParts.SupportPart.self) else { return nil }
        var candidates = [ImpactCandidate]()
        if key.withImpactCandidates {
            guard let stored = stored(.impactCandidates, as: [ImpactCandidate].self) else { return nil }
            candidates = stored
        }
        return ReportDataParts(attainment: attainment, attendance: attendance, support: support, impactCandidates: candidates)
    }
}
