import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import TestSupport
import Testing

/// The report data cache (sql/functions/report_snapshots.sql, ReportSnapshotCache): served while nothing the report rests on
/// has changed, recomputed after any write to a table it reads, never across roles.
///
/// That an answer came from the cache is shown by tampering: the stored entry's cohort size is
/// rewritten to 4,000 (the school has 60 pupils), so a report that says 4,000 was served from the
/// entry, and one that says 60 was computed.
@Suite struct ReportSnapshotCacheTests {
    static let term: AcademicTerm = "2024/25-autumn"
    static let tamperedSize = 4000

    /// A small school, loaded (with its writes recorded in data_changes like any other).
    static func loadSchool(_ connection: PostgresConnection) throws -> (school: SyntheticSchool, providerID: Int) {
        let school = SyntheticSchool.generate(count: 60, seed: 7)
        let providerID = try school.load(into: connection)
        return (school, providerID)
    }

    static func data(
        _ connection: PostgresConnection, _ mode: ReportSnapshotCache.Mode = .use, trendTerms: Int = 5
    ) throws -> TermlyReportData {
        try TermlyReportQueries.$snapshotCache.withValue(mode) {
            try TermlyReportQueries(connection: connection, trendTerms: trendTerms)
                .data(provider: "synthetic-school", cohort: "year-11", term: term)
        }
    }

    /// Rewrites the stored cohort size of every entry that holds one (a report's attainment part);
    /// returns how many entries there were.
    @discardableResult
    static func tamper(_ connection: PostgresConnection) throws -> Int {
        try connection.query(
            "UPDATE report_snapshots SET data = regexp_replace(data, '\"cohortSize\":[0-9]+', $1) WHERE data ~ '\"cohortSize\":[0-9]+'",
            ["\"cohortSize\":\(tamperedSize)"]
        ).affectedRows
    }

    /// Reports stored, each in its parts (ReportSnapshotCache.Part).
    static func entries(_ connection: PostgresConnection) throws -> Int {
        try connection.query("SELECT count(DISTINCT report_snapshot_report(cache_key)) AS n FROM report_snapshots").single().decode("n")
    }

    /// A pupil with no marker at all (so not disadvantaged), who sat the autumn maths mock.
    static func unmarkedStudent(_ connection: PostgresConnection) throws -> Int {
        try connection.query(
            """
            SELECT min(s.student_id) AS id FROM students s
            WHERE NOT EXISTS (SELECT FROM student_markers m WHERE m.student_id = s.student_id)
              AND EXISTS (SELECT FROM assessment_results r JOIN assessment_points p USING (assessment_point_id)
                          WHERE r.student_id = s.student_id AND p.subject = 'maths' AND p.academic_year = '2024/25')
            """
        ).single().decode("id")
    }

    static func markFSM(_ student: Int, on connection: PostgresConnection) throws {
        try connection.query(
            "INSERT INTO student_markers (student_id, marker, starts_on, source) VALUES ($1, 'fsm', '2024-09-01', 'spell')", [student])
    }

    // MARK: - Served while nothing changed

    @Test func aSecondRequestIsServedFromTheStoredDataAndRecomputeRefreshesIt() throws {
        try TestDatabase.withMigratedDatabase { connection in
            _ = try Self.loadSchool(connection)
            let computed = try Self.data(connection)
            #expect(computed.cohortSize == 60)
            #expect(try Self.entries(connection) == 1)
            #expect(try Self.data(connection) == computed, "the stored data reads back equal, Doubles bit for bit")

            #expect(try Self.tamper(connection) == 1)
            #expect(try Self.data(connection).cohortSize == Self.tamperedSize, "served from the entry, not recomputed")
            #expect(try Self.data(connection, .off).cohortSize == 60, "off neither reads the cache...")
            #expect(try Self.data(connection, .off) == computed)
            #expect(try Self.data(connection).cohortSize == Self.tamperedSize, "...nor replaces the entry")

            // --recompute: computed afresh, and the entry replaced.
            #expect(try Self.data(connection, .refresh) == computed)
            #expect(try Self.data(connection) == computed)
            #expect(try Self.entries(connection) == 1)

            // Another report (a different key) has an entry of its own.
            let shorter = try Self.data(connection, trendTerms: 1)
            #expect(try Self.entries(connection) == 2)
            #expect(try Self.data(connection, trendTerms: 1) == shorter)
        }
    }

