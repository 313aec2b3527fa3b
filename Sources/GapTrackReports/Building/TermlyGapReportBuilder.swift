import GapStatistics
import GapTrackDomain
import GapTrackStore

/// Turns the aggregates read from the database into a `TermlyGapReport` of true figures: every
/// figure with its interval, over the provider's full data, the trend and the national
/// comparison. Nothing is withheld here: `TermlyReportShaping` shapes the one computation for its
/// audience (docs/methodology.md §7.6). Pure and deterministic: the same data, the same report.
public struct TermlyGapReportBuilder: Sendable {
    public var rule: SuppressionRule
    /// Confidence level of every interval.
    public var level: Double
    /// Who is compared with the others: set from the data by `build`.
    var comparison: ComparisonGroup = .dfeDisadvantaged
    /// Set from the data by `build`: universities get no months of learning (`ReportText.noMonths`).
    var providerKind: ReportProvider.Kind = .school

    public init(rule: SuppressionRule = .standard, level: Double = 0.95) {
        self.rule = rule
        self.level = level
    }

    public func build(_ data: TermlyReportData) -> TermlyGapReport {
        var builder = self
        builder.comparison = data.comparison
        builder.providerKind = data.provider.kind
        return builder.report(data)
    }

    private func report(_ data: TermlyReportData) -> TermlyGapReport {
        let sizes = groupSizes(data)
        let attainment = data.subjects.map { subjectGap($0) }
        let attendance = attendanceSection(data)
        let support = supportSection(data)
        let trend = trendSeries(data)
        var report = TermlyGapReport(
            provider: data.provider, cohort: data.cohort, term: data.term,
            dataCut: DataCut(imports: data.imports), method: MethodNotes.notes(for: data, level: level, threshold: rule.threshold),
            groupSizes: sizes.map(relabelled), attainment: attainment,
            attendance: AttendanceSection(
                rows: attendance.rows.map(relabelled), attendanceGap: attendance.attendanceGap, persistentAbsenceGap: attendance.persistentAbsenceGap),
            support: support, trend: trend, nationalComparison: nationalComparison(data, attainment: attainment),
            suppressionThreshold: rule.threshold, suppressionNotes: [], comparison: comparison)
        report.yearGroups = data.yearGroups.map { $0.map { yearGroupSection($0, of: data) } }
        report.nationalContext = data.cohort.cohortCode.map { NationalContextFigures.latest(for: $0, upTo: data.term.year) }.flatMap { $0.isEmpty ? nil : $0 }
        report.keyStage4 = keyStage4Sections(data)
        return report
    }

    /// One year group's section, built as its own one-year report would build those tables.
    func yearGroupSection(_ yearGroup: YearGroupAggregates, of data: TermlyReportData) -> YearGroupSection {
        var part = data
        part.cohort = yearGroup.cohort
        part.cohortSize = yearGroup.cohortSize
        part.groupCounts = yearGroup.groupCounts
        part.subjects = yearGroup.subjects
        part.attendance = yearGroup.attendance
        let attendance = attendanceSection(part)
        return YearGroupSection(
            cohort: yearGroup.cohort, groupSizes: groupSizes(part).filter { YearGroupSection.groups.contains($0.group) }.map(relabelled),
            attainment: yearGroup.subjects.map { subjectGap($0) },
            attendance: AttendanceSection(
                rows: attendance.rows.map(relabelled), attendanceGap: attendance.attendanceGap, persistentAbsenceGap: attendance.persistentAbsenceGap))
    }

    /// The compared pair's rows under the comparison's own names ("LSEB (lower socio-economic
    /// background)", "Others: IMD quintiles 2–5"); ids stay `disadvantaged` and `others`.
    func relabelled(_ group: ReportGroup) -> ReportGroup {
        switch group.id {
        case ReportGroup.disadvantaged.id: ReportGroup(id: group.id, label: comparison.groupLabel, family: group.family)
        case ReportGroup.others.id: ReportGroup(id: group.id, label: comparison.othersLabel, family: group.family)
        default: group
        }
    }

