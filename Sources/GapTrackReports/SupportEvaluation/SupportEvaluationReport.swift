/// Did cost-of-living support help? For a university's student-money and widening-participation
/// teams: uptake of each kind of support in the first year by student group, spend by fund, and
/// continuation, completion and attainment of students who received each kind against comparable
/// students who did not, regression-adjusted (docs/methodology.md §11.9). Made for one audience as
/// the lifecycle report is: governors and the public see `c` for small groups and whatever would
/// reveal them (docs/disclosure-control.md).
public struct SupportEvaluationReport: Sendable, Codable, Equatable {
    public var providerCode: String
    public var providerName: String
    public var audience: ReportAudience
    /// Years of entry evaluated, oldest first.
    public var years: [String]
    public var asOf: String
    /// Uptake in each student group: a row per kind of support (received against not received).
    public var uptake: [SupportUptakeSection]
    /// One section per outcome: continuation, completion, attainment.
    public var effects: [SupportEffectSection]
    public var spend: [SupportSpendRow]
    /// What the comparison cannot show, in every format (docs/methodology.md §11.9).
    public var caveats: [String]
    public var notes: [String]
    public var imports: [Int]
}

public struct SupportUptakeSection: Sendable, Codable, Equatable {
    public var group: String
    public var groupName: String
    /// Entrants of the group in the years evaluated; nil when withheld.
    public var entrants: Int?
    /// characteristic = the kind of support; group = received it (share of entrants); comparison = did not.
    public var rows: [LifecycleGapRow]
    /// Applied (share of entrants), eligible (share of applicants), received (share of those
    /// eligible); nil when the provider recorded no applications (docs/methodology.md §11.9).
    public var funnel: [LifecycleRate]? = nil
}

public struct SupportEffectSection: Sendable, Codable, Equatable {
    public var outcome: LifecycleStage
    public var title: String
    public var definition: String
    /// Students whose outcome is known and who have every covariate; nil when withheld.
    public var measured: Int?
    /// Students with the outcome known but a covariate missing, left out of the model.
    public var leftOut: Int?
    public var rows: [SupportEffectRow]
}

public struct SupportEffectRow: Sendable, Codable, Equatable {
    /// characteristic = the kind of support; group = received it, comparison = did not, each with
    /// its raw rate; gap = raw difference, received minus not received.
    public var comparison: LifecycleGapRow
    /// Regression-adjusted difference in percentage points, received minus not, with its 95%
    /// interval; nil when withheld or not estimable.
    public var adjusted: LifecycleGap?
}

public struct SupportSpendRow: Sendable, Codable, Equatable {
    public var fund: String
    public var kind: String
    public var kindName: String
    /// Students who received it; nil when withheld.
    public var students: Int?
    /// Pounds spent; nil when withheld.
    public var pounds: Double?
}
