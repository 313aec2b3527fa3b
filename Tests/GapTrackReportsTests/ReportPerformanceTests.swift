import Foundation
import GapStatistics
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import Testing

/// The report SQL on a national-sized cohort: 600,000 students, three assessment points (1.8
/// million results), checked against GapStatistics on the same scores. Opt-in, because loading
/// takes about a minute. How fast the report is belongs to the benchmark (benchmarks/run.sh,
/// BENCHMARKS.md), never to a timed test.
@Suite struct ReportPerformanceTests {
    static let environment = ProcessInfo.processInfo.environment

    @Test(.enabled(if: environment["GAPTRACK_PERF"] != nil, "set GAPTRACK_PERF=1 to check the report on 600,000 students (about a minute)"))
    func theReportIsRightAtSixHundredThousandStudents() throws {
        let school = SyntheticSchool.generate(count: 600_000, seed: 600, schoolDays: 0, supportShare: 0)
        try TestDatabase.withMigratedDatabase { connection in
            let providerID = try school.load(into: connection, fastLoad: true)
            try connection.execute("ANALYZE")
            if let keep = Self.environment["GAPTRACK_PERF_KEEP"] {
                try Self.keepCopy(of: connection, as: keep)
                return
            }
            let subjects = try connection.transaction { connection in
                try connection.query("SELECT report_load_cohort($1, '2024/25', 'autumn', 'year-11')", [providerID])
                return try TermlyReportQueries(connection: connection).attainment(providerID: providerID, resultsTerm: SyntheticSchool.term)
            }
            #expect(subjects.count == 2)
            let report = try TermlyReportQueries(connection: connection).report(provider: "synthetic-school", cohort: "year-11", term: "2024/25-autumn")

            // Still right at this size: against GapStatistics on the same scores.
            let d = school.students.filter(\.isDisadvantaged).map { $0.scores["maths"]! }
            let o = school.students.filter { !$0.isDisadvantaged }.map { $0.scores["maths"]! }
            let index = try GapIndex(disadvantaged: d, others: o)
            expectClose(report.attainment(subject: "maths")?.gapIndex.value?.value, index.value, tolerance: 1e-9, "index")
            expectClose(report.attainment(subject: "maths")?.gapIndex.value?.lower, index.confidenceInterval?.lower, tolerance: 1e-9, "lower")
        }
    }

    /// Loads a 1,000-pupil synthetic school (with attendance and support) and keeps it as the
    /// database named by GAPTRACK_KEEP_SCHOOL, for trying the CLI by hand.
    @Test(.enabled(if: environment["GAPTRACK_KEEP_SCHOOL"] != nil, "set GAPTRACK_KEEP_SCHOOL=DATABASE to keep a synthetic school for trying the CLI"))
    func keepASyntheticSchool() throws {
        let school = SyntheticSchool.generate(count: 1_000, seed: 2024, schoolDays: 40)
        try TestDatabase.withMigratedDatabase { connection in
            try school.load(into: connection)
            try Self.keepCopy(of: connection, as: try #require(Self.environment["GAPTRACK_KEEP_SCHOOL"]))
        }
    }

    /// Copies the test database to `name` (replacing it), so that it outlives the test.
    static func keepCopy(of connection: PostgresConnection, as name: String) throws {
        let admin = try TestDatabase.adminConnection()
        try admin.execute("DROP DATABASE IF EXISTS \(quoteIdentifier(name)) WITH (FORCE)")
        try connection.execute("CHECKPOINT")
        let source = connection.databaseName
        try admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [source])
        try admin.execute("CREATE DATABASE \(quoteIdentifier(name)) TEMPLATE \(quoteIdentifier(source))")
        print("kept a copy as database \(name): \(TestDatabase.conninfo(database: name))")
    }
}
