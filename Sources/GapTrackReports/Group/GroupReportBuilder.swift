import GapStatistics
import GapTrackDomain
import GapTrackStore

/// What one member school brings to a group report: its termly report data (computed over its
/// full data, as for its own report), or why it has none for the cohort and term.
public struct GroupMemberData: Sendable {
    public var code: String
    public var name: String
    public var data: TermlyReportData?
    public var reason: String?

    public init(code: String, name: String, data: TermlyReportData) {
        self.code = code
        self.name = name
        self.data = data
    }

    public init(code: String, name: String, missing reason: String) {
        self.code = code
        self.name = name
        self.reason = reason
    }
}

/// Member schools' data → the group report's true figures (docs/methodology.md §5.7, §7.10). The
/// schools' gaps come from the same builder as their own reports, so a school's row equals the
/// figure its termly report prints.
public struct GroupReportBuilder: Sendable {
    public var rule: SuppressionRule
    public var level: Double

    public init(rule: SuppressionRule = .standard, level: Double = 0.95) {
        self.rule = rule
        self.level = level
    }

    /// How many cohort sizes the funnel's limits are computed at.
    static let curvePoints = 48

    public func build(group: ReportProviderGroup, cohort: CohortCode, term: AcademicTerm, members: [GroupMemberData]) -> GroupGapReport {
        let withData = members.compactMap { member in member.data.map { (member, $0) } }
        var keys: [SubjectKey] = []
        for (_, data) in withData {
            for subject in data.subjects where !keys.contains(SubjectKey(subject)) { keys.append(SubjectKey(subject)) }
        }
        let schoolBuilder = TermlyGapReportBuilder(rule: rule, level: level)
        let built = withData.map { member, data in (member, data, schoolBuilder.build(data)) }
        let subjects = keys.map { key in comparison(key, built) }
        let firstData = withData.first?.1
        let phase = NationalFigures.phase(for: cohort)
        return GroupGapReport(
            group: group, audience: .staff,
            cohort: firstData?.cohort ?? ReportCohort(code: cohort.code, label: cohort.code),
            term: term, comparison: (firstData?.comparison ?? .dfeDisadvantaged).groupLabel,
            suppressionThreshold: rule.threshold, subjects: subjects,
            schoolsWithoutData: members.filter { $0.data == nil }.map {
                GroupSchoolWithoutData(code: $0.code, name: $0.name, reason: $0.reason ?? "no data")
            },
            nationalFigures: phase.map(NationalFigures.figures(for:)) ?? [],
            method: GroupMethodNotes.notes(level: level), suppressionNotes: [])
    }

    struct SubjectKey: Equatable {
        var subject: String
        var assessment: String
        var scale: String

        init(_ aggregates: SubjectAggregates) {
            subject = aggregates.subject
            assessment = aggregates.assessment
            scale = aggregates.scale
        }

        func matches(_ aggregates: SubjectAggregates) -> Bool { self == SubjectKey(aggregates) }
    }

    private func comparison(_ key: SubjectKey, _ built: [(GroupMemberData, TermlyReportData, TermlyGapReport)]) -> GroupSubjectComparison {
        var schools: [GroupSchoolGap] = []
        var gapErrors: [(value: Double, standardError: Double, weight: Double)] = []
        var monthErrors: [(value: Double, standardError: Double, weight: Double)] = []
        var sizes: [Int] = []
        var totalD = 0, totalO = 0
        let z = Normal.criticalValue(level: level)
        for (member, data, report) in built {
            guard let aggregates = data.subjects.first(where: key.matches), let d = aggregates.disadvantaged, let o = aggregates.others else {
                continue
            }
            let (estimate, standardError) = AggregateStatistics.gapIndex(disadvantaged: d, others: o, level: level)
            let row = report.attainment.first { $0.subject == key.subject && $0.assessment == key.assessment && $0.scale == key.scale }
            let months = row?.months?.value?.months
            let weight = GapIndexFunnel.nullPrecision(disadvantaged: d.count, others: o.count)
            if let standardError { gapErrors.append((estimate.value, standardError, weight)) }
            if let months, let lower = months.lower, let upper = months.upper, upper > lower {
                monthErrors.append((months.value, (upper - lower) / (2 * z), weight))
            }
            totalD += d.count
            totalO += o.count
            sizes.append(d.count + o.count)
            schools.append(GroupSchoolGap(
                code: member.code, name: member.name, disadvantaged: .value(d.count), others: .value(o.count),
                students: .value(d.count + o.count), gapIndex: .value(estimate), months: months.map { .value($0) }, position: nil,
                treatWithCare: nil))
        }
        let pooled = GapIndexFunnel.pooled(gapErrors)
        let pooledMonths = GapIndexFunnel.pooled(monthErrors)
        var funnel: GroupFunnel?
        if let pooled, totalD + totalO > 0,
           let shape = try? GapIndexFunnel(target: pooled.value, disadvantagedShare: Double(totalD) / Double(totalD + totalO)) {
            funnel = Self.curve(shape, largest: Double(sizes.max() ?? 0))
            for index in schools.indices {
                guard case .value(let gap) = schools[index].gapIndex, gap.hasInterval, case .value(let n) = schools[index].students else { continue }
                schools[index].position = .value(shape.position(gap: gap.value, cohortSize: Double(n)))
            }
        }
        return GroupSubjectComparison(
            subject: key.subject, assessment: key.assessment, scale: key.scale, schools: schools,
            disadvantaged: .value(totalD), others: .value(totalO), students: .value(totalD + totalO),
            pooledGapIndex: pooled.map { .value(pooledEstimate($0, unit: .gapIndex, z: z)) },
            pooledMonths: pooledMonths.map { .value(pooledEstimate($0, unit: .months, z: z)) },
            funnel: funnel)
    }

