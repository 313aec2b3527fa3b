import GapTrackDomain
import Postgres

/// support.csv: interventions and support (docs/import-formats.md).
///
/// Natural key: (provider, reference) when the source system gives the record an id, else
/// (student, type, start_date). The row is the record: re-importing it with a changed field
/// replaces the field. The fields are checked by `SupportRecordRules`, as the API checks them.
struct SupportImport: TabularFormat {
    static let columns: [ImportColumn] = [
        ImportColumn("reference"), ImportColumn("student", required: true), ImportColumn("type", required: true),
        ImportColumn("start_date", required: true), ImportColumn("end_date"), ImportColumn("hours"),
        ImportColumn("sessions"), ImportColumn("amount"), ImportColumn("funding_source"), ImportColumn("staff"),
        ImportColumn("intended_outcome"), ImportColumn("status"), ImportColumn("review_date"),
        ImportColumn("target"), ImportColumn("entry_assessment"), ImportColumn("exit_assessment"),
    ]
    static let stagingTable = "staged_support"
    static let stagingColumns: [(name: String, type: String)] = [
        ("reference", "text"), ("student", "text"), ("type", "text"), ("starts_on", "date"), ("ends_on", "date"),
        ("hours", "numeric(8, 2)"), ("sessions", "integer"), ("amount", "numeric(12, 2)"), ("funding_source", "text"),
        ("staff", "text"), ("intended_outcome", "text"), ("status", "support_status"), ("review_date", "date"),
        ("target_kind", "support_target_kind"), ("target_subject", "text"), ("entry_assessment", "text"), ("entry_academic_year", "text"),
        ("entry_term", "term_name"), ("exit_assessment", "text"), ("exit_academic_year", "text"), ("exit_term", "term_name"),
    ]
    /// `restricted_twin`: the row matches a restricted record already held (set by `merge`).
    static let workColumns: [(name: String, type: String)] = [("student_id", "bigint"), ("restricted_twin", "boolean NOT NULL DEFAULT false")]

    private var parsers: SupportRowParsers
    private var lineOfKey: [String: Int] = [:]
    private var typeCodes = Memo<String>()
    private var statuses = Memo<SupportStatus>()

    init(context: ImportContext) throws {
        parsers = try SupportRowParsers(context: context)
    }

    mutating func validate(_ row: inout RowContext) -> [String?]? {
        let rules = parsers.rules
        let student = parsers.student(&row)
        let type = row.parse("type", required: true, expected: "an intervention type") { (text: String) throws(FieldProblem) -> String in
            try typeCodes(text, rules.type)
        }
        let start = row.parse("start_date", required: true, expected: "the start date", SupportRecordRules.date)
        let end = row.parse("end_date", expected: "a date", SupportRecordRules.date)
        let hours = row.parse("hours", expected: "a number of hours", SupportRecordRules.hours)
        let sessions = row.parse("sessions", expected: "a number of sessions", SupportRecordRules.sessions)
        let amount = row.parse("amount", expected: "an amount in pounds", SupportRecordRules.amount)?.plainDecimal
        let funding = parsers.fundingSource(&row, column: "funding_source")
        let status = row.parse("status", expected: "planned, active, ended or cancelled") { (text: String) throws(FieldProblem) -> SupportStatus in
            try statuses(text, SupportRecordRules.status)
        }?.rawValue
        let review = row.parse("review_date", expected: "a date", SupportRecordRules.date)
        for (column, date) in [("end_date", end), ("review_date", review)] {
            guard let start, let date, let text = row.text(column) else { continue }
            do { try SupportRecordRules.notBeforeStart(date, text: text, start: start) } catch { row.fail(column, error.message) }
        }
        let plan = SupportPlan(
            target: row.parse(SupportRecordRules.targetField, expected: "a subject, an assessment or attendance", rules.target),
            entry: row.parse(SupportRecordRules.entryField, expected: "an assessment point", rules.assessmentPoint),
            exit: row.parse(SupportRecordRules.exitField, expected: "an assessment point", rules.assessmentPoint))
        if row.isValid, let (field, problem) = SupportRecordRules.plan(plan) { row.fail(field, problem.message) }
        let reference = row.text("reference")
        guard row.isValid, let student, let type, let start else { return nil }
        let key = reference.map { "ref|" + $0 } ?? "\(student)|\(type)|\(start.isoString)"
        if let earlier = lineOfKey[key] {
            row.fail(reference == nil ? nil : "reference",
                     reference.map { "reference '\($0)' is already used on line \(earlier); each record has its own reference" }
                        ?? "repeats the \(type) record for '\(student)' starting \(start.ukString) on line \(earlier); give each record a reference, or merge the rows")
            return nil
        }
        lineOfKey[key] = row.line
        return [reference, student, type, start.isoString, end?.isoString, hours, sessions.map(String.init), amount, funding,
                row.text("staff"), row.text("intended_outcome"), status ?? SupportStatus.active.rawValue, review?.isoString]
            + plan.columnValues
    }