    private func relabelled(_ row: GroupSize) -> GroupSize {
        var row = row
        row.group = relabelled(row.group)
        return row
    }

    private func relabelled(_ row: AttendanceRow) -> AttendanceRow {
        var row = row
        row.group = relabelled(row.group)
        return row
    }

    /// A figure comparing the two groups, which exists only where each group has a pupil; whether
    /// it is printed is the audience's shaping's business.
    func gapFigure<Value: Sendable>(_ value: Value, disadvantagedCount: Int, othersCount: Int) -> ReportedFigure<Value> {
        if disadvantagedCount < 1 { return .suppressed(.groupBelowThreshold(group: comparison.groupWord, threshold: 1)) }
        if othersCount < 1 { return .suppressed(.groupBelowThreshold(group: "other", threshold: 1)) }
        return .value(value)
    }

    // MARK: - Group sizes

    /// The groups a provider of this kind reports, in order (docs/methodology.md §1).
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
    static let groupPartitions: [GroupPartition] = [
        .init(cells: [ReportGroup.disadvantaged.id, ReportGroup.others.id], total: ReportGroup.cohort.id),
        .init(cells: [ReportGroup.senEHCPlan.id, ReportGroup.senSupport.id], total: ReportGroup.sen.id),
        .init(cells: (1...5).map { ReportGroup.imdQuintile($0).id }, total: ReportGroup.cohort.id),
        .init(cells: (1...5).map { ReportGroup.polar4Quintile($0).id }, total: ReportGroup.cohort.id),
        .init(cells: [ReportGroup.smc(.professional).id, ReportGroup.smc(.intermediate).id, ReportGroup.smc(.lowerSocioEconomic).id],
              total: ReportGroup.smcDeclared.id),
        .init(cells: [ReportGroup.smcDeclared.id, ReportGroup.smcNotDeclared.id], total: ReportGroup.cohort.id),
    ]

    func groupSizes(_ data: TermlyReportData) -> [GroupSize] {
        var counts = data.groupCounts
        counts[.cohort] = data.cohortSize
        let groups = Self.groups(for: data.provider.kind, counts: counts)
        let declared = counts[.smcDeclared] ?? 0
        return groups.map { group in
            let count = counts[group] ?? 0
            let isSMCGroup = group.family == .socioEconomic && group != .smcDeclared && group != .smcNotDeclared
            let base = isSMCGroup ? declared : data.cohortSize
            let percent = base > 0 ? Estimate(100 * Double(count) / Double(base), unit: .percent) : nil
            return GroupSize(
                group: group, students: .value(count),
                percentOfCohort: percent.map { .value($0) } ?? .suppressed(.groupBelowThreshold(group: "base", threshold: 1)),
                percentBase: isSMCGroup ? .smcDeclared : .cohort)
        }
    }

    // MARK: - Attainment