    private func pooledEstimate(_ pooled: (value: Double, standardError: Double), unit: FigureUnit, z: Double) -> Estimate {
        Estimate(pooled.value, unit: unit, lower: pooled.value - z * pooled.standardError, upper: pooled.value + z * pooled.standardError,
                 method: "pooled, weighted by each cohort's null precision")
    }

    /// The limits from the smallest cohort with a pupil on each side to a little past the largest
    /// school, at sizes spaced evenly on a square-root scale (where the funnel bends most), each
    /// rounded to 4 decimals so that the same data always gives the same bytes.
    static func curve(_ shape: GapIndexFunnel, largest: Double) -> GroupFunnel {
        let start = shape.smallestCohort
        let end = max(start + 1, largest * 1.15)
        func round4(_ value: Double) -> Double { (value * 10_000).rounded() / 10_000 }
        let points = (0..<curvePoints).map { index -> GroupFunnel.FunnelPoint in
            let fraction = Double(index) / Double(curvePoints - 1)
            let root = start.squareRoot() + fraction * (end.squareRoot() - start.squareRoot())
            let n = round4(root * root)
            let warning = shape.limits(cohortSize: n, level: 0.95)
            let alarm = shape.limits(cohortSize: n, level: 0.998)
            return .init(cohortSize: n, lower95: round4(warning.lower), upper95: round4(warning.upper),
                         lower998: round4(alarm.lower), upper998: round4(alarm.upper))
        }
        return GroupFunnel(target: round4(shape.target), disadvantagedShare: round4(shape.disadvantagedShare), curve: points)
    }
}

/// How the group report's figures are made, printed with it.
enum GroupMethodNotes {
    static func notes(level: Double) -> [MethodNote] {
        let percent = FixedDecimal.format(level * 100, decimals: 0)
        return [
            MethodNote(topic: "Each school's gap", text:
                "The DfE disadvantage gap index and the gap in months of learning for each school, computed over the school's full data exactly as "
                + "its own termly report computes them (docs/methodology.md §5), with \(percent)% intervals (DeLong for the index)."),
            MethodNote(topic: "The group's pooled gap", text:
                "The schools' gap indices (and months) averaged with weights 12·nD·nO/(n + 1), the precision a cohort of that size and split "
                + "gives when there is no gap (Mann–Whitney), so that a school with an extreme gap, whose own interval narrows, cannot pull the "
                + "group's figure to itself; the \(percent)% interval is from SE = √(Σ w²·SE²)/Σ w with each school's own SE "
                + "(docs/methodology.md §5.7). Schools without an interval (a side with one pupil) are left out of the pooling."),
            MethodNote(topic: "Funnel plot", text:
                "Each school's gap index against its number of pupils assessed, with 95% and 99.8% control limits around the group's pooled gap "
                + "(D. J. Spiegelhalter, Funnel plots for comparing institutional performance, Statistics in Medicine 24, 2005): target ± z·SE(n), "
                + "z = 1.96 and 3.09, SE(n) the standard error of a school of n pupils whose true gap is the group's, by the Hanley–McNeil "
                + "variance of the area under the curve (Radiology 143, 1982) with the group's share of disadvantaged pupils "
                + "(docs/methodology.md §5.7). A school outside the 95% limits differs from the group by more than chance gives a cohort of "
                + "its size about once in 20; outside the 99.8% limits, about once in 500: look into it."),
        ]
    }
}
