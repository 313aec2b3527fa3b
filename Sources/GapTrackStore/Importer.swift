import CSVFormat
import Foundation
import GapTrackDomain
import Postgres

/// Loads one CSV file into the database: `gaptrack import KIND FILE`, and what the demo loader
/// and the benchmark call.
///
/// The pipeline, the same for every kind: stream the file, validate each row in Swift, COPY the
/// valid rows into a temporary staging table (with their line numbers), find the errors that need
/// the database (unknown students, overlapping spells) with set-based SQL, then merge with
/// natural-key upserts that touch only rows that changed, so that importing the same file again
/// reports 0 inserted and 0 updated. All of it, and the import ledger row, is one transaction: a
/// file loads completely or not at all (with `skipInvalid`, its valid rows completely).
/// Attendance takes a faster road to the same end (see `AttendanceImport`).
///
/// Imports of one provider's files queue behind a transaction-scoped advisory lock, so that two
/// people loading the same pupils file at once get the result of loading it twice in turn, not a
/// unique-key clash. The lock is transaction-scoped because session locks do not survive
/// PgBouncer's transaction pooling.
public struct Importer {
    /// The first half of the provider lock's key (`pg_advisory_xact_lock(int, int)`); the
    /// provider id is the second.
    static let providerLockSpace = 7_130_512


    let connection: PostgresConnection
    /// Who writes the ledger row: the owner (`gaptrack import`), or a data lead's web session
    /// through the door of sql/functions/web_imports.sql.
    let ledgerDoor: ImportLedgerDoor

    public init(connection: PostgresConnection, ledgerDoor: ImportLedgerDoor = .owner) {
        self.connection = connection
        self.ledgerDoor = ledgerDoor
    }

    /// Imports `url` as a file of `kind` for the provider with code `provider`.
    ///
    /// Throws `ImportError.invalidRows` (nothing written) when rows are invalid and
    /// `options.skipInvalid` is off; `ImportError` for a file that cannot be used at all;
    /// `ProviderError.notFound` for an unknown provider.
    public func importFile(kind: ImportKind, url: URL, provider providerCode: ProviderCode,
                           options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        let clock = ContinuousClock()
        let start = clock.now
        let startedAt = Date()
        let fileName = url.lastPathComponent
        guard FileManager.default.isReadableFile(atPath: url.path) else {
            let reason = FileManager.default.fileExists(atPath: url.path) ? "permission denied" : "no such file"
            throw ImportError.unreadable(fileName: fileName, .cannotOpen(path: url.path, reason: reason))
        }
        let checksum = FileChecksum(url: url)
        let provider = try Self.requiringSchema { try Providers(connection: connection).require(code: providerCode) }
        let operatingSystemUser = options.operatingSystemUser ?? ImportLedger.currentOperatingSystemUser()
        let rejectsURL = options.rejectsURL
            ?? url.deletingPathExtension().appendingPathExtension("rejects").appendingPathExtension("csv")
        if options.skipInvalid && !options.dryRun {
            try RejectsFile.checkDestination(rejectsURL, source: url, fileName: fileName,
                                             mayReplace: options.rejectsURL == nil || options.replaceRejects)
        }

        var previous: ImportSummary.PreviousImport?
        var sha256 = ""
        let importID: Int
        let outcome: KindOutcome
        do {
            (importID, outcome) = try runInTransaction(
                kind: kind, url: url, fileName: fileName, provider: provider, options: options,
                operatingSystemUser: operatingSystemUser, startedAt: startedAt, rejectsURL: rejectsURL,
                checksum: checksum, previous: &previous, sha256: &sha256)
        } catch let rollback as DryRunRollback {
            (importID, outcome) = (0, rollback.outcome)
        } catch let error as PostgresError where error.sqlState == ServerError.Code.uniqueViolation {
            throw ImportError.conflictingImport(fileName: fileName)
        }
        let elapsed = start.duration(to: clock.now)
        return ImportSummary(
            kind: kind, fileName: fileName, importID: importID, sha256: sha256, rowsRead: outcome.rowsRead,
            inserted: outcome.inserted, updated: outcome.updated, unchanged: outcome.unchanged, rejected: outcome.rejected,
            elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            previousImport: previous, rejectsFile: outcome.errors.isEmpty || options.dryRun ? nil : rejectsURL,
            ignoredColumns: outcome.ignoredColumns, phases: outcome.phases, dryRun: options.dryRun, notices: outcome.notices)
    }

