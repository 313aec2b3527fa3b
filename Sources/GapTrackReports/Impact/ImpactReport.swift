import GapStatistics
import GapTrackDomain

/// The impact of an intervention (docs/methodology.md §6): participants against a matched
/// comparison group of non-participants from the same cohort, with the change in attainment as
/// an effect size and in EEF months, the change in attendance, how many were matched, what it
/// cost and what each month of progress cost. For a university's cost-of-living support: uptake
/// among students from lower socio-economic backgrounds (LSEB) against others, and the
/// continuation and module marks of supported LSEB students against comparable ones who were not.
///
/// A plain value, like `TermlyGapReport`: built once from aggregates (`ImpactQueries`,
/// `ImpactReportBuilder`) and rendered in any `ReportFormat`; the same data gives the same bytes.
/// Where the groups are too small to say anything, an outcome carries a refusal, never a number.
public struct ImpactReport: Sendable, Equatable, Codable {
    public var provider: ReportProvider
    public var intervention: ImpactIntervention
    /// The cohort the comparison is drawn from; nil = every cohort, each matched within itself.
    public var cohort: ReportCohort?
    /// Support overlapping this period counts as taking part.
    public var period: ImpactPeriod
    /// The assessment points before and after, in words ("maths, 2024/25 autumn"); nil for universities.
    public var before: String?
    public var after: String?
    public var dataCut: DataCut
    /// A few sentences that say what the report found, in plain words.
    public var summary: [String]
    /// Who took part, who could be compared, and how many were matched.
    public var counts: [ImpactCount]
    public var outcomes: [ImpactOutcome]
    /// Universities: uptake of each kind of cost-of-living support; empty for schools.
    public var uptake: [UptakeRow]
    public var spend: ImpactSpend
    public var costEffectiveness: CostEffectiveness
    public var method: [MethodNote]
    public var suppressionThreshold: Int
    public var suppressionNotes: [String]
    /// Who the report is for (docs/methodology.md §7.6); printed in every format's header.
    public var audience: ReportAudience
    /// What the support targets ("maths", "attendance"), when the section is judged on one
    /// target (docs/methodology.md §6.6).
    public var target: String?
    /// Why the section gives no figures, when it is not judged ("this support names no target").
    public var notJudged: String?

    public init(
        provider: ReportProvider, intervention: ImpactIntervention, cohort: ReportCohort?, period: ImpactPeriod, before: String?,
        after: String?, dataCut: DataCut, summary: [String], counts: [ImpactCount], outcomes: [ImpactOutcome], uptake: [UptakeRow],
        spend: ImpactSpend, costEffectiveness: CostEffectiveness, method: [MethodNote], suppressionThreshold: Int,
        suppressionNotes: [String], audience: ReportAudience = .staff
    ) {
        self.audience = audience
        self.provider = provider
        self.intervention = intervention
        self.cohort = cohort
        self.period = period
        self.before = before
        self.after = after
        self.dataCut = dataCut
        self.summary = summary
        self.counts = counts
        self.outcomes = outcomes
        self.uptake = uptake
        self.spend = spend
        self.costEffectiveness = costEffectiveness
        self.method = method
        self.suppressionThreshold = suppressionThreshold
        self.suppressionNotes = suppressionNotes
    }

    /// "Intervention impact: Tutoring at Demo Academy, Year 11, 2024-09-01 to 2025-07-31".
    public var title: String {
        "Intervention impact: \(intervention.label)" + (target.map { " (target: \($0))" } ?? "") + " at \(provider.name)"
            + (cohort.map { ", \($0.label)" } ?? "")
            + ", \(period.from.isoString) to \(period.to.isoString)"
    }

    public func outcome(_ id: String) -> ImpactOutcome? { outcomes.first { $0.id == id } }
    public func count(_ id: String) -> ImpactCount? { counts.first { $0.id == id } }
}

/// What is being evaluated: one or more intervention types, one programme (support records whose
/// reference starts with a given text), or a university's cost-of-living support.
public struct ImpactIntervention: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable {
        case type
        case programme
        case costOfLiving = "cost_of_living"
    }

    public var kind: Kind
    public var types: [InterventionType]
    /// The reference prefix of a programme's records.
    public var programme: String?

    public init(kind: Kind, types: [InterventionType], programme: String? = nil) {
        self.kind = kind
        self.types = types
        self.programme = programme
    }

    public static func type(_ type: InterventionType) -> ImpactIntervention { ImpactIntervention(kind: .type, types: [type]) }
    public static func programme(_ prefix: String) -> ImpactIntervention { ImpactIntervention(kind: .programme, types: [], programme: prefix) }

    /// The four kinds of support universities give against the cost of living (docs/methodology.md §6).
    public static let costOfLivingTypes: [InterventionType] = [.hardshipAward, .bursary, .foodSupport, .housingSupport]
    public static let costOfLiving = ImpactIntervention(kind: .costOfLiving, types: costOfLivingTypes)

    /// "Tutoring", "Programme NTP-2024", "Cost-of-living support".
    public var label: String {
        switch kind {
        case .type: types.map(Self.label(for:)).joined(separator: " and ")
        case .programme: "Programme \(programme ?? "")"
        case .costOfLiving: "Cost-of-living support"
        }
    }

    /// "Tutoring", "Hardship award".
    public static func label(for type: InterventionType) -> String {
        let words = type.rawValue.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}

/// The dates between which support counts (both included).
public struct ImpactPeriod: Sendable, Equatable, Codable {
    public var from: CalendarDate
    public var to: CalendarDate

    public init(from: CalendarDate, to: CalendarDate) {
        self.from = from
        self.to = to
    }
}

