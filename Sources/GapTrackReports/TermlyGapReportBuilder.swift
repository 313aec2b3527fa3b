import GapStatistics
import GapTrackDomain

/// Turns the aggregates read from the database into a `TermlyGapReport`: figures with their
/// intervals, suppression applied (primary and secondary), method and suppression notes, the
/// trend and the national comparison. Pure and deterministic: the same data, the same report.
public struct TermlyGapReportBuilder: Sendable {
    public var rule: SuppressionRule
    /// Confidence level of every interval.
    public var level: Double

    public init(rule: SuppressionRule = .standard, level: Double = 0.95) {
        self.rule = rule
        self.level = level
    }

    public func build(_ data: TermlyReportData) -> TermlyGapReport {
        var log = SuppressionLog()
        let sizes = groupSizes(data, log: &log)
        let attainment = data.subjects.map { subjectGap($0, log: &log) }
        let attendance = attendanceSection(data, log: &log)
        let support = supportSection(data, log: &log)
        let trend = trendSeries(data)
        return TermlyGapReport(
            provider: data.provider, cohort: data.cohort, term: data.term,
            dataCut: DataCut(imports: data.imports), method: MethodNotes.notes(for: data, level: level, threshold: rule.threshold),
            groupSizes: sizes, attainment: attainment, attendance: attendance, support: support, trend: trend,
            nationalComparison: nationalComparison(data, attainment: attainment), suppressionThreshold: rule.threshold,
            suppressionNotes: log.notes)
    }

    // MARK: - Group sizes

    /// The groups a provider of this kind reports, in order (domain.md §1).
    static func groups(for kind: ReportProvider.Kind, counts: [ReportGroup: Int]) -> [ReportGroup] {
        let school: [ReportGroup] = [
            .cohort, .disadvantaged, .others, .fsm, .fsmEver6, .lookedAfter, .eal, .sen, .senEHCPlan, .senSupport, .refugee, .youngCarer,
            .serviceChild,
        ]
        let higherEducation: [ReportGroup] = (1...5).map(ReportGroup.imdQuintile) + (1...5).map(ReportGroup.polar4Quintile)
            + [.firstInFamily, .careLeaver, .estranged]
        let socioEconomic: [ReportGroup] = [.smc(.professional), .smc(.intermediate), .smc(.lowerSocioEconomic), .smcDeclared, .smcNotDeclared]
        var wanted: [ReportGroup]
        switch kind {
        case .school: wanted = school
        case .college: wanted = school + [.careLeaver] + (1...5).map(ReportGroup.imdQuintile)
        case .university: wanted = [.cohort, .disadvantaged, .others] + higherEducation + socioEconomic
        }
        // Any other group the data has (an SMC survey at a school, say) is listed too, in the
        // standard order. "SMC: not declared" is everyone without an SMC group, so it alone does
        // not mean the question was asked.
        let hasSMC = (counts[.smcDeclared] ?? 0) > 0
        for group in ReportGroup.standardOrder where !wanted.contains(group) {
            if socioEconomic.contains(group) ? hasSMC : (counts[group] ?? 0) > 0 { wanted.append(group) }
        }
        return ReportGroup.standardOrder.filter { wanted.contains($0) }
    }

    /// Partitions of the group-size table: sets of groups whose counts add up to another's.
    static let groupPartitions: [CellSuppression.Partition] = [
        .init(cells: [ReportGroup.disadvantaged.id, ReportGroup.others.id], total: ReportGroup.cohort.id),
        .init(cells: [ReportGroup.senEHCPlan.id, ReportGroup.senSupport.id], total: ReportGroup.sen.id),
        .init(cells: (1...5).map { ReportGroup.imdQuintile($0).id }, total: ReportGroup.cohort.id),
        .init(cells: (1...5).map { ReportGroup.polar4Quintile($0).id }, total: ReportGroup.cohort.id),
        .init(cells: [ReportGroup.smc(.professional).id, ReportGroup.smc(.intermediate).id, ReportGroup.smc(.lowerSocioEconomic).id],
              total: ReportGroup.smcDeclared.id),
        .init(cells: [ReportGroup.smcDeclared.id, ReportGroup.smcNotDeclared.id], total: ReportGroup.cohort.id),
    ]