    /// Carries a dry run's counts out of its transaction, which throwing rolls back.
    private struct DryRunRollback: Error {
        let outcome: KindOutcome
    }

    /// The import proper: one transaction, behind the provider's lock. A dry run does it all and
    /// then throws `DryRunRollback`, so its counts are the real import's and nothing is kept.
    private func runInTransaction(kind: ImportKind, url: URL, fileName: String, provider: Provider, options: ImportOptions,
                                  operatingSystemUser: String, startedAt: Date, rejectsURL: URL, checksum: FileChecksum,
                                  previous: inout ImportSummary.PreviousImport?, sha256: inout String) throws -> (Int, KindOutcome) {
        var previousFound: ImportSummary.PreviousImport?
        var sha256Found = ""
        defer {
            previous = previousFound
            sha256 = sha256Found
        }
        return try connection.transaction { connection -> (Int, KindOutcome) in
            try connection.query("SELECT pg_advisory_xact_lock($1::integer, $2::integer)", [Self.providerLockSpace, provider.id!])
            // The audit log names the actor from this setting, and the report cache records what the
            // import writes as this provider's change only (sql/021_shard_ready.sql); a web
            // session's scoped transaction has bound both already.
            if ledgerDoor == .owner {
                try connection.query(
                    "SELECT set_config('gaptrack.actor', $1, true), set_config('gaptrack.changing_provider', $2, true)",
                    ["cli:" + operatingSystemUser, String(provider.id!)])
            }
            let auditScope = try ImportAudit.open(connection: connection)
            var importID = 0
            let context = ImportContext(
                connection: connection, provider: provider, options: options, url: url, fileName: fileName, kind: kind,
                mayCreateTables: ledgerDoor == .owner,
                openLedger: {
                    let file = try checksum.value()
                    sha256Found = file.hex
                    previousFound = try ImportLedger.previousImport(of: file.hex, kind: kind, providerID: provider.id!, connection: connection)
                    importID = try ledgerDoor.open(
                        kind: kind, providerID: provider.id!, fileName: fileName, sha256: file.hex, bytes: file.bytes,
                        skipInvalid: options.skipInvalid, operatingSystemUser: operatingSystemUser, startedAt: startedAt,
                        connection: connection)
                    return importID
                })
            let outcome: KindOutcome
            switch kind {
            case .students: outcome = try TabularImportDriver<StudentsImport>(context: context).run()
            case .markers where options.layout == .wide: outcome = try TabularImportDriver<MarkersWideImport>(context: context).run()
            case .markers: outcome = try TabularImportDriver<MarkersImport>(context: context).run()
            case .assessments where options.layout == .wide: outcome = try TabularImportDriver<AssessmentsWideImport>(context: context).run()
            case .assessments: outcome = try TabularImportDriver<AssessmentsImport>(context: context).run()
            case .support: outcome = try TabularImportDriver<SupportImport>(context: context).run()
            case .attendance: outcome = try AttendanceImport(context: context).run()
            case .ctf: outcome = try CTFImport(context: context).run()
            case .calendar: outcome = try TabularImportDriver<SchoolCalendarImport>(context: context).run()
            case .studentRecords: outcome = try TabularImportDriver<StudentRecordsImport>(context: context).run()
            case .supportApplications: outcome = try TabularImportDriver<SupportApplicationsImport>(context: context).run()
            }
            if outcome.rowsRead == 0 {
                throw ImportError.noRows(fileName: fileName)
            }
            if options.dryRun {
                throw DryRunRollback(outcome: outcome)
            }
            if !outcome.errors.isEmpty {
                try RejectsFile.write(source: url, errors: outcome.errors, to: rejectsURL)
            }
            try ImportJournal.recordLoadedTerms(importID: importID, connection: connection)
            try ReportSnapshots(connection: connection).recordChanges(untriggered: outcome.loadedUntriggered)
            try ledgerDoor.close(
                importID: importID, rowsRead: outcome.countedRows, inserted: outcome.inserted, updated: outcome.updated,
                unchanged: outcome.unchanged, rejected: outcome.rejected, connection: connection)
            if auditScope {
                try ImportAudit.close(importID: importID, loadedUntriggered: outcome.loadedUntriggered, connection: connection)
            }
            return (importID, outcome)
        }
    }