/// One count of students in the report: shown, or `c`.
public struct ImpactCount: Sendable, Equatable, Codable {
    /// Stable id for CSV and JSON, e.g. `participants`, `attainment.matched`.
    public var id: String
    public var label: String
    public var students: ReportedFigure<Int>

    public init(id: String, label: String, students: ReportedFigure<Int>) {
        self.id = id
        self.label = label
        self.students = students
    }
}

/// One outcome compared between matched participants and comparison students: the change in
/// attainment (effect size), the change in attendance (percentage points), continuation
/// (percentage points) or mean module mark (marks).
public struct ImpactOutcome: Sendable, Equatable, Codable {
    /// `attainment`, `attendance`, `continuation` or `module_mark`.
    public var id: String
    /// "Maths: change from 2024/25 autumn to 2024/25 summer".
    public var label: String
    /// Matched participants with this outcome.
    public var participants: ReportedFigure<Int>
    /// Matched comparison students with this outcome.
    public var comparison: ReportedFigure<Int>
    /// Participants with this outcome who had no comparison student in their stratum.
    public var unmatchedParticipants: ReportedFigure<Int>
    /// Mean outcome (or change) of the matched participants; nil when refused.
    public var participantMean: Estimate?
    /// Stratum-weighted mean outcome of the matched comparison students; nil when refused.
    public var comparisonMean: Estimate?
    /// Participants − comparison, with its interval; nil when refused.
    public var effect: Estimate?
    /// EEF months of additional progress, with the months of the interval's ends (attainment only).
    public var months: Estimate?
    /// Why no figure is given, in words; nil when there is one.
    public var refusal: String?
    /// What the figures mean, in one plain sentence.
    public var finding: String

    public init(
        id: String, label: String, participants: ReportedFigure<Int>, comparison: ReportedFigure<Int>,
        unmatchedParticipants: ReportedFigure<Int>, participantMean: Estimate?, comparisonMean: Estimate?, effect: Estimate?,
        months: Estimate?, refusal: String?, finding: String
    ) {
        self.id = id
        self.label = label
        self.participants = participants
        self.comparison = comparison
        self.unmatchedParticipants = unmatchedParticipants
        self.participantMean = participantMean
        self.comparisonMean = comparisonMean
        self.effect = effect
        self.months = months
        self.refusal = refusal
        self.finding = finding
    }

    /// Whether the interval lies wholly above zero.
    public var isPositiveAndClear: Bool {
        guard let effect, let lower = effect.lower else { return false }
        return effect.value > 0 && lower > 0
    }
}

/// Uptake of one kind of cost-of-living support (or of any, when `type` is nil) among LSEB
/// students and among others, each with Wilson's interval, and the difference with Newcombe's.
public struct UptakeRow: Sendable, Equatable, Codable {
    public var type: InterventionType?
    /// The type's display name from the catalogue, or "Any cost-of-living support".
    public var label: String
    public var lsebSupported: ReportedFigure<Int>
    public var lsebPercent: ReportedFigure<Estimate>
    public var othersSupported: ReportedFigure<Int>
    public var othersPercent: ReportedFigure<Estimate>
    /// LSEB − others, percentage points.
    public var difference: ReportedFigure<Estimate>

    public init(
        type: InterventionType?, label: String, lsebSupported: ReportedFigure<Int>, lsebPercent: ReportedFigure<Estimate>,
        othersSupported: ReportedFigure<Int>, othersPercent: ReportedFigure<Estimate>, difference: ReportedFigure<Estimate>
    ) {
        self.type = type
        self.label = label
        self.lsebSupported = lsebSupported
        self.lsebPercent = lsebPercent
        self.othersSupported = othersSupported
        self.othersPercent = othersPercent
        self.difference = difference
    }
}

/// What the intervention cost: by funding source, by type, and in all, with spend per student.
public struct ImpactSpend: Sendable, Equatable, Codable {
    public var byFundingSource: [ImpactSpendRow]
    public var byType: [ImpactSpendRow]
    public var total: ImpactSpendRow
    /// Delivered records with no amount recorded: spend is then a lower bound.
    public var recordsWithoutAmount: ReportedFigure<Int>

    public init(byFundingSource: [ImpactSpendRow], byType: [ImpactSpendRow], total: ImpactSpendRow, recordsWithoutAmount: ReportedFigure<Int>) {
        self.byFundingSource = byFundingSource
        self.byType = byType
        self.total = total
        self.recordsWithoutAmount = recordsWithoutAmount
    }
}

public struct ImpactSpendRow: Sendable, Equatable, Codable {
    /// A funding source or type code, `not_recorded`, or `all`.
    public var id: String
    public var label: String
    /// Distinct students whose records this row counts.
    public var students: ReportedFigure<Int>
    public var spend: ReportedFigure<PoundsAndPence>
    /// Spend ÷ students, to the nearest penny (halves up).
    public var perStudent: ReportedFigure<PoundsAndPence>

    public init(id: String, label: String, students: ReportedFigure<Int>, spend: ReportedFigure<PoundsAndPence>, perStudent: ReportedFigure<PoundsAndPence>) {
        self.id = id
        self.label = label
        self.students = students
        self.spend = spend
        self.perStudent = perStudent
    }
}

/// Pounds per month of additional progress, given only where the effect is positive and its
/// interval excludes zero; otherwise a plain sentence saying why there is none.
public struct CostEffectiveness: Sendable, Equatable, Codable {
    public var poundsPerMonth: PoundsAndPence?
    public var statement: String

    public init(poundsPerMonth: PoundsAndPence?, statement: String) {
        self.poundsPerMonth = poundsPerMonth
        self.statement = statement
    }
}
