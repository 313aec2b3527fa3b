import Foundation
import GapTrackDomain

// The plain values the report repositories read: counts, sums and rank aggregates of a
// cohort's groups, never a row per student. Codable, because a termly report's data is stored
// and served again while its inputs are unchanged (`ReportSnapshots`, sql/functions/report_snapshots.sql).

/// One import file behind a report.
public struct ImportRecord: Sendable, Equatable, Codable {
    /// students, markers, attendance, assessments or support.
    public var kind: String
    public var file: String
    /// The file's checksum as the import ledger stores it (SHA-256, hex).
    public var checksum: String
    public var importedAt: Date
    public var rows: Int?

    public init(kind: String, file: String, checksum: String, importedAt: Date, rows: Int?) {
        self.kind = kind
        self.file = file
        self.checksum = checksum
        self.importedAt = importedAt
        self.rows = rows
    }
}

/// An intervention type delivered to the cohort this academic year, with the before and after
/// assessments its default impact section compares (`report_impact_candidates`).
public struct ImpactCandidate: Sendable, Equatable, Codable {
    public var type: String
    /// Cohort students with a delivered record of the type and plan.
    public var participants: Int
    /// `subject`, `assessment`, `attendance`, or nil when the records name no target.
    public var targetKind: String?
    /// The subject of a subject or assessment target, as stored.
    public var subject: String?
    /// The plan columns as stored (`SupportTargets.columnList` order): they pick out the group's
    /// records (`ImpactReportRepository.Participation.plan`).
    public var plan: [String?]
    /// The entry and exit the section is judged on: a term, and for an assessment the
    /// assessment's name when the plan names one; nil when there is none yet.
    public var before: AcademicTerm?
    public var beforeName: String?
    public var after: AcademicTerm?
    public var afterName: String?

    public init(
        type: String, participants: Int, targetKind: String?, subject: String?, plan: [String?], before: AcademicTerm?, beforeName: String?,
        after: AcademicTerm?, afterName: String?
    ) {
        self.type = type
        self.participants = participants
        self.targetKind = targetKind
        self.subject = subject
        self.plan = plan
        self.before = before
        self.beforeName = beforeName
        self.after = after
        self.afterName = afterName
    }
}

/// One group's scores on one assessment, with the pieces of the rank statistics.
public struct ScoreAggregates: Sendable, Equatable, Codable {
    public var count: Int
    public var mean: Double
    /// Sample variance (divisor n − 1); 0 for a single student.
    public var variance: Double
    /// Mean of the group's percentile ranks over everyone who took the assessment (midranks ÷ n).
    public var meanPercentileRank: Double
    /// Sample variance (divisor n − 1) of the group's DeLong placements: for an other student,
    /// the share of disadvantaged students they outscore (ties ½); for a disadvantaged student,
    /// the share of others who outscore them (ties ½). Nil for a single student.
    public var placementVariance: Double?

    public init(count: Int, mean: Double, variance: Double, meanPercentileRank: Double, placementVariance: Double?) {
        self.count = count
        self.mean = mean
        self.variance = variance
        self.meanPercentileRank = meanPercentileRank
        self.placementVariance = placementVariance
    }
}

/// The least-squares line of percentile rank on age in months at the assessment, over everyone
/// who took it: the age gradient that turns a rank gap into months.
public struct AgeGradientAggregates: Sendable, Equatable, Codable {
    public var count: Int
    public var slope: Double
    public var intercept: Double
    /// Σ(age − mean age)².
    public var sumSquaresAge: Double
    /// Σ residual².
    public var residualSumSquares: Double

    public init(count: Int, slope: Double, intercept: Double, sumSquaresAge: Double, residualSumSquares: Double) {
        self.count = count
        self.slope = slope
        self.intercept = intercept
        self.sumSquaresAge = sumSquaresAge
        self.residualSumSquares = residualSumSquares
    }
}

public struct SubjectAggregates: Sendable, Equatable, Codable {
    public var subject: String
    public var assessment: String
    public var scale: String
    public var disadvantaged: ScoreAggregates?
    public var others: ScoreAggregates?
    /// Nil when ages are missing or do not vary.
    public var ageGradient: AgeGradientAggregates?
    /// The cohort's paired progress since an earlier assessment of the same subject and scale
    /// this academic year; nil when there is none (e.g. in the autumn term).
    public var progress: ProgressAggregates?

