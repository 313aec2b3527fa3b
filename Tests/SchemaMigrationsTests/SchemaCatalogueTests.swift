import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The baseline and definitions in sql/ build the same schema as the numbered chain 001–090 they
/// replaced. `Fixtures/old-chain-catalogue.txt` is `SchemaCatalogue.lines` of a database migrated
/// by that chain (sql/ of commit e0a29a4, applied with that commit's `gaptrack migrate`).
@Suite("Schema catalogue")
struct SchemaCatalogueTests {
    /// Differences made on purpose, each with its reason.
    static let expectedDifferences: [(line: String, reason: String)] = [
        ("function report_cohort_facts(", "dead: only the first report_load_cohort called it; the final one reads student_disadvantage directly"),
        ("grant function report_cohort_facts(", "goes with the function"),
        ("function report_cohort_facts_on(", "dead: its whole file (063) was superseded by the final report_load_cohort"),
        ("grant function report_cohort_facts_on(", "goes with the function"),
        ("function report_snapshot_schema_version(", "the report cache's schema version now covers the definition files' checksums too"),
        ("function impact_school_students(", "takes its roles from impact_school_roles instead of repeating that function's four sets"),
        ("function report_snapshot_store(", "stores the audience a report was made for (sql/004_report_audience.sql)"),
        ("grant function report_snapshot_store(", "goes with the function"),
        ("column report_snapshots #6 audience ", "the audience of a stored report (sql/004_report_audience.sql)"),
        ("constraint report_snapshots report_snapshots_audience_check ", "goes with the column"),
        ("function report_support_type_fund(", "spend by type and fund, for the disclosure audit (docs/disclosure-control.md §7.2)"),
        ("grant function report_support_type_fund(", "goes with the function"),
        ("role gaptrack_service ", "a member of gaptrack_report, the role reports read through (sql/004_report_audience.sql)"),
        ("role gaptrack_governor ", "a member of gaptrack_report"),
    ]

    /// The report role of sql/004_report_audience.sql, its grants and its policies: new on purpose.
    static let reportRole = "gaptrack_report"

    static func isExpected(_ line: String) -> Bool {
        expectedDifferences.contains { line.hasPrefix($0.line) } || line.contains(reportRole)
    }

    @Test func theBaselineBuildsTheSchemaTheOldChainBuilt() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/old-chain-catalogue.txt")
        let old = try String(contentsOf: fixture, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(old.count > 700)
        try TestDatabase.withMigratedDatabase { connection in
            let new = try SchemaCatalogue.lines(on: connection)
            let onlyOld = Set(old).subtracting(new).sorted().filter { !Self.isExpected($0) }
            let onlyNew = Set(new).subtracting(old).sorted().filter { !Self.isExpected($0) }
            #expect(onlyOld == [], "in the old chain's schema only")
            #expect(onlyNew == [], "in the baseline's schema only")
            // Each expected difference is real: the dead functions are gone, the changed one is there.
            #expect(old.contains { $0.hasPrefix("function report_cohort_facts_on(") })
            #expect(!new.contains { $0.hasPrefix("function report_cohort_facts") })
            for changed in ["function report_snapshot_schema_version(", "function impact_school_students("] {
                #expect(new.contains { $0.hasPrefix(changed) } && old.contains { $0.hasPrefix(changed) })
            }
            // Beyond the differences listed, each side's lines are one for one.
            #expect(new.filter { !Self.isExpected($0) }.count == old.filter { !Self.isExpected($0) }.count)
        }
    }

    @Test func theCatalogueSeesAChange() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let before = try SchemaCatalogue.lines(on: connection)
            try connection.execute("ALTER TABLE students ALTER COLUMN forename DROP NOT NULL")
            let after = try SchemaCatalogue.lines(on: connection)
            #expect(Set(after).subtracting(before).map { $0.hasPrefix("column students #") && $0.contains(" forename text notnull=f") } == [true])
        }
    }
}