    func databaseChecks(context: ImportContext) throws -> [RowError] {
        try StudentIdentifiers.resolve(stagingTable: Self.stagingTable, providerID: context.providerID, fileName: context.fileName,
                                       columnName: "student", connection: context.connection)
    }

    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)? {
        let planColumns = SupportTargets.columnList.components(separatedBy: ", ")
        let fields = "type, starts_on, ends_on, hours, sessions, amount, funding_source, staff, intended_outcome, status, review_date, "
            + SupportTargets.columnList
        let changedTest = """
            (r.student_id, r.type, r.starts_on, r.ends_on, r.hours, r.sessions, r.amount, r.funding_source, r.staff,
             r.intended_outcome, r.status, r.review_date, \(planColumns.map { "r." + $0 }.joined(separator: ", ")))
            IS DISTINCT FROM
            (EXCLUDED.student_id, EXCLUDED.type, EXCLUDED.starts_on, EXCLUDED.ends_on, EXCLUDED.hours, EXCLUDED.sessions,
             EXCLUDED.amount, EXCLUDED.funding_source, EXCLUDED.staff, EXCLUDED.intended_outcome, EXCLUDED.status, EXCLUDED.review_date,
             \(planColumns.map { "EXCLUDED." + $0 }.joined(separator: ", ")))
            """
        let updates = "student_id = EXCLUDED.student_id, type = EXCLUDED.type, starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on, "
            + "hours = EXCLUDED.hours, sessions = EXCLUDED.sessions, amount = EXCLUDED.amount, funding_source = EXCLUDED.funding_source, "
            + "staff = EXCLUDED.staff, intended_outcome = EXCLUDED.intended_outcome, status = EXCLUDED.status, "
            + "review_date = EXCLUDED.review_date, import_id = EXCLUDED.import_id, updated_at = now(), "
            + planColumns.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
        // Restricted records are a key space of their own (003_least_privilege.sql); a row that
        // matches a restricted record updates it rather than adding an unrestricted twin.
        for withReference in [true, false] {
            let conflict = withReference
                ? "(provider_id, reference, restricted) WHERE reference IS NOT NULL"
                : "(provider_id, student_id, type, starts_on, restricted) WHERE reference IS NULL"
            let restrictedTwin = withReference
                ? "x.provider_id = $1 AND x.reference = staged_support.reference"
                : "x.provider_id = $1 AND x.reference IS NULL AND x.student_id = staged_support.student_id AND x.type = staged_support.type AND x.starts_on = staged_support.starts_on"
            // The twins are found before the insert, by a statement of their own: asked inside
            // the insert, the look-up ran once per row against a table that the statement was
            // itself filling, planned as the empty table it was at the start of a first load,
            // so each row scanned every record inserted before it (quadratic: BENCHMARKS.md,
            // "Support load").
            try context.connection.query(
                """
                UPDATE staged_support SET restricted_twin = true
                WHERE reference IS \(withReference ? "NOT NULL" : "NULL")
                  AND EXISTS (SELECT FROM support_records x WHERE \(restrictedTwin) AND x.restricted)
                """, [context.providerID])
            try context.connection.query(
                """
                WITH written AS (
                    INSERT INTO support_records AS r (student_id, provider_id, reference, \(fields), import_id, restricted)
                    SELECT student_id, $1, reference, \(fields), $2, restricted_twin
                    FROM staged_support
                    WHERE reference IS \(withReference ? "NOT NULL" : "NULL")
                    ON CONFLICT \(conflict) DO UPDATE SET \(updates)
                    WHERE \(changedTest)
                    RETURNING r.support_id, r.reference, r.student_id, r.type, r.starts_on, (r.xmax = 0) AS was_inserted
                )
                UPDATE staged_support s SET inserted = w.was_inserted, changed = true
                FROM written w
                WHERE \(withReference ? "w.reference = s.reference" : "s.reference IS NULL AND w.reference IS NULL AND w.student_id = s.student_id AND w.type = s.type AND w.starts_on = s.starts_on")
                """, [context.providerID, importID])
        }
        return nil
    }
}