    public init(
        subject: String, assessment: String, scale: String, disadvantaged: ScoreAggregates?, others: ScoreAggregates?,
        ageGradient: AgeGradientAggregates?, progress: ProgressAggregates? = nil
    ) {
        self.subject = subject
        self.assessment = assessment
        self.scale = scale
        self.disadvantaged = disadvantaged
        self.others = others
        self.ageGradient = ageGradient
        self.progress = progress
    }
}

/// The paired progress of the cohort's students between an earlier assessment of the same subject
/// and scale and this one (`report_progress_rate`): the inputs of
/// GapStatistics.ProgressRateConversion(first:second:monthsBetween:).
public struct ProgressAggregates: Sendable, Equatable, Codable {
    /// The earlier assessment's name, e.g. "Year 11 autumn mock".
    public var earlierAssessment: String
    public var earlierTerm: Term
    /// Students with a result at both.
    public var paired: Int
    /// Mean of (this score − earlier score).
    public var meanChange: Double
    /// Sample variance (divisor n − 1) of the change; 0 for one student.
    public var changeVariance: Double
    /// Mean days between the two results ÷ 30.4375.
    public var monthsBetween: Double

    public init(earlierAssessment: String, earlierTerm: Term, paired: Int, meanChange: Double, changeVariance: Double, monthsBetween: Double) {
        self.earlierAssessment = earlierAssessment
        self.earlierTerm = earlierTerm
        self.paired = paired
        self.meanChange = meanChange
        self.changeVariance = changeVariance
        self.monthsBetween = monthsBetween
    }
}

/// Session sums of one group's students over the term, with the sums of squares and products
/// the ratio estimator's variance needs (attended a, possible p per student).
public struct AttendanceAggregates: Sendable, Equatable, Codable {
    public var group: ReportGroup
    public var students: Int
    public var possible: Int
    public var attended: Int
    public var sumAttendedSquared: Double
    public var sumPossibleSquared: Double
    public var sumAttendedTimesPossible: Double
    public var persistentlyAbsent: Int
    public var severelyAbsent: Int

    public init(
        group: ReportGroup, students: Int, possible: Int, attended: Int, sumAttendedSquared: Double, sumPossibleSquared: Double,
        sumAttendedTimesPossible: Double, persistentlyAbsent: Int, severelyAbsent: Int
    ) {
        self.group = group
        self.students = students
        self.possible = possible
        self.attended = attended
        self.sumAttendedSquared = sumAttendedSquared
        self.sumPossibleSquared = sumPossibleSquared
        self.sumAttendedTimesPossible = sumAttendedTimesPossible
        self.persistentlyAbsent = persistentlyAbsent
        self.severelyAbsent = severelyAbsent
    }
}

public struct SupportAggregates: Sendable, Equatable, Codable {
    /// The type's code (`intervention_types.type`); nil for all types together.
    public var type: String?
    public var label: String
    public var students: Int
    public var disadvantagedStudents: Int
    public var sessions: Int
    public var hours: Double
    public var spend: PoundsAndPence

    public init(type: String?, label: String, students: Int, disadvantagedStudents: Int, sessions: Int, hours: Double, spend: PoundsAndPence) {
        self.type = type
        self.label = label
        self.students = students
        self.disadvantagedStudents = disadvantagedStudents
        self.sessions = sessions
        self.hours = hours
        self.spend = spend
    }
}

public struct FundingAggregates: Sendable, Equatable, Codable {
    /// The source's code (`funding_sources.funding_source`); nil where none was recorded.
    public var source: String?
    public var label: String
    public var students: Int
    public var spend: PoundsAndPence

    public init(source: String?, label: String, students: Int, spend: PoundsAndPence) {
        self.source = source
        self.label = label
        self.students = students
        self.spend = spend
    }
}


/// Spend of one support type from one funding source (nil: not recorded): not printed, but a
/// reader may know which funds pay for which types, so the disclosure audit models it
/// (docs/disclosure-control.md §7.2).
public struct TypeFundSpend: Sendable, Equatable, Codable {
    public var type: String
    public var source: String?
    public var spend: PoundsAndPence

    public init(type: String, source: String?, spend: PoundsAndPence) {
        self.type = type
        self.source = source
        self.spend = spend
    }
}
