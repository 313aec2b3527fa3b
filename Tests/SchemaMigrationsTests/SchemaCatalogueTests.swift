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
    ]

    static func isExpected(_ line: String) -> Bool {
        expectedDifferences.contains { line.hasPrefix($0.line) } || isLater(line)
    }

    /// What numbered files after the baseline add or replace, each with the file that does it.
    static let laterChanges: [(line: String, reason: String)] = [
        ("trigger audit_log CREATE TRIGGER audit_log_no_", "005_data_protection.sql splits the guard: DELETE always refused, UPDATE unless a redaction"),
        ("function gaptrack_audit_redaction_allowed(", "005: the audit log's update guard"),
        ("function gaptrack_redact_student_audit(", "005: redaction after an erasure"),
        ("function legal_hold_", "005: legal holds"), ("function research_", "005: research export rows"),
        ("function retention_", "005: retention"), ("function student_eras", "005: erasure"),
        ("function student_subject_access", "005: subject access, from the CLI and the service"),
        ("grant function student_subject_access_for_service(", "005: the service's subject-access export"),
    ]

    static func isLater(_ line: String) -> Bool {
        laterChanges.contains { line.hasPrefix($0.line) }
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
            #expect(new.filter { !Self.isLater($0) }.count == old.filter { !Self.isLater($0) }.count - 4)
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
