import GapTrackDomain

// The plain values the impact repository reads besides the strata: spend and the cohorts' standardisation.

/// The spend of the intervention's delivered records for the students evaluated.
public struct SpendAggregates: Sendable, Equatable {
    /// Per funding source (code nil: not recorded).
    public var byFundingSource: [SpendLine]
    /// Per intervention type.
    public var byType: [SpendLine]
    /// All records (code nil).
    public var total: SpendLine
    public var recordsWithoutAmount: Int

    public init(byFundingSource: [SpendLine], byType: [SpendLine], total: SpendLine, recordsWithoutAmount: Int) {
        self.byFundingSource = byFundingSource
        self.byType = byType
        self.total = total
        self.recordsWithoutAmount = recordsWithoutAmount
    }
}

/// Distinct students, spend, sessions and hours of one funding source or type. Codes are kept
/// as the database holds them, since providers may add their own sources and types (docs/methodology.md §6.1).
public struct SpendLine: Sendable, Equatable {
    public var code: String?
    /// The catalogue's display name ("Pupil premium"), "Not recorded", or "All participants".
    public var label: String
    public var students: Int
    public var spend: PoundsAndPence
    public var sessions: Int
    public var hours: Double

    public init(code: String?, label: String, students: Int, spend: PoundsAndPence, sessions: Int = 0, hours: Double = 0) {
        self.code = code
        self.label = label
        self.students = students
        self.spend = spend
        self.sessions = sessions
        self.hours = hours
    }
}

/// The standardiser of one cohort (the SD of its before scores and how many students it rests
/// on) and how its prior attainment was banded.
public struct CohortStandardisation: Sendable, Equatable {
    public var cohort: String
    public var beforeStudents: Int
    /// Nil when fewer than two students took the before assessment.
    public var beforeStandardDeviation: Double?
    /// "change over before SD" or "z-scores" (when the before and after scales differ).
    public var method: String
    /// How prior attainment was banded in this cohort: `ks2` or `pre_terciles`.
    public var banding: String

    public init(cohort: String, beforeStudents: Int, beforeStandardDeviation: Double?, method: String, banding: String) {
        self.cohort = cohort
        self.beforeStudents = beforeStudents
        self.beforeStandardDeviation = beforeStandardDeviation
        self.method = method
        self.banding = banding
    }
}
