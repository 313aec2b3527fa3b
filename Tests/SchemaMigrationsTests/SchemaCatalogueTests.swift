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
        // 009_calendar_catalogue.sql: the school calendar (docs/methodology.md §3.3).
        ("type school_calendar_kind ", "009: the kinds of calendar period"),
        ("column school_calendar #", "009: a provider's terms, holidays, closures and INSET days"),
        ("constraint school_calendar ", "009"), ("index CREATE UNIQUE INDEX school_calendar_pkey ", "009"),
        ("relation school_calendar ", "009"), ("grant relation school_calendar ", "009"),
        ("policy school_calendar ", "009: provider isolation"), ("trigger school_calendar ", "009: audit and report freshness"),
        ("data school_calendar ", "009"),
        ("column bank_holidays #", "009: English bank holidays, shared reference data"),
        ("constraint bank_holidays ", "009"), ("index CREATE UNIQUE INDEX bank_holidays_pkey ", "009"),
        ("relation bank_holidays ", "009"), ("trigger bank_holidays ", "009: reports read it"), ("grant relation bank_holidays ", "009"), ("data bank_holidays ", "009: gov.uk's list, 2023 to 2026; 028: 2027 by the statutory rule"),
        ("function school_calendar_days(", "school_calendar.sql: which days a school is open"), ("grant function school_calendar_days(", "goes with the function"),
        ("function school_days(", "school_calendar.sql"), ("grant function school_days(", "goes with the function"),
        ("function report_attendance(", "report_attendance.sql: possible sessions from the calendar and on-roll dates (009)"),
        // 009_calendar_catalogue.sql: a provider's own catalogue (docs/import-formats.md).
        ("column provider_support_types #", "009: a provider's own support types"), ("constraint provider_support_types ", "009"),
        ("index CREATE UNIQUE INDEX provider_support_types_pkey ", "009"), ("relation provider_support_types ", "009"),
        ("grant relation provider_support_types ", "009"), ("policy provider_support_types ", "009: provider isolation"),
        ("trigger provider_support_types ", "009: audit and report freshness"), ("data provider_support_types ", "009"),
        ("column provider_funding_sources #", "009: a provider's own funding sources"), ("constraint provider_funding_sources ", "009"),
        ("index CREATE UNIQUE INDEX provider_funding_sources_pkey ", "009"), ("relation provider_funding_sources ", "009"),
        ("grant relation provider_funding_sources ", "009"), ("policy provider_funding_sources ", "009: provider isolation"),
        ("trigger provider_funding_sources ", "009: audit and report freshness"), ("data provider_funding_sources ", "009"),
        ("constraint support_records support_records_type_fkey ", "009: a type may be the provider's own; checked by a trigger"),
        ("constraint support_records support_records_funding_source_fkey ", "009: likewise the funding source"),
        ("trigger support_records CREATE TRIGGER support_records_catalogue_codes ", "009: the check that replaces the two foreign keys"),
        ("function support_catalogue(", "support_catalogue.sql: the one catalogue lookup"), ("grant function support_catalogue(", "goes with the function"),
        ("function support_records_check_catalogue(", "support_catalogue.sql"), ("grant function support_records_check_catalogue(", "goes with the function"),
        ("function report_support_records(", "report_support.sql: a provider's own types count too"),
        ("function report_support(", "report_support.sql: labels of a provider's own types"),
        ("function report_support_funding(", "report_support.sql: labels of a provider's own funds"),
        ("function report_drill_down_support(", "report_drill_down.sql: a provider's own types and funds"),
        // 014_web_accounts.sql and functions/web_accounts.sql: people who sign in to the web pages (docs/security.md §6).
        ("relation web_", "014_web_accounts.sql"), ("column web_", "014_web_accounts.sql"),
        ("constraint web_", "014_web_accounts.sql"), ("index CREATE INDEX web_", "014_web_accounts.sql"),
        ("index CREATE UNIQUE INDEX web_", "014_web_accounts.sql"), ("policy web_", "014_web_accounts.sql"),
        ("trigger web_", "014_web_accounts.sql"), ("grant relation web_", "014_web_accounts.sql"), ("data web_", "014_web_accounts.sql"),
        ("grant column web_", "014_web_accounts.sql: the service roles read the columns without secrets"),
        ("function web_", "web_accounts.sql: sign-in and sessions"), ("grant function web_", "to the service's login"),
        ("function gaptrack_audit_changes(", "audit_log.sql: leaves password hashes out of the audit log, as token hashes"),
        // 021_shard_ready.sql and report_snapshots.sql: the report cache invalidated per provider (docs/scaling.md).
        ("relation provider_data_changes ", "021: the report cache's change log by provider"), ("column provider_data_changes ", "021"),
        ("constraint provider_data_changes ", "021"), ("index CREATE UNIQUE INDEX provider_data_changes_pkey ", "021"),
        ("data provider_data_changes", "021: empty"),
        ("function gaptrack_record_data_change(", "report_snapshots.sql: a write under a provider is recorded for that provider"),
        ("function report_snapshot_lookup(", "report_snapshots.sql: only the entry's provider's changes and everyone's invalidate it"),
        ("function report_snapshot_prune(", "report_snapshots.sql: prunes the per-provider log too"),
        ("function report_snapshot_provider(", "report_snapshots.sql: the provider a cache key names"),
        ("grant function report_snapshot_provider(", "goes with the function"),
        ("function report_snapshot_changed_since(", "report_snapshots.sql: the invalidation rule in one place"),
        ("grant function report_snapshot_changed_since(", "goes with the function"),
        // 015_provider_groups.sql: trusts and local authorities, and group-scoped tokens.
        ("type provider_group_kind ", "015: trust or local authority"),
        ("relation provider_group", "015: provider groups and their membership"), ("column provider_group", "015"),
        ("constraint provider_group", "015"), ("index CREATE UNIQUE INDEX provider_group", "015"),
        ("index CREATE INDEX provider_group_members_group_idx ", "015"), ("data provider_group", "015: empty"),
        ("grant relation provider_group", "015: the service roles read groups and membership"),
        ("policy provider_group_members ", "015: membership under row-level security, and a group session sees its group's"),
        ("trigger provider_group_members ", "015: membership changes are audited and mark cached reports stale"),
        ("trigger provider_groups ", "015: a change marks cached reports stale"),
        ("column api_tokens #2 provider_id ", "015: a group token has no provider"), ("column api_tokens #11 provider_group_id ", "015"),
        ("constraint api_tokens api_tokens_one_scope ", "015: a provider or a group"),
        ("constraint api_tokens api_tokens_provider_group_id_fkey ", "015"), ("index CREATE INDEX api_tokens_provider_group_idx ", "015"),
        ("function gaptrack_group_members(", "provider_groups.sql: a group token's members, for the service login"),
        ("grant function gaptrack_group_members(", "goes with the function"),
        ("function gaptrack_bind_group_member(", "provider_groups.sql: binds a group session to a member only"),
        ("grant function gaptrack_bind_group_member(", "goes with the function"),
        // 013_higher_education.sql and lifecycle_students.sql: the higher-education model (docs/methodology.md §10).
        ("relation he_", "013"), ("column he_", "013"), ("constraint he_", "013"), ("data he_", "013"), ("grant relation he_", "013"),
        ("index CREATE INDEX he_", "013"), ("index CREATE UNIQUE INDEX he_", "013"), ("policy he_", "013"), ("trigger he_", "013"),
        ("type he_", "013"), ("function lifecycle_", "lifecycle_students.sql"), ("grant function lifecycle_", "lifecycle_students.sql"),
        ("column enrolments #13 form_group ", "012_cohort_views.sql: the form group kept on import"),
        ("constraint enrolments enrolments_form_group_check ", "012_cohort_views.sql"),
        ("constraint students students_provider_student_key ", "012_cohort_views.sql: pupil groups refer to (provider, student)"),
        ("index CREATE UNIQUE INDEX students_provider_student_key ", "012_cohort_views.sql"),
        ("column student_group", "012_cohort_views.sql: a provider's own pupil groups"),
        ("constraint student_group", "012_cohort_views.sql"), ("data student_group", "012_cohort_views.sql"),
        ("grant relation student_group", "012_cohort_views.sql"), ("index CREATE INDEX student_group", "012_cohort_views.sql"),
        ("index CREATE UNIQUE INDEX student_group", "012_cohort_views.sql"), ("policy student_group", "012_cohort_views.sql"),
        ("relation student_group", "012_cohort_views.sql"), ("trigger student_group", "012_cohort_views.sql"),
        ("function report_load_cohort(", "report_load_cohort.sql: whole-school and key-stage cohorts (docs/methodology.md §7.2)"),
        ("function report_key_stage_years(", "report_load_cohort.sql: the DfE key stages"),
        ("grant function report_key_stage_years(", "goes with the function"),
        ("function report_filter_cohort(", "report_load_cohort.sql: filtered reports (docs/methodology.md §7.8)"),
        ("grant function report_filter_cohort(", "goes with the function"),
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
        // 020_text_limits.sql: the on-roll date (docs/import-formats.md, "students.csv").
        ("column students #17 admission_date ", "020: the day the pupil joined the school"),
        ("constraint students students_admission_date_check ", "020"),
        ("constraint students students_legal_surname_length ", "020: a text limit held by the database too"),
        ("constraint students students_forename_length ", "020: a text limit held by the database too"),
        ("constraint students students_ethnicity_length ", "020: a text limit held by the database too"),
        ("constraint students students_institution_id_length ", "020: a text limit held by the database too"),
        ("constraint enrolments enrolments_course_length ", "020: a text limit held by the database too"),
        ("constraint student_markers student_markers_overlap_key_length ", "020: a text limit held by the database too"),
        ("constraint assessment_points assessment_points_subject_length ", "020: a text limit held by the database too"),
        ("constraint assessment_points assessment_points_name_length ", "020: a text limit held by the database too"),
        ("constraint assessment_results assessment_results_result_text_length ", "020: a text limit held by the database too"),
        ("constraint support_records support_records_reference_length ", "020: a text limit held by the database too"),
        ("constraint support_records support_records_staff_length ", "020: a text limit held by the database too"),
        ("constraint support_records support_records_intended_outcome_length ", "020: a text limit held by the database too"),
        ("constraint support_records support_records_type_length ", "020: a text limit held by the database too"),
        ("constraint support_records support_records_funding_source_length ", "020: a text limit held by the database too"),
        ("constraint school_calendar school_calendar_description_printable ", "020: a text limit held by the database too"),
    ] + ["column", "constraint", "data", "function", "grant function", "grant relation", "index CREATE UNIQUE INDEX", "policy", "relation", "trigger", "type"]
        .map { (line: "\($0) pupil_premium_", reason: "011_pupil_premium.sql, functions/pupil_premium.sql: the pupil premium strategy (docs/methodology.md §6.5)") }
        + webImports + supportTargets + uploadRetention
        + keyStage4Measures
        + providerReadPaths
        + shardReadyKeys
        + supportApplications
        + reportCacheFamilies
        + studentCensusFacts
        + enrolmentsByProvider
        + attendanceBySchool
        + importSpeed
        + reportSpeed

    /// 017_web_imports.sql and functions/web_imports.sql: uploads in the web pages and their door to the ledger (docs/security.md §6).
    /// A list of its own: one more element in the literal above crashes the compiler's type checker.
    static let webImports: [(line: String, reason: String)] = [
        ("relation web_uploads", "017"), ("column web_uploads ", "017"), ("constraint web_uploads ", "017"),
        ("index CREATE UNIQUE INDEX web_uploads_", "017"), ("policy web_uploads ", "017: provider isolation"),
        ("trigger web_uploads ", "017: audit"), ("grant relation web_uploads ", "017: the service role only"), ("data web_uploads ", "017: empty"),
        ("function web_import_", "web_imports.sql: the owner's door to the import ledger"),
        ("grant function web_import_", "web_imports.sql: to gaptrack_service only"),
    ]

    /// functions/audit_log.sql: what the audit log keeps of a row (docs/security.md §6, "Uploads").
    static let uploadRetention: [(line: String, reason: String)] = [
        ("function gaptrack_audit_row(", "audit_log.sql: a row without secrets or an upload's bytes"),
        ("grant function gaptrack_audit_row(", "audit_log.sql: a pure function of its argument"),
    ]

    /// 018_support_targets.sql: what an intervention targets, its entry and exit assessments, and its reviews (docs/methodology.md §6.6).
    /// A list of its own, as `webImports` is, for the type checker's sake.
    static let supportTargets: [(line: String, reason: String)] = [
        ("type support_target_kind ", "018: subject, assessment or attendance"),
        ("column support_records #20 target_kind ", "018"), ("column support_records #21 target_subject ", "018"),
        ("column support_records #22 entry_assessment ", "018"), ("column support_records #23 entry_academic_year ", "018"),
        ("column support_records #24 entry_term ", "018"), ("column support_records #25 exit_assessment ", "018"),
        ("column support_records #26 exit_academic_year ", "018"), ("column support_records #27 exit_term ", "018"),
        ("constraint support_records support_records_target_subject", "018"), ("constraint support_records support_records_assessment_target ", "018"),
        ("constraint support_records support_records_entry_", "018"), ("constraint support_records support_records_exit_", "018"),
        ("constraint support_records support_records_provider_support_key ", "018: reviews refer to (provider, record)"),
        ("index CREATE UNIQUE INDEX support_records_provider_support_key ", "018"),
        ("column support_reviews ", "018: reviews of an intervention"), ("constraint support_reviews ", "018"), ("data support_reviews ", "018"),
        ("grant relation support_reviews ", "018"), ("index CREATE UNIQUE INDEX support_reviews_", "018"), ("relation support_reviews", "018"),
        ("policy support_reviews ", "018: provider isolation, and a review is seen only with its record"),
        ("trigger support_reviews ", "018: audit and report freshness"),
        ("function report_impact_candidates(", "report_impact_candidates.sql: one section per type and target, judged on the target"),
    ]

    /// functions/report_ks4_headlines.sql: the KS4 headline measures from a school's own results (docs/methodology.md §8.3).
    static let keyStage4Measures: [(line: String, reason: String)] = [
        ("function ks4_subject_slot(", "report_ks4_headlines.sql: which Attainment 8 slot a subject fills"),
        ("grant function ks4_subject_slot(", "goes with the function"),
        ("function report_ks4_headlines(", "report_ks4_headlines.sql: grade 4+/5+ in English and maths and Attainment 8 by group"),
        ("grant function report_ks4_headlines(", "goes with the function"),
    ]

    /// 030_report_cache_families.sql and report_snapshots.sql: the report cache invalidated per table family (docs/scaling.md).
    /// A list of its own, as `webImports` is, for the type checker's sake.
    static let reportCacheFamilies: [(line: String, reason: String)] = [
        ("function gaptrack_data_family(", "report_snapshots.sql: the family of tables a table belongs to"),
        ("grant function gaptrack_data_family(", "goes with the function"),
        ("function gaptrack_note_data_change(", "report_snapshots.sql: a change recorded by provider and family, by the trigger or the importer"),
        ("function report_snapshot_families(", "report_snapshots.sql: the families a cache key names"),
        ("grant function report_snapshot_families(", "goes with the function"),
        ("function report_snapshot_report(", "report_snapshots.sql: the report a part's key belongs to"),
        ("grant function report_snapshot_report(", "goes with the function"),
    ]

    /// 027_provider_read_paths.sql and the functions that read one provider's rows (docs/scaling.md, "Cost per school").
    /// A list of its own, as `webImports` is, for the type checker's sake.
    static let providerReadPaths: [(line: String, reason: String)] = [
        ("index CREATE INDEX support_records_provider_idx ", "027: one provider's support records"),
        ("function student_disadvantage(", "student_disadvantage.sql: the rules, computed over the provider's own students and markers"),
        ("function student_disadvantage_all(", "student_disadvantage.sql: provider by provider"),
        ("function student_disadvantage_of(", "student_disadvantage.sql: the student's provider's facts"),
        ("function fsm_ever6(", "student_disadvantage.sql: through student_disadvantage_of"),
        ("function is_disadvantaged(", "student_disadvantage.sql: through student_disadvantage_of"),
    ]

    /// 022_shard_ready_keys.sql: provider_id in every provider-owned table's keys (docs/scaling.md, "Shard-ready schema").
    /// A list of its own, as `webImports` is, for the type checker's sake.
    static let shardReadyKeys: [(line: String, reason: String)] = [
        ("column enrolments #14 provider_id ", "022: the pupil's provider"), ("column student_markers #13 provider_id ", "022"),
        ("column assessment_results #10 provider_id ", "022"), ("column attendance_marks #5 provider_id ", "022"),
        ("column attendance_marks_default #5 provider_id ", "022"), ("column attendance_mark_history #9 provider_id ", "022"),
        ("constraint students students_pkey ", "022: (provider_id, student_id)"), ("constraint imports imports_pkey ", "022: (provider_id, import_id)"),
        ("constraint support_records support_records_pkey ", "022: (provider_id, support_id)"),
        ("constraint assessment_points assessment_points_pkey ", "022: (provider_id, assessment_point_id)"),
        ("constraint assessment_points assessment_points_assessment_point_id_scale_key ", "022: gives way to the key with provider_id"),
        ("constraint assessment_points assessment_points_provider_point_scale_key ", "022: what results refer to"),
        ("constraint enrolments enrolments_", "022: keys and foreign keys by provider"),
        ("constraint student_markers student_markers_", "022: keys and foreign keys by provider"),
        ("constraint assessment_results assessment_results_", "022: keys and foreign keys by provider"),
        ("constraint attendance_marks attendance_marks_", "022: keys and foreign keys by provider"),
        ("constraint attendance_marks_default attendance_marks_", "022: the parent's key and foreign key"),
        ("constraint attendance_mark_history attendance_mark_history_", "022: keys and foreign keys by provider"),
        ("constraint students students_import_id_fkey ", "022: to imports by (provider_id, import_id)"),
        ("constraint support_records support_records_import_id_fkey ", "022: to imports by (provider_id, import_id)"),
        ("constraint assessment_points assessment_points_import_id_fkey ", "022: to imports by (provider_id, import_id)"),
        ("index CREATE UNIQUE INDEX students_pkey ", "022"), ("index CREATE UNIQUE INDEX imports_pkey ", "022"),
        ("index CREATE UNIQUE INDEX support_records_pkey ", "022"), ("index CREATE UNIQUE INDEX assessment_points_pkey ", "022"),
        ("index CREATE UNIQUE INDEX assessment_points_assessment_point_id_scale_key ", "022"),
        ("index CREATE UNIQUE INDEX assessment_points_provider_point_scale_key ", "022"),
        ("index CREATE UNIQUE INDEX enrolments_", "022"), ("index CREATE UNIQUE INDEX student_markers_", "022"),
        ("index CREATE UNIQUE INDEX assessment_results_pkey ", "022"), ("index CREATE UNIQUE INDEX attendance_marks", "022"),
        ("index CREATE UNIQUE INDEX attendance_mark_history_pkey ", "022"),
        ("index CREATE INDEX student_markers_no_overlap ", "022: the exclusion constraint takes provider_id"),
        ("index CREATE INDEX assessment_results_point_idx ", "022: reports find results by point"),
        ("policy enrolments provider_isolation ", "022: by the row's own provider_id"),
        ("policy student_markers provider_isolation ", "022: by the row's own provider_id"),
        ("policy assessment_results provider_isolation ", "022: by the row's own provider_id"),
        ("policy attendance_marks provider_isolation ", "022: by the row's own provider_id"),
        ("policy attendance_mark_history provider_isolation ", "022: by the row's own provider_id"),
        ("trigger enrolments CREATE TRIGGER gaptrack_student_provider ", "022: a row written without its provider gets its student's"),
        ("trigger student_markers CREATE TRIGGER gaptrack_student_provider ", "022"),
        ("trigger assessment_results CREATE TRIGGER gaptrack_student_provider ", "022"),
        ("trigger attendance_marks CREATE TRIGGER gaptrack_student_provider ", "022"),
        ("trigger attendance_marks_default CREATE TRIGGER gaptrack_student_provider ", "022"),
        ("trigger attendance_mark_history CREATE TRIGGER gaptrack_student_provider ", "022"),
        ("function gaptrack_fill_student_provider(", "student_provider.sql: the fill"),
        ("grant function gaptrack_fill_student_provider(", "goes with the function"),
        ("function attendance_attach_term_table(", "attendance_term_tables.sql: the term table's key leads with provider_id"),
        ("function attendance_marks_keep_history(", "attendance_mark_history.sql: the history row names its provider"),
        ("function gaptrack_journal_key_columns(", "import_undo.sql: the undo matches journal rows by the key they were written with"),
        ("grant function gaptrack_journal_key_columns(", "goes with the function"),
    ]

    /// 023_support_applications.sql: applications for cost-of-living support, the toolkit's funnel (docs/methodology.md §11.9).
    static let supportApplications: [(line: String, reason: String)] = [
        ("relation support_applications", "023"), ("column support_applications ", "023"), ("constraint support_applications ", "023"),
        ("index CREATE INDEX support_applications_", "023"), ("index CREATE UNIQUE INDEX support_applications_", "023"),
        ("policy support_applications ", "023: provider isolation, and the report role's reads"),
        ("trigger support_applications ", "023: audit, report freshness and the import journal"),
        ("grant relation support_applications ", "023"), ("data support_applications ", "023: empty"),
        ("type support_application_decision ", "023: eligible, ineligible or withdrawn"),
    ]

    /// 029_student_census_facts.sql and functions/student_census_facts.sql: each pupil's disadvantage facts per census day,
    /// kept current on every write (docs/scaling.md, "Derived data kept current").
    static let studentCensusFacts: [(line: String, reason: String)] = [
        ("relation student_census_facts", "029"), ("column student_census_facts ", "029"), ("constraint student_census_facts ", "029"),
        ("index CREATE UNIQUE INDEX student_census_facts_", "029"), ("index CREATE INDEX student_census_facts_", "029"),
        ("policy student_census_facts ", "029: the service roles and the report role read their provider's rows"),
        ("grant relation student_census_facts ", "029: read only"), ("data student_census_facts ", "029: derived from the demo's pupils"),
        ("trigger student_census_facts ", "029: report freshness"),
        ("trigger student_markers CREATE TRIGGER student_census_facts_", "student_census_facts.sql: the pupils a statement touched"),
        ("trigger enrolments CREATE TRIGGER student_census_facts_", "student_census_facts.sql: the pupils a statement touched"),
        ("trigger census_days CREATE TRIGGER student_census_facts_", "student_census_facts.sql: everything again"),
        ("trigger smc_parental_occupations CREATE TRIGGER student_census_facts_", "student_census_facts.sql: everything again"),
        ("function student_census_facts_", "student_census_facts.sql: the maintenance"),
        ("grant function student_census_facts_", "student_census_facts.sql: trigger functions"),
        ("function student_disadvantage_among(", "student_disadvantage.sql: the rules, for some of the provider's students"),
        ("grant function student_disadvantage_among(", "goes with the function"),
    ]

    /// student_continuation.sql and impact_cost_of_living.sql: their look-ups of enrolments name the provider,
    /// whose keys lead with it since 022 (docs/scaling.md, "Cost per school").
    static let enrolmentsByProvider: [(line: String, reason: String)] = [
        ("function student_continuation(", "student_continuation.sql: enrolments looked up by provider and student"),
        ("function impact_cost_of_living_students(", "impact_cost_of_living.sql: enrolments and results looked up by provider"),
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

    /// 031_attendance_by_school.sql and functions/attendance_term_tables.sql: attendance partitioned
    /// by school within term (docs/scaling.md). A list of its own, as `webImports` is, for the type checker's sake.
    static let attendanceBySchool: [(line: String, reason: String)] = ["function ", "grant function "].flatMap { kind in
        ["attendance_term_is_empty(", "attendance_create_term_table(", "attendance_attach_term_table(", "attendance_analyze_school_term(",
         "attendance_create_term_partition(", "attendance_school_partition_name(", "attendance_school_term_is_empty("]
            .map { (line: kind + $0, reason: "031: a term's marks in one partition per school; the term functions name the school") }
    }

    /// 032_support_record_ids.sql and attendance_merge_new_marks (functions/attendance_term_tables.sql):
    /// a new support record's id checked by index, and a later week's new marks merged into the
    /// school's partition by range (docs/scaling.md). A list of its own, as `webImports` is, for the type checker's sake.
    static let importSpeed: [(line: String, reason: String)] = [
        ("index CREATE INDEX support_records_support_id_idx ", "032: the check that a new support record's random id is free, by index"),
        ("function attendance_merge_new_marks(", "attendance_term_tables.sql: a later week's new marks into the school's partition, journalled by range"),
        ("grant function attendance_merge_new_marks(", "goes with the function"),
    ]

    /// functions/report_cohorts.sql: listing a provider's cohorts without JIT compilation, which cost
    /// 0.75 s of 0.9 s at 60,000 pupils, and reports that read one school's rows at 200 schools
    /// (BENCHMARKS.md).
    static let reportSpeed: [(line: String, reason: String)] = [
        ("function report_cohorts(", "report_cohorts.sql: SET jit = off; the provider's enrolments by their own provider_id"),
        ("function report_terms(", "report_cohorts.sql: the provider's enrolments by their own provider_id, not every school's through students"),
        ("function impact_school_cohort(", "impact_school.sql: PL/pgSQL EXECUTE, planned for its values, so only the school's attendance partitions are planned"),
    ]
}