    /// The stored entry is found before the names are checked (the checks read every enrolment):
    /// the same report asked with different spelling finds it, and a wrong name still gets the
    /// usual message.
    @Test func theEntryIsFoundBeforeTheNamesAreCheckedAndWrongNamesStillFail() throws {
        try TestDatabase.withMigratedDatabase { connection in
            _ = try Self.loadSchool(connection)
            _ = try Self.data(connection)
            try Self.tamper(connection)
            let shouted = try TermlyReportQueries.$snapshotCache.withValue(.use) {
                try TermlyReportQueries(connection: connection).data(provider: "SYNTHETIC-SCHOOL", cohort: "YEAR-11", term: "2024/25-Autumn")
            }
            #expect(shouted.cohortSize == Self.tamperedSize)
            #expect(throws: TermlyReportError.self) {
                try TermlyReportQueries.$snapshotCache.withValue(.use) {
                    try TermlyReportQueries(connection: connection).data(provider: "synthetic-school", cohort: "year-12", term: Self.term)
                }
            }
            // A term the school has no enrolments in (a malformed one is refused before any query).
            #expect(throws: TermlyReportError.self) {
                try TermlyReportQueries.$snapshotCache.withValue(.use) {
                    try TermlyReportQueries(connection: connection).data(provider: "synthetic-school", cohort: "year-11", term: "2023/24-autumn")
                }
            }
        }
    }

    @Test func storingPrunesTheChangesEveryEntryHasSeen() throws {
        try TestDatabase.withMigratedDatabase { connection in
            _ = try Self.loadSchool(connection)
            _ = try Self.data(connection)
            let horizon: Bool = try connection.query(
                "SELECT pruned_below > '0'::xid8 AS raised FROM report_snapshot_horizon").single().decode("raised")
            #expect(horizon, "the first store raises the horizon to its snapshot's xmin")
            let belowHorizon: Int = try connection.query(
                "SELECT count(*) AS n FROM data_changes WHERE xid < (SELECT pruned_below FROM report_snapshot_horizon)"
            ).single().decode("n")
            #expect(belowHorizon == 0)
            // An entry made invalid by a write is deleted by the next store (of any report).
            try Self.markFSM(try Self.unmarkedStudent(connection), on: connection)
            _ = try Self.data(connection, trendTerms: 1)
            let keys = try connection.query("SELECT cache_key FROM report_snapshots").rows.map { try $0.decode("cache_key", as: String.self) }
            #expect(keys.count == ReportSnapshotCache.Part.allCases.count - 1 && keys.allSatisfy { $0.contains("trend 1;") }, "\(keys)")
        }
    }

    // MARK: - Recomputed after a write to each table a report reads

    enum SourceWrite: String, CaseIterable, Sendable {
        case students, enrolments, markers, assessmentResults, attendanceImport, supportRecords, importsLedger
    }

    @Test(arguments: SourceWrite.allCases)
    func aWriteToASourceTableIsSeenByTheNextReport(_ write: SourceWrite) throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (_, providerID) = try Self.loadSchool(connection)
            let student = try Self.unmarkedStudent(connection)
            if write == .attendanceImport {
                // At a school the attendance file names pupils by UPN.
                try connection.query("UPDATE students SET upn = $1 WHERE student_id = $2", [Self.upn(serial: 1), student])
                // Marks need the pupil on roll that year (docs/methodology.md §3.3): admitted on the marked day.
                try connection.query(
                    "INSERT INTO enrolments (student_id, academic_year, year_group, start_date) VALUES ($1, '2023/24', '10', '2024-05-13')", [student])
            }
            let before = try Self.data(connection)
            try Self.tamper(connection)

            switch write {
            case .students:
                try connection.query("UPDATE students SET date_of_birth = date_of_birth - 400 WHERE student_id = $1", [student])
            case .enrolments:
                try connection.query("UPDATE enrolments SET year_group = '10' WHERE student_id = $1", [student])
            case .markers:
                try Self.markFSM(student, on: connection)
            case .assessmentResults:
                try connection.query(
                    """
                    UPDATE assessment_results r SET score = CASE WHEN r.score >= 100 THEN r.score - 30 ELSE r.score + 30 END
                    FROM assessment_points p
                    WHERE p.assessment_point_id = r.assessment_point_id AND p.subject = 'maths' AND p.academic_year = '2024/25'
                      AND r.student_id = $1
                    """, [student])
            case .attendanceImport:
                // A term with no marks yet: the import COPYs into a new table and attaches it as a
                // partition, which no trigger on attendance_marks sees; the importer records the
                // change under the provider and the attendance family itself.
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cache-" + UUID().uuidString)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(at: folder) }
                let file = folder.appendingPathComponent("attendance.csv")
                try Data("student,date,session,code\n\(Self.upn(serial: 1)),2024-05-13,AM,/\n\(Self.upn(serial: 1)),2024-05-13,PM,N\n".utf8)
                    .write(to: file)
                _ = try Importer(connection: connection).importFile(kind: .attendance, url: file, provider: ProviderCode(parsing: "synthetic-school"))
                let partition: Bool = try connection.query(
                    "SELECT to_regclass('attendance_marks_2023_24_summer') IS NOT NULL AS present").single().decode("present")
                #expect(partition, "the bulk-load path was taken")
            case .supportRecords:
                try connection.query(
                    """
                    INSERT INTO support_records (student_id, provider_id, type, starts_on, ends_on, sessions, hours, amount, status)
                    VALUES ($1, $2, 'tutoring', '2024-10-01', '2024-10-31', 4, 4, 400.00, 'ended')
                    """, [student, providerID])
            case .importsLedger:
                try connection.query(
                    """
                    INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, skip_invalid, os_user, started_at, finished_at)
                    VALUES ($1, 'support', 'support.csv', repeat('cd', 32), 10, false, 'test', '2025-02-01 09:00+00', '2025-02-01 09:01+00')
                    """, [providerID])
            }

            let after = try Self.data(connection)
            var fresh = try Self.data(connection, .off)
            if write == .attendanceImport {
                // The one write here made under the provider (the importer binds it): its family is
                // attendance, so the report's attainment part, tampered, is still served, and its
                // attendance part is computed again (docs/scaling.md, "The report cache invalidated
                // per provider and table family"). Every other write here binds no provider.
                #expect(after.cohortSize == Self.tamperedSize, "the attainment part was served after an attendance import")
                fresh.cohortSize = Self.tamperedSize
            } else {
                #expect(after.cohortSize != Self.tamperedSize, "the entry was not served after a write to \(write)")
            }
            #expect(after == fresh, "what is served after the write is what a fresh computation gives")
            let maths = { (data: TermlyReportData) in data.subjects.first { $0.subject == "maths" } }
            switch write {
            case .students:
                #expect(maths(after)?.ageGradient != maths(before)?.ageGradient)
            case .enrolments:
                #expect(after.cohortSize == before.cohortSize - 1)
            case .markers:
                #expect(after.groupCounts[.disadvantaged] == (before.groupCounts[.disadvantaged] ?? 0) + 1)
            case .assessmentResults:
                #expect(maths(after)?.others?.mean != maths(before)?.others?.mean)
            case .attendanceImport:
                let summer = { (data: TermlyReportData) in data.trend.first { $0.term.description == "2023/24-summer" } }
                #expect(summer(before)?.othersAttendance == nil)
                #expect(summer(after)?.othersAttendance?.possible == 2, "the pupil's two marked sessions")
            case .supportRecords:
                #expect(after.supportTotal.spend.pence == before.supportTotal.spend.pence + 40_000)
            case .importsLedger:
                #expect(after.imports.count == before.imports.count + 1)
            }
        }
    }

    /// A valid UPN of the (made-up) establishment 801/2000.
    static func upn(serial: Int) -> String {
        let body = "801" + "2000" + "24" + String(format: "%03d", serial)
        return String(UPN.checkLetter(forCharacters2to13: Array(body))!) + body
    }

    /// Every table gets the trigger, so a migration that adds a table and forgets
    /// gaptrack_track_data_changes fails here rather than leaving reports stale.
    @Test func everyTableRecordsItsChanges() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let untracked = try connection.query(
                """
                SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                  AND c.relname NOT IN ('data_changes', 'provider_data_changes', 'report_snapshot_horizon', 'report_snapshots', 'schema_migrations',
                                        'audit_log', 'import_audit_scopes', 'api_tokens',
                                        -- The web pages' people and sessions: no report reads them, and a sign-in must
                                        -- not make every cached report stale.
                                        'web_accounts', 'web_sessions', 'web_sign_in_attempts',
                                        -- Files uploaded in the web pages, not yet imported: no report reads them.
                                        'web_uploads')
                  AND NOT EXISTS (SELECT FROM pg_trigger t
                                  WHERE t.tgrelid = c.oid AND t.tgname = 'gaptrack_data_changes' AND t.tgenabled = 'A')
                ORDER BY 1
                """
            ).rows.map { try $0.decode("relname", as: String.self) }
            #expect(untracked == [], "tables without the data_changes trigger: \(untracked)")
        }
    }

    // MARK: - Versions and formats

    @Test func aNewMigrationOrAnotherFormatInvalidates() throws {
        try TestDatabase.withMigratedDatabase { connection in
            _ = try Self.loadSchool(connection)
            _ = try Self.data(connection)
            try Self.tamper(connection)
            try connection.query("INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'later', repeat('0', 64))")
            #expect(try Self.data(connection).cohortSize == 60, "a migration applied since invalidates")

            try Self.tamper(connection)
            #expect(try Self.data(connection).cohortSize == Self.tamperedSize)
            try connection.query(
                "UPDATE report_snapshots SET schema_version = replace(schema_version, $1, 'format 0;')", ["format \(ReportSnapshotCache.formatVersion);"])
            #expect(try Self.data(connection).cohortSize == 60, "an entry of another format or build is not served")
        }
    }

    @Test func anEntryThisBuildCannotReadIsRecomputed() throws {
        try TestDatabase.withMigratedDatabase { connection in
            _ = try Self.loadSchool(connection)
            let computed = try Self.data(connection)
            try connection.query("UPDATE report_snapshots SET data = '{\"layout\": \"from a later gaptrack\"}'")
            #expect(try Self.data(connection) == computed)
            let stored: String = try connection.query("SELECT data FROM report_snapshots WHERE cache_key LIKE '%; part attainment;%'").single().decode("data")
            let attainment = try ReportSnapshotCache.decode(ReportDataParts.AttainmentPart.self, from: stored)
            #expect(attainment.cohortSize == computed.cohortSize && attainment.groupCounts == computed.groupCounts, "the unreadable entry was replaced")
            let unreadable: Int = try connection.query("SELECT count(*)::int AS n FROM report_snapshots WHERE data LIKE '%from a later gaptrack%'").single().decode("n")
            #expect(unreadable == 0)
        }
    }

    @Test func storedDataReadsBackBitForBit() throws {
        let awkward: [Double] = [0.1, 1.0 / 3.0, -0.0, .leastNonzeroMagnitude, 2.2250738585072014e-308, 1.7976931348623157e308, 123456.789e-17, .pi]
        let subjects = awkward.map { value in
            SubjectAggregates(
                subject: "maths", assessment: "mock", scale: "standardised_score",
                disadvantaged: ScoreAggregates(count: 1, mean: value, variance: value.nextUp, meanPercentileRank: -value, placementVariance: nil),
                others: nil, ageGradient: AgeGradientAggregates(count: 2, slope: value, intercept: value.nextDown, sumSquaresAge: 1, residualSumSquares: 0))
        }
        let data = TermlyReportData(
            provider: ReportProvider(code: "x", name: "X", kind: .school), cohort: ReportCohort(code: "year-11", label: "Year 11"),
            term: try AcademicTerm(parsing: "2024/25-autumn"),
            imports: [ImportRecord(kind: "students", file: "a.csv", checksum: "ab", importedAt: Date(timeIntervalSince1970: 1_736_499_600.123456), rows: 3)],
            cohortSize: 2, groupCounts: [.cohort: 2, .imdQuintile(1): 1], subjects: subjects, attendance: [],
            supportByType: [], supportTotal: SupportAggregates(type: nil, label: "All support", students: 0, disadvantagedStudents: 0, sessions: 0, hours: 0.1, spend: .zero),
            funding: [], trend: [], comparison: .imdQuintile1)
        let read = try ReportSnapshotCache.decode(TermlyReportData.self, from: try ReportSnapshotCache.encode(data))
        #expect(read == data)
        let bits = { (data: TermlyReportData) in
            data.subjects.flatMap { s in
                [s.disadvantaged!.mean, s.disadvantaged!.variance, s.disadvantaged!.meanPercentileRank, s.ageGradient!.slope, s.ageGradient!.intercept]
                    .map(\.bitPattern)
            }
        }
        #expect(bits(read) == bits(data), "-0.0 and subnormals too")
        #expect(read.imports[0].importedAt == data.imports[0].importedAt)
    }

    // MARK: - Row-level security

    /// The service computes reports as a role that sees one provider's rows: it must neither be
    /// served the CLI's entry nor store one, and its own writes must still invalidate.
    @Test func theServiceRolesNeitherReadNorWriteTheCacheButRecordTheirChanges() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (_, providerID) = try Self.loadSchool(connection)
            let student = try Self.unmarkedStudent(connection)
            _ = try Self.data(connection)
            try Self.tamper(connection)
            let storedAt: String = try connection.query("SELECT string_agg(created_at::text, ',' ORDER BY cache_key) AS at FROM report_snapshots").single().decode("at")

            for role in ["gaptrack_service", "gaptrack_governor"] {
                for table in ["report_snapshots", "data_changes", "report_snapshot_horizon"] {
                    let any: Bool = try connection.query(
                        "SELECT has_table_privilege($1, $2, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE') AS any", [role, table]
                    ).single().decode("any")
                    #expect(!any, "\(role) has a privilege on \(table)")
                }
            }

            try connection.query("SELECT set_config('gaptrack.provider_id', $1, false), set_config('gaptrack.role', 'admin', false)", [String(providerID)])
            for mode in [ReportSnapshotCache.Mode.use, .refresh] {
                try connection.execute("SET ROLE gaptrack_service")
                let asService = try Self.data(connection, mode)
                try connection.execute("RESET ROLE")
                #expect(asService.cohortSize == 60, "the service is not served the entry (\(mode))")
            }
            let after: String = try connection.query("SELECT string_agg(created_at::text, ',' ORDER BY cache_key) AS at FROM report_snapshots").single().decode("at")
            #expect(after == storedAt, "the service did not store")

            try connection.execute("SET ROLE gaptrack_service")
            let xid: String = try connection.transaction { connection in
                try connection.query(
                    """
                    INSERT INTO support_records (student_id, provider_id, type, starts_on, ends_on, sessions, hours, amount, status)
                    VALUES ($1, $2, 'mentoring', '2024-10-01', '2024-10-31', 2, 2, 100.00, 'ended')
                    """, [student, providerID])
                return try connection.query("SELECT pg_current_xact_id()::text AS xid").single().decode("xid")
            }
            try connection.execute("RESET ROLE")
            let recorded: Bool = try connection.query("SELECT EXISTS (SELECT FROM data_changes WHERE xid = $1::xid8) AS recorded", [xid])
                .single().decode("recorded")
            #expect(recorded, "the service role's write is recorded")
            #expect(try Self.data(connection).cohortSize == 60, "and invalidates the CLI's entry")
        }
    }
}
