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
        // 003_least_privilege.sql and its functions (docs/security.md).
        ("function gaptrack_authenticate(", "granted to the service login gaptrack_app"),
        ("grant function gaptrack_authenticate(", "the service login looks tokens up itself"),
        ("function gaptrack_refuse_audit_change(", "lets a redaction through, and only that"),
        ("function imports_are_append_only(", "refuses TRUNCATE as well as DELETE"),
        ("function gaptrack_audit_table(", "leaves triggers already attached as they are"),
        ("function gaptrack_protect_provider_table(", "grants the service read only on the import ledger"),
        ("function gaptrack_audit_redacted(", "new: the redaction mark"),
        ("function audit_log_record_redaction(", "new: records every redaction"),
        ("function audit_log_redact(", "new: the one door by which an audit entry changes"),
        ("function gaptrack_random_id(", "new: random record ids"),
        ("function support_records_new_id(", "new: random support record ids"),
        ("grant function support_records_new_id(", "the service's inserts call it"),
        ("function gaptrack_ledger_functions(", "new: the schema guard"),
        ("function gaptrack_is_ledger_object(", "new: the schema guard"),
        ("function gaptrack_guard_ledgers(", "new: the schema guard"),
        ("function gaptrack_guard_ledger_drops(", "new: the schema guard"),
        ("grant relation imports to gaptrack_service ", "the service reads the import ledger only"),
        ("grant relation support_records_support_id_seq ", "support ids are random, not from a sequence"),
        ("relation support_records_support_id_seq ", "support ids are random, not from a sequence"),
        ("column support_records #1 support_id ", "support ids are random, not from a sequence"),
        ("index CREATE UNIQUE INDEX support_records_natural_key ", "restricted records are a key space of their own"),
        ("index CREATE UNIQUE INDEX support_records_reference_key ", "restricted records are a key space of their own"),
        ("grant function gaptrack_audit_redacted(", "new, harmless to call"),
        ("grant function audit_log_record_redaction(", "a trigger function"),
        ("grant function gaptrack_is_ledger_object(", "new, harmless to call"),
        ("grant function gaptrack_ledger_functions(", "new, harmless to call"),
        ("grant function gaptrack_random_id(", "new, harmless to call"),
        ("data data_changes rows=", "service_authenticate.sql now comes after 003, so its ledger row marks cached reports stale"),
        ("trigger audit_log ", "guards enabled ALWAYS, and the redaction record"),
        ("trigger imports ", "guards enabled ALWAYS, and TRUNCATE refused"),
        ("grant schema public to PUBLIC CREATE", "nobody but the owner creates objects"),
        // 004_report_audience.sql and its functions (docs/methodology.md §7.6).
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
        expectedDifferences.contains { line.hasPrefix($0.line) } || isLater(line) || line.contains(reportRole)
    }

    /// What numbered files after the baseline add or replace, each with the file that does it.
    static let laterChanges: [(line: String, reason: String)] = [
        ("function gaptrack_redact_student_audit(", "005: redaction after an erasure"),
        ("function legal_hold_", "005: legal holds"), ("function research_", "005: research export rows"),
        ("function retention_", "005: retention"), ("function student_eras", "005: erasure"),
        ("function student_subject_access", "005: subject access, from the CLI and the service"),
        ("grant function student_subject_access_for_service(", "005: the service's subject-access export"),
        ("function report_drill_down_", "report_drill_down.sql: the pupils behind a report's figures, staff only (docs/methodology.md §7.7)"),
        ("grant function report_drill_down_", "goes with the functions"),
        ("type import_kind ", "007_pupil_identity.sql: the ctf import kind"),
        ("column students #15 upn_is_temporary ", "007_pupil_identity.sql: temporary UPNs stored as such"),
        ("column students #16 former_upns ", "007_pupil_identity.sql: former UPNs link one pupil's records"),
        ("constraint students students_upn_not_former ", "007_pupil_identity.sql"),
        ("index CREATE INDEX students_former_upns_idx ", "007_pupil_identity.sql"),
        ("column import_changes ", "008_import_undo.sql: the journal gaptrack import undo reverses"),
        ("constraint import_changes ", "008_import_undo.sql"), ("index CREATE INDEX import_changes_", "008_import_undo.sql"),
        ("index CREATE UNIQUE INDEX import_changes_pkey ", "008_import_undo.sql"), ("relation import_changes", "008_import_undo.sql"),
        ("policy import_changes ", "008_import_undo.sql"), ("trigger import_changes ", "008_import_undo.sql"),
        ("data import_changes ", "008_import_undo.sql"),
        ("column imports #17 undoes_import_id ", "008_import_undo.sql: an undo is a ledger row of its own"),
        ("constraint imports imports_provider_import_key ", "008_import_undo.sql"), ("constraint imports imports_undo", "008_import_undo.sql"),
        ("index CREATE UNIQUE INDEX imports_provider_import_key ", "008_import_undo.sql"),
        ("index CREATE UNIQUE INDEX imports_undone_once ", "008_import_undo.sql"),
        ("function gaptrack_import_undo(", "import_undo.sql"), ("grant function gaptrack_import_undo(", "import_undo.sql"),
        ("function gaptrack_import_changes_", "import_undo.sql"), ("grant function gaptrack_import_changes_", "import_undo.sql"),
        ("function gaptrack_journal_import_changes(", "import_undo.sql"), ("grant function gaptrack_journal_import_changes(", "import_undo.sql"),
        ("function gaptrack_primary_key_literals(", "import_undo.sql"), ("grant function gaptrack_primary_key_literals(", "import_undo.sql"),
        ("function gaptrack_record_import_changes(", "import_undo.sql"), ("grant function gaptrack_record_import_changes(", "import_undo.sql"),
        ("function gaptrack_undo_", "import_undo.sql"), ("grant function gaptrack_undo_", "import_undo.sql"),
        ("function gaptrack_journal_key(", "import_undo.sql"), ("grant function gaptrack_journal_key(", "import_undo.sql"),
    ]

    static func isLater(_ line: String) -> Bool {
        // 008_import_undo.sql: the import journal's triggers, on every table imports write.
        laterChanges.contains { line.hasPrefix($0.line) } || line.contains(" CREATE TRIGGER gaptrack_import_changes_")
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
            #expect(new.filter { !Self.isExpected($0) }.count == old.filter { !Self.isExpected($0) }.count)
            #expect(new.contains { $0.hasPrefix("function report_drill_down_load(") })
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
