import Foundation
import GapTrackDomain
@testable import GapTrackReports
import Postgres
import TestDatabase
import TestSupport
import Testing

/// The report data cache (sql/functions/report_snapshots.sql) with several connections at once: what an open writer, a
/// second writer and a pruner do to the entries, and that writers never wait for each other.
/// Fixtures and the tampering that shows an answer came from the cache: ReportSnapshotCacheTests.
@Suite struct ReportSnapshotCacheConcurrencyTests {
    typealias Cache = ReportSnapshotCacheTests

    /// A write not yet committed neither invalidates the entry (the reader cannot see it) nor,
    /// once committed, leaves behind an entry computed without it.
    @Test func anUncommittedWriteInvalidatesOnlyOnceItCommits() throws {
        try TestDatabase.withMigratedDatabase { connection in
            _ = try Cache.loadSchool(connection)
            let student = try Cache.unmarkedStudent(connection)
            let first = try Cache.data(connection)
            try Cache.tamper(connection)

            let writer = try PostgresConnection(conninfo: TestDatabase.conninfo(database: connection.databaseName))
            try writer.execute("BEGIN")
            try Cache.markFSM(student, on: writer)
            #expect(try Cache.data(connection).cohortSize == Cache.tamperedSize, "an uncommitted write does not invalidate")

            // Recomputed and stored while the write is in flight: the entry's snapshot does not see it.
            let during = try Cache.data(connection, .refresh)
            #expect(during == first)
            try Cache.tamper(connection)
            #expect(try Cache.data(connection).cohortSize == Cache.tamperedSize)

            try writer.execute("COMMIT")
            let after = try Cache.data(connection)
            #expect(after.cohortSize == 60)
            #expect(after.groupCounts[.disadvantaged] == (first.groupCounts[.disadvantaged] ?? 0) + 1)
        }
    }

    /// Each writing transaction records itself under its own key: two open writers never wait for
    /// each other (a shared counter row would make the second wait for the first to commit; here
    /// a wait fails at once by lock_timeout).
    @Test func concurrentWritersDoNotWaitForEachOther() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (_, providerID) = try Cache.loadSchool(connection)
            let student = try Cache.unmarkedStudent(connection)
            let first = try PostgresConnection(conninfo: TestDatabase.conninfo(database: connection.databaseName))
            let second = try PostgresConnection(conninfo: TestDatabase.conninfo(database: connection.databaseName))
            try first.execute("BEGIN")
            try Cache.markFSM(student, on: first)
            try second.execute("SET lock_timeout = '1s'; BEGIN")
            try second.query(
                """
                INSERT INTO support_records (student_id, provider_id, type, starts_on, status)
                VALUES ($1, $2, 'mentoring', '2024-10-01', 'active')
                """, [student, providerID])
            let xids = try [first, second].map { try $0.query("SELECT pg_current_xact_id()::text AS xid").single().decode("xid", as: String.self) }
            try second.execute("COMMIT")
            try first.execute("COMMIT")
            let recorded: Int = try connection.query(
                "SELECT count(*) AS n FROM data_changes WHERE xid = ANY ($1::xid8[])", ["{" + xids.joined(separator: ",") + "}"]
            ).single().decode("n")
            #expect(recorded == 2, "both writers recorded, each under its own id")
        }
    }

    /// An entry stored by a transaction whose snapshot is older than a pruning (here: it began
    /// before a write that a pruner then counted as seen by everyone and deleted) must not be
    /// served: the change it misses is no longer in data_changes. The pruning is done by hand,
    /// as report_snapshot_prune does it when no older transaction runs in the cluster (which the
    /// other tests' databases, sharing the cluster, cannot promise).
    @Test func anEntryOlderThanThePruningHorizonIsNotServed() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let (_, providerID) = try Cache.loadSchool(connection)
            let student = try Cache.unmarkedStudent(connection)
            let stale = try Cache.data(connection, .off)

            let old = try PostgresConnection(conninfo: TestDatabase.conninfo(database: connection.databaseName))
            try old.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            try old.query("SELECT 1")  // takes its snapshot

            let changed: String = try connection.transaction { connection in
                try Cache.markFSM(student, on: connection)
                return try connection.query("SELECT pg_current_xact_id()::text AS xid").single().decode("xid")
            }
            try connection.query(
                "UPDATE report_snapshot_horizon SET pruned_below = ($1::text::bigint + 1)::text::xid8", [changed])
            try connection.query("DELETE FROM data_changes WHERE xid <= $1::xid8", [changed])

            let key = ReportSnapshotCache.Key(
                providerID: providerID, cohort: "year-11", term: Cache.term, comparison: nil, trendTerms: 5,
                withImpactCandidates: false, audience: .staff)
            try old.query(
                "SELECT report_snapshot_store($1, $2, $3, $4)",
                [key.text(.attainment), ReportSnapshotCache.applicationVersion, try ReportSnapshotCache.encode(ReportDataParts.AttainmentPart(stale)), "staff"])
            try old.execute("COMMIT")
            #expect(try Cache.entries(connection) == 1)

            let served = try Cache.data(connection)
            #expect(served.groupCounts[.disadvantaged] == (stale.groupCounts[.disadvantaged] ?? 0) + 1, "not the stale entry")
        }
    }
}

extension ReportDataParts.AttainmentPart {
    /// The attainment part a report's data was made from, to store by hand.
    init(_ data: TermlyReportData) {
        self.init(
            provider: data.provider, cohort: data.cohort, comparison: data.comparison, cohortSize: data.cohortSize, groupCounts: data.groupCounts,
            terms: data.trend.map { .init(term: $0.term, subjects: $0.subjects) }, yearGroups: data.yearGroups, keyStage4: data.keyStage4)
    }
}