    /// Turns "relation does not exist" into "run gaptrack migrate".
    static func requiringSchema<Result>(_ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as PostgresError where error.sqlState == ServerError.Code.undefinedTable {
            throw ImportError.schemaMissing
        }
    }
}

/// Everything one kind's loader needs, inside the import's transaction.
struct ImportContext {
    let connection: PostgresConnection
    let provider: Provider
    let options: ImportOptions
    let url: URL
    let fileName: String
    let kind: ImportKind
    /// Whether the import may create tables: `gaptrack import`, as the schema owner, bulk-loads a
    /// new attendance term into a partition of its own; a web upload, as the service role, may
    /// not (docs/security.md), and merges into `attendance_marks`, whose default partition holds
    /// a term that has none yet.
    let mayCreateTables: Bool
    /// Waits for the file's checksum, writes the ledger row and returns the import id. Called
    /// once, after the file has been read (the checksum is computed meanwhile).
    let openLedger: () throws -> Int

    var providerID: Int { provider.id! }

    /// Applies the all-or-nothing rule: throws when there are errors and skip-invalid is off.
    func stopIfInvalid(_ errors: RowErrors, rowsRead: Int) throws {
        guard !errors.isEmpty, !options.skipInvalid else { return }
        let sorted = errors.sorted
        throw ImportError.invalidRows(fileName: fileName, shown: Array(sorted.prefix(options.maxErrorsShown)),
                                      total: sorted.count, invalidRows: errors.invalidLines.count, rowsRead: rowsRead)
    }
}

/// What one kind's loader did.
struct KindOutcome {
    var rowsRead: Int
    var inserted: Int
    var updated: Int
    var errors: RowErrors
    var ignoredColumns: [String]
    var phases: [ImportSummary.Phase]
    /// Rows inserted where no audit trigger sees them, per table (attendance terms bulk-loaded
    /// before they become partitions), for the import's audit entry.
    var loadedUntriggered: [String: Int] = [:]
    /// What the summary should tell the data lead beyond the counts (probable duplicates, what was not stored).
    var notices: [String] = []

    /// What the valid lines staged, when a line can stage several (a wide marksheet's results);
    /// nil when each valid line is one row.
    var stagedRows: Int?

    var rejected: Int { errors.invalidLines.count }
    /// What the ledger's counts add up to: the rows read, or a wide marksheet's results and its
    /// rejected rows.
    var countedRows: Int { stagedRows.map { $0 + rejected } ?? rowsRead }
    var unchanged: Int { (stagedRows ?? rowsRead - rejected) - inserted - updated }
}

/// Times the steps of an import, for `ImportSummary.phases`.
struct PhaseClock {
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    private(set) var phases: [ImportSummary.Phase] = []

    init() {
        last = clock.now
    }

    /// Ends the current step, naming it.
    mutating func lap(_ name: String) {
        let now = clock.now
        let elapsed = last.duration(to: now)
        phases.append(ImportSummary.Phase(name: name, seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        last = now
    }
}

/// Calls `ImportOptions.progress` at most four times a second while rows are read.
struct ProgressTicker {
    private let report: (@Sendable (ImportProgress) -> Void)?
    private let fileName: String
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private var lastReport: ContinuousClock.Instant

    init(options: ImportOptions, fileName: String) {
        report = options.progress
        self.fileName = fileName
        start = clock.now
        lastReport = start
    }

    @inline(__always)
    mutating func tick(_ rowsRead: Int) {
        guard report != nil, rowsRead & 0x3FFF == 0 else { return }
        let now = clock.now
        guard now - lastReport >= .milliseconds(250) else { return }
        lastReport = now
        send(rowsRead, at: now)
    }

    /// The final figure, always sent (so a progress line ends on the true count).
    func finish(_ rowsRead: Int) {
        send(rowsRead, at: clock.now)
    }

    private func send(_ rowsRead: Int, at now: ContinuousClock.Instant) {
        guard let report else { return }
        let elapsed = start.duration(to: now)
        report(ImportProgress(fileName: fileName, rowsRead: rowsRead,
                              elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
    }
}
