import GapTrackDomain
import Postgres

/// support-applications.csv: applications for cost-of-living support and what was decided
/// (docs/import-formats.md, "Support applications"; docs/methodology.md §11.9).
///
/// Natural key: (student, fund, date applied). The row is the application: re-importing it with a
/// changed decision replaces the decision. `award_reference` links the application to the support
/// record it led to (the `reference` of support.csv), which must already be loaded.
struct SupportApplicationsImport: TabularFormat {
    static let columns: [ImportColumn] = [
        ImportColumn("student", required: true), ImportColumn("fund", required: true), ImportColumn("academic_year", required: true),
        ImportColumn("applied_on", required: true), ImportColumn("decision"), ImportColumn("household_income"),
        ImportColumn("income_threshold"), ImportColumn("award_reference"),
    ]
    static let stagingTable = "staged_support_applications"
    static let stagingColumns: [(name: String, type: String)] = [
        ("student", "text"), ("funding_source", "text"), ("academic_year", "text"), ("applied_on", "date"),
        ("decision", "support_application_decision"), ("household_income", "numeric(12, 2)"), ("income_threshold", "numeric(12, 2)"),
        ("award_reference", "text"),
    ]
    static let workColumns: [(name: String, type: String)] = [("student_id", "bigint"), ("support_id", "bigint")]

    /// The decisions a file may record; blank is "not recorded" (counted by the fund's rule).
    static let decisions = ["eligible", "ineligible", "withdrawn"]

    private var parsers: SupportRowParsers
    private var lineOfKey: [String: Int] = [:]

    init(context: ImportContext) throws {
        parsers = try SupportRowParsers(context: context)
    }

    mutating func validate(_ row: inout RowContext) -> [String?]? {
        let student = parsers.student(&row)
        let fund = parsers.fundingSource(&row, column: "fund", required: true)
        let year = row.parse("academic_year", required: true, expected: "an academic year such as 2024/25", FieldParsers.academicYear)
        let applied = row.parse("applied_on", required: true, expected: "the date applied", SupportRecordRules.date)
        let decision = row.parse("decision", expected: "eligible, ineligible or withdrawn") { (text: String) throws(FieldProblem) -> String in
            let value = text.lowercased()
            guard Self.decisions.contains(value) else {
                throw FieldProblem("'\(text)' is not a decision; use eligible, ineligible or withdrawn, or leave it blank if none is recorded")
            }
            return value
        }
        let income = row.parse("household_income", expected: "an amount in pounds", SupportRecordRules.amount)
        let threshold = row.parse("income_threshold", expected: "an amount in pounds", SupportRecordRules.amount)
        if let threshold, threshold.pence == 0 {
            row.fail("income_threshold", "is 0; a fund's income threshold is more than £0 (leave it blank if the fund has none)")
        }
        let award = row.text("award_reference")
        if award != nil, let decision, decision != "eligible" {
            row.fail("award_reference", "names an award, but the decision is '\(decision)'; an application that led to an award was eligible")
        }
        // An academic year runs from 1 August; applications open up to six months before it.
        if let year, let applied, !(year.startDate.adding(days: -183)..<year.startDate.adding(years: 1)).contains(applied) {
            row.fail("applied_on", "\(applied.ukString) is not in or just before \(year); check the academic year the support is for")
        }
        guard row.isValid, let student, let fund, let year, let applied else { return nil }
        let key = "\(student)|\(fund)|\(applied.isoString)"
        if let earlier = lineOfKey[key] {
            row.fail(nil, "repeats the application of '\(student)' to \(fund) on \(applied.ukString) on line \(earlier); merge the rows")
            return nil
        }
        lineOfKey[key] = row.line
        return [student, fund, year.description, applied.isoString, decision, income?.plainDecimal, threshold?.plainDecimal, award]
    }

    func databaseChecks(context: ImportContext) throws -> [RowError] {
        var errors = try StudentIdentifiers.resolve(stagingTable: Self.stagingTable, providerID: context.providerID, fileName: context.fileName,
                                                    columnName: "student", connection: context.connection)
        try context.connection.query(
            """
            UPDATE staged_support_applications s SET support_id = r.support_id
            FROM support_records r
            WHERE r.provider_id = $1 AND r.reference = s.award_reference AND r.student_id = s.student_id
            """, [context.providerID])
        errors += try context.connection.query(
            """
            SELECT line, award_reference FROM staged_support_applications
            WHERE award_reference IS NOT NULL AND support_id IS NULL AND student_id IS NOT NULL ORDER BY line
            """).rows.map { row in
                let reference: String = try row.decode("award_reference")
                return RowError(fileName: context.fileName, line: try row.decode("line"), column: "award_reference",
                                message: "'\(reference)' is not a support record of this student; import the support records first ('gaptrack import support'), or leave it blank")
            }
        return errors
    }

    func merge(importID: Int, context: ImportContext) throws -> (inserted: Int, updated: Int)? {
        try context.connection.query(
            """
            WITH written AS (
                INSERT INTO support_applications AS a (provider_id, student_id, funding_source, applied_on, academic_year, decision,
                                                       household_income, income_threshold, support_id, import_id)
                SELECT $1, student_id, funding_source, applied_on, academic_year, decision, household_income, income_threshold, support_id, $2
                FROM staged_support_applications
                ON CONFLICT (provider_id, student_id, funding_source, applied_on) DO UPDATE SET
                    academic_year = EXCLUDED.academic_year, decision = EXCLUDED.decision, household_income = EXCLUDED.household_income,
                    income_threshold = EXCLUDED.income_threshold, support_id = EXCLUDED.support_id, import_id = EXCLUDED.import_id,
                    updated_at = now()
                WHERE (a.academic_year, a.decision, a.household_income, a.income_threshold, a.support_id)
                      IS DISTINCT FROM
                      (EXCLUDED.academic_year, EXCLUDED.decision, EXCLUDED.household_income, EXCLUDED.income_threshold, EXCLUDED.support_id)
                RETURNING a.student_id, a.funding_source, a.applied_on, (a.xmax = 0) AS was_inserted
            )
            UPDATE staged_support_applications s SET inserted = w.was_inserted, changed = true
            FROM written w
            WHERE w.student_id = s.student_id AND w.funding_source = s.funding_source AND w.applied_on = s.applied_on
            """, [context.providerID, importID])
        return nil
    }
}
