import GapTrackDomain
import Postgres

/// The cohort-wide part of school impact sections, worked out once per transaction.
///
/// A school impact section needs, for every cohort student, the disadvantage on the census day,
/// the KS2 band, the before and after results with the cohort's standardisation, and attendance
/// (`impact_school_cohort`). None of it depends on the intervention: only who
/// took part does (`impact_school_roles`). A termly report has a section for each intervention
/// type delivered to the cohort (six in the benchmark's school), all on the same assessment
/// points, and the cohort is by far the larger part of each. So the first section with given points keeps the cohort in a temporary table and
/// later ones read it; the list of the provider's cohorts each section checks its cohort
/// against is read once too.
///
/// The tables are `ON COMMIT DROP`: a value of this type is only valid inside the one
/// transaction in which it was made: make one inside `ImpactReportRepository.transaction`, and
/// use it for that transaction's sections only.
public struct ImpactCohortTables {
    /// The provider and the other parameters a table or list depends on.
    struct Key: Hashable {
        var providerID: Int
        var parameters: [String?]
    }

    private var tables = [Key: String]()
    /// `report_cohorts` by provider and term, as each section checks its cohort: the same for
    /// every section, and it reads every enrolment of the term.
    private var cohortLists = [Key: [TermlyReportRepository.CohortListing]]()

    public init() {}

    /// The provider's cohorts with students in `term` (`TermlyReportRepository.cohorts`).
    public mutating func reportCohorts(
        providerID: Int, term: AcademicTerm, on connection: PostgresConnection
    ) throws -> [TermlyReportRepository.CohortListing] {
        let key = Key(providerID: providerID, parameters: [term.year.description, term.term.rawValue])
        if let listed = cohortLists[key] { return listed }
        let listed = try TermlyReportRepository(connection: connection).cohorts(providerID: providerID, term: term)
        cohortLists[key] = listed
        return listed
    }

    /// The name of the temporary table holding `impact_school_cohort` for these parameters,
    /// made on first use in this transaction.
    /// - Parameter priorBand: how prior attainment is banded, as `impact_school_cohort` takes it
    ///   (`auto`, `ks2`, `pre_terciles`).
    public mutating func table(
        providerID: Int, before: ImpactReportRepository.AssessmentPoint, after: ImpactReportRepository.AssessmentPoint, cohort: String?, priorBand: String,
        on connection: PostgresConnection
    ) throws -> String {
        let parameters: [String?] = [
            before.subject, before.name, before.term.year.description, before.term.term.rawValue,
            after.subject, after.name, after.term.year.description, after.term.term.rawValue,
            cohort, priorBand,
        ]
        let key = Key(providerID: providerID, parameters: parameters)
        if let name = tables[key] { return name }
        let name = "impact_cohort_\(tables.count)"
        // CREATE TABLE AS takes no bound parameters, hence the empty table and then INSERT.
        try connection.execute(
            """
            DROP TABLE IF EXISTS pg_temp.\(name);
            CREATE TEMPORARY TABLE \(name) ON COMMIT DROP AS
                SELECT * FROM impact_school_cohort(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) WITH NO DATA
            """)
        try connection.query(
            """
            INSERT INTO pg_temp.\(name)
            SELECT * FROM impact_school_cohort($1, $2, $3, $4, $5::term_name, $6, $7, $8, $9::term_name, $10, $11)
            """,
            [providerID] + parameters.map { $0 as (any PostgresEncodable) })
        // Each section looks its participants up in it by pupil. The planner cannot tell how few
        // support records a targeted section's many conditions leave (it estimated 1 where there
        // were 2,161) and probes the cohort once per record: without an index that scanned the
        // whole cohort each time, 15 s a section at 60,000 pupils and over 14 minutes at 600,000.
        // Temporary tables are never analysed automatically; the planner joins each section's
        // roles to it better knowing its size.
        try connection.execute("CREATE INDEX ON pg_temp.\(name) (student_id); ANALYZE pg_temp.\(name)")
        tables[key] = name
        return name
    }
}
