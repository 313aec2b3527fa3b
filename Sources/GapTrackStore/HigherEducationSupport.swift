import GapTrackDomain
import Postgres

/// One delivered support record in the first year of a course instance (sql/functions/lifecycle_support.sql).
public struct FirstYearSupport: Sendable, Equatable {
    public var studentID: Int
    public var commencedOn: CalendarDate
    public var type: String
    public var fundingSource: String?
    public var amount: Double?

    public init(studentID: Int, commencedOn: CalendarDate, type: String, fundingSource: String?, amount: Double?) {
        self.studentID = studentID
        self.commencedOn = commencedOn
        self.type = type
        self.fundingSource = fundingSource
        self.amount = amount
    }
}

extension HigherEducationLifecycle {
    /// The support of `types` each instance of the provider received in its first year.
    public func firstYearSupport(providerID: Int, types: [String]) throws -> [FirstYearSupport] {
        try connection.query(
            """
            SELECT student_id, commenced_on::text AS commenced_on, support_type, funding_source, amount::float8 AS amount
            FROM lifecycle_support_received($1, $2::text[])
            ORDER BY student_id, commenced_on, support_type
            """, [providerID, types]).rows.map { row in
                FirstYearSupport(studentID: try row.decode("student_id"), commencedOn: try CalendarDate(parsing: try row.decode("commenced_on") as String),
                                 type: try row.decode("support_type"), fundingSource: try row.decode("funding_source"),
                                 amount: try row.decode("amount"))
            }
    }
}

/// One application for cost-of-living support as the evaluation's funnel counts it
/// (sql/023_support_applications.sql, docs/methodology.md §11.9).
public struct SupportApplication: Sendable, Equatable {
    public var studentID: Int
    public var academicYear: AcademicYear
    /// eligible, ineligible or withdrawn; nil when no decision is recorded.
    public var decision: String?
    public var householdIncome: Double?
    public var incomeThreshold: Double?
    /// It led to a support record.
    public var awarded: Bool

    public init(studentID: Int, academicYear: AcademicYear, decision: String?, householdIncome: Double? = nil,
                incomeThreshold: Double? = nil, awarded: Bool = false) {
        self.studentID = studentID
        self.academicYear = academicYear
        self.decision = decision
        self.householdIncome = householdIncome
        self.incomeThreshold = incomeThreshold
        self.awarded = awarded
    }

    /// Eligible as the funnel counts it: the decision recorded; without one, the fund's rule
    /// (household income below the threshold) where both are recorded; nil when neither is.
    public var isEligible: Bool? {
        if awarded { return true }
        if let decision { return decision == "eligible" }
        guard let householdIncome, let incomeThreshold else { return nil }
        return householdIncome < incomeThreshold
    }
}

extension HigherEducationLifecycle {
    /// Every application for support the provider recorded.
    public func supportApplications(providerID: Int) throws -> [SupportApplication] {
        try connection.query(
            """
            SELECT student_id, academic_year, decision::text AS decision, household_income::float8 AS household_income,
                   income_threshold::float8 AS income_threshold, support_id IS NOT NULL AS awarded
            FROM support_applications WHERE provider_id = $1
            ORDER BY student_id, applied_on, funding_source
            """, [providerID]).rows.map { row in
                SupportApplication(studentID: try row.decode("student_id"), academicYear: try AcademicYear(parsing: try row.decode("academic_year")),
                                   decision: try row.decode("decision"), householdIncome: try row.decode("household_income"),
                                   incomeThreshold: try row.decode("income_threshold"), awarded: try row.decode("awarded"))
            }
    }
}