    func subjectGap(_ subject: SubjectAggregates) -> SubjectGap {
        let nD = subject.disadvantaged?.count ?? 0
        let nO = subject.others?.count ?? 0
        var notes = [String]()
        let gapReason: SuppressionReason? = {
            if case let .suppressed(reason) = gapFigure((), disadvantagedCount: nD, othersCount: nO) { return reason }
            return nil
        }()
        func scores(_ aggregates: ScoreAggregates) -> ReportedFigure<GroupScores> {
            .value(GroupScores(
                students: aggregates.count, mean: Estimate(aggregates.mean, unit: .scorePoints),
                standardDeviation: Estimate(aggregates.variance.squareRoot(), unit: .scorePoints),
                meanPercentileRank: Estimate(aggregates.meanPercentileRank, unit: .percentileRank)))
        }
        guard gapReason == nil, let d = subject.disadvantaged, let o = subject.others else {
            let reason = gapReason ?? .groupBelowThreshold(group: comparison.groupWord, threshold: 1)
            return SubjectGap(
                subject: subject.subject, assessment: subject.assessment, scale: subject.scale,
                disadvantaged: .suppressed(reason), others: .suppressed(reason), gapIndex: .suppressed(reason),
                meanScoreGap: .suppressed(reason), hedgesG: .suppressed(reason), months: providerKind == .university ? nil : .suppressed(reason), notes: [])
        }
        let index = AggregateStatistics.gapIndex(disadvantaged: d, others: o, level: level)
        let meanGap = AggregateStatistics.meanScoreGap(disadvantaged: d, others: o, level: level)
        let g = AggregateStatistics.hedgesG(disadvantaged: d, others: o, level: level)
        if g == nil { notes.append("No effect size: the scores do not vary within the groups.") }
        let conversions = providerKind == .university
            ? [] : monthsConversions(subject, disadvantaged: d, others: o, rankGapStandardError: index.standardError.map { $0 / GapIndex.scaleFactor })
        let months = conversions.first(where: \.isPrimary)?.figure
        return SubjectGap(
            subject: subject.subject, assessment: subject.assessment, scale: subject.scale, disadvantaged: scores(d), others: scores(o),
            gapIndex: .value(index.estimate), meanScoreGap: meanGap.map { .value($0) }, hedgesG: g.map { .value($0) }, months: months,
            notes: notes, monthsConversions: conversions)
    }

    /// The gap in months by the progress rate and by educational age (docs/methodology.md §5, conversions
    /// 2 and 1), each with its inputs or its refusal. The primary figure is the progress rate
    /// where the cohort sat an earlier assessment of the subject on the same scale this year;
    /// otherwise educational age (see `MethodNotes`, "Months of learning", for why).
    func monthsConversions(
        _ subject: SubjectAggregates, disadvantaged d: ScoreAggregates, others o: ScoreAggregates, rankGapStandardError: Double?
    ) -> [MonthsConversion] {
        let progress = AggregateStatistics.progressRateMonths(
            scoreGap: o.mean - d.mean, scoreGapStandardError: AggregateStatistics.meanScoreGapStandardError(disadvantaged: d, others: o),
            progress: subject.progress, scoreUnits: "score points (\(subject.scale))", level: level)
        let age = AggregateStatistics.educationalAgeMonths(
            rankGap: o.meanPercentileRank - d.meanPercentileRank, rankGapStandardError: rankGapStandardError, gradient: subject.ageGradient,
            level: level)
        var progressFigure: MonthsFigure?
        if case let .success(value) = progress, let paired = subject.progress {
            var figure = MonthsFigure(value, gapUnit: .scorePoints)
            let rateError = (paired.changeVariance / Double(paired.paired)).squareRoot() / paired.monthsBetween
            let z = Normal.criticalValue(level: level)
            if let rate = value.ratePerMonth {
                figure.ratePerMonth = Estimate(rate, unit: .ratePerMonth, lower: rate - z * rateError, upper: rate + z * rateError, method: "normal, paired changes")
            }
            figure.monthsBetween = Estimate(paired.monthsBetween, unit: .months)
            figure.comparedWith = "\(paired.earlierAssessment) (\(paired.earlierTerm))"
            progressFigure = figure
        }
        let ageFigure: MonthsFigure? = if case let .success(value) = age { MonthsFigure(value, gapUnit: .percentileRank) } else { nil }
        let progressIsPrimary = progressFigure != nil
        func refusal(_ result: Result<MonthsOfLearning, MonthsOfLearning.Refusal>) -> String? {
            if case let .failure(error) = result { return error.description }
            return nil
        }
        return [
            MonthsConversion(
                method: MonthsOfLearningMethod.progressRate.rawValue, label: "Progress rate", isPrimary: progressIsPrimary,
                figure: progressFigure.map { .value($0) }, refusal: refusal(progress)),
            MonthsConversion(
                method: MonthsOfLearningMethod.educationalAge.rawValue, label: "Educational age", isPrimary: !progressIsPrimary && ageFigure != nil,
                figure: ageFigure.map { .value($0) }, refusal: refusal(age)),
        ]
    }
}