    func groupSizes(_ data: TermlyReportData, log: inout SuppressionLog) -> [GroupSize] {
        var counts = data.groupCounts
        counts[.cohort] = data.cohortSize
        let groups = Self.groups(for: data.provider.kind, counts: counts)
        var byKey = [String: Int]()
        for group in groups { byKey[group.id] = counts[group] ?? 0 }
        var suppression = CellSuppression(rule: rule)
        suppression.apply(counts: byKey, order: groups.map(\.id), partitions: Self.groupPartitions)
        let declared = counts[.smcDeclared] ?? 0
        return groups.map { group in
            let count = byKey[group.id] ?? 0
            if let reason = suppression.reason(group.id) { log.add(table: "Group sizes", item: group.label, reason: reason) }
            let isSMCGroup = group.family == .socioEconomic && group != .smcDeclared && group != .smcNotDeclared
            let base = isSMCGroup ? declared : data.cohortSize
            let percent = base > 0 ? Estimate(100 * Double(count) / Double(base), unit: .percent) : nil
            return GroupSize(
                group: group, students: suppression.figure(group.id, count),
                percentOfCohort: percent.map { suppression.figure(group.id, $0) } ?? .suppressed(.belowThreshold(threshold: rule.threshold)),
                percentBase: isSMCGroup ? .smcDeclared : .cohort)
        }
    }

    // MARK: - Attainment

    func subjectGap(_ subject: SubjectAggregates, log: inout SuppressionLog) -> SubjectGap {
        let title = "\(subject.subject) (\(subject.assessment))"
        let nD = subject.disadvantaged?.count ?? 0
        let nO = subject.others?.count ?? 0
        var notes = [String]()
        // Both counts are withheld when either group is small: the two add up to everyone who
        // took the assessment, which is close to the cohort size shown in the group sizes.
        let gapReason: SuppressionReason? = {
            if case let .suppressed(reason) = rule.gapFigure((), disadvantagedCount: nD, othersCount: nO) { return reason }
            return nil
        }()
        func scores(_ aggregates: ScoreAggregates) -> ReportedFigure<GroupScores> {
            .value(GroupScores(
                students: aggregates.count, mean: Estimate(aggregates.mean, unit: .scorePoints),
                standardDeviation: Estimate(aggregates.variance.squareRoot(), unit: .scorePoints),
                meanPercentileRank: Estimate(aggregates.meanPercentileRank, unit: .percentileRank)))
        }
        guard gapReason == nil, let d = subject.disadvantaged, let o = subject.others else {
            let reason = gapReason ?? .belowThreshold(threshold: rule.threshold)
            log.add(table: "Attainment", item: title, reason: reason)
            return SubjectGap(
                subject: subject.subject, assessment: subject.assessment, scale: subject.scale,
                disadvantaged: .suppressed(reason), others: .suppressed(reason), gapIndex: .suppressed(reason),
                meanScoreGap: .suppressed(reason), hedgesG: .suppressed(reason), months: .suppressed(reason), notes: [])
        }
        let index = AggregateStatistics.gapIndex(disadvantaged: d, others: o, level: level)
        let meanGap = AggregateStatistics.meanScoreGap(disadvantaged: d, others: o, level: level)
        let g = AggregateStatistics.hedgesG(disadvantaged: d, others: o, level: level)
        if g == nil { notes.append("No effect size: the scores do not vary within the groups.") }
        let rankGap = o.meanPercentileRank - d.meanPercentileRank
        let months: ReportedFigure<MonthsFigure>?
        switch AggregateStatistics.educationalAgeMonths(
            rankGap: rankGap, rankGapStandardError: index.standardError.map { $0 / GapIndex.scaleFactor }, gradient: subject.ageGradient,
            level: level)
        {
        case let .success(value): months = .value(MonthsFigure(value, gapUnit: .percentileRank))
        case let .failure(refusal):
            months = nil
            notes.append("No figure in months: \(refusal.description).")
        }
        return SubjectGap(
            subject: subject.subject, assessment: subject.assessment, scale: subject.scale, disadvantaged: scores(d), others: scores(o),
            gapIndex: .value(index.estimate), meanScoreGap: meanGap.map { .value($0) }, hedgesG: g.map { .value($0) }, months: months,
            notes: notes)
    }
}
