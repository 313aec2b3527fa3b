import GapStatistics
import GapTrackDomain
import GapTrackStore

/// Turns the aggregates of `ImpactQueries` into an `ImpactReport`: stratified estimates with
/// their intervals, EEF months, refusals where the groups are too small, spend and cost per
/// month, suppression of every count, and the method. Pure and deterministic.
public struct ImpactReportBuilder: Sendable {
    public var rule: SuppressionRule
    /// Confidence level of every interval.
    public var level: Double
    /// Staff get every count and an estimate for a small group, marked; governors and the public
    /// get counts under the threshold withheld and a refusal (docs/methodology.md §7.6).
    public var audience: ReportAudience

    public init(rule: SuppressionRule = .standard, level: Double = 0.95, audience: ReportAudience = .governors) {
        self.rule = rule
        self.level = level
        self.audience = audience
    }

    public func build(_ data: ImpactData) -> ImpactReport {
        build(data, withheld: nil)
    }

    /// `withheld`: the figures a termly report withholds in this section, decided with the
    /// report's own tables (`TermlyReportShaping`), keyed by `ImpactReportTables` cell; nil to
    /// protect the report on its own.
    func build(_ data: ImpactData, withheld: [String: SuppressionReason]?) -> ImpactReport {
        let withholding = !audience.suppresses ? ImpactWithholding(rule: rule)
            : withheld.map { ImpactWithholding(rule: rule, reasons: $0) } ?? ImpactWithholding(rule: rule, protecting: data)
        return switch data.design {
        case let .school(school): buildSchool(data, school, withholding: withholding)
        case let .costOfLiving(year): buildCostOfLiving(data, year, withholding: withholding)
        }
    }

    var percent: Int { Int((level * 100).rounded()) }

    // MARK: - Schools and colleges

    func buildSchool(_ data: ImpactData, _ school: SchoolImpactAggregates, withholding suppression: ImpactWithholding) -> ImpactReport {
        // The standardiser is itself estimated: Var(ES) gains ES²/(2·df) with df = Σ(n_g − 1)
        // over the cohorts' before scores (the Hedges–Olkin term for an estimated SD).
        let standardiserDegrees = school.standardisation.reduce(0) { $0 + max(0, $1.beforeStudents - 1) }
        let attainment = StratifiedEffect.estimate(strata: school.attainment, level: level) { effect in
            standardiserDegrees > 0 ? effect * effect / (2 * Double(standardiserDegrees)) : 0
        }
        let attendance = StratifiedEffect.estimate(strata: school.attendance, level: level)

        let table = ImpactCountTable.school(school)
        var log = SuppressionLog()
        let countFigures = countFigures(table, suppression: suppression, tableName: "Participants and matching", log: &log)
        func count(_ key: String) -> ReportedFigure<Int> { suppression.figure(key, table.counts[key] ?? 0) }
        let withDataCounts = table.withData

        let attainmentOutcome = outcome(
            id: "attainment", label: Self.progressLabel(before: data.before, after: data.after), result: attainment, unit: .effectSize,
            withData: withDataCounts["attainment"] ?? 0, missingData: "before and after results", count: count, log: &log)
        var attendanceTerms = (data.before?.term, data.after?.term)
        if case let .attendance(first, last) = data.judgedOn { attendanceTerms = (first, last) }
        let attendanceOutcome = outcome(
            id: "attendance",
            label: "Attendance, \(attendanceTerms.0.map(ReportText.term) ?? "before") to \(attendanceTerms.1.map(ReportText.term) ?? "after")",
            result: attendance, unit: .percentagePoints, withData: withDataCounts["attendance"] ?? 0, missingData: "attendance recorded in both terms",
            count: count, log: &log)
        let spend = spendSection(data.spend, totalLabel: "All participants", suppression: suppression, log: &log)
        var cost = costEffectiveness(attainmentOutcome, spend: data.spend)
        var summary = [attainmentOutcome.finding]
        var outcomes = [attainmentOutcome, attendanceOutcome]
        var before = data.before?.description, after = data.after?.description
        if case let .attendance(first, last) = data.judgedOn {
            // Support that targets attendance is judged on attendance alone; months of progress
            // are a measure of attainment, so it has no cost per month (docs/methodology.md §6.6).
            outcomes = [attendanceOutcome]
            summary = [attendanceOutcome.finding]
            before = "attendance, \(ReportText.term(first))"
            after = "attendance, \(ReportText.term(last))"
            cost = CostEffectiveness(poundsPerMonth: nil, statement: "No cost per month of progress: this support targets attendance, not attainment.")
        } else if attainmentOutcome.refusal == nil {
            summary.append(attendanceOutcome.finding)
        }
        summary.append(cost.statement)
        var report = ImpactReport(
            provider: data.provider, intervention: data.intervention, cohort: data.cohort, period: data.period,
            before: before, after: after, dataCut: DataCut(imports: data.imports), summary: summary,
            counts: countFigures, outcomes: outcomes, uptake: [], spend: spend, costEffectiveness: cost,
            method: ImpactMethodNotes.school(data, school, level: level, threshold: rule.threshold),
            suppressionThreshold: rule.threshold, suppressionNotes: log.notes, audience: audience)
        report.target = data.target
        return report
    }

    /// A section for support that cannot be judged (docs/methodology.md §6.6): it names no
    /// target, or its target has no entry or exit yet. No figures, so nothing to withhold.
    public func notJudged(
        provider: ReportProvider, intervention: ImpactIntervention, cohort: ReportCohort?, period: ImpactPeriod, target: String?, reason: String
    ) -> ImpactReport {
        var report = ImpactReport(
            provider: provider, intervention: intervention, cohort: cohort, period: period, before: nil, after: nil, dataCut: DataCut(imports: []),
            summary: ["Not judged: \(reason)."], counts: [], outcomes: [], uptake: [],
            spend: ImpactSpend(byFundingSource: [], byType: [], total: ImpactSpendRow(
                id: "all", label: "All participants", students: .value(0), spend: .value(.zero), perStudent: .value(.zero)),
                recordsWithoutAmount: .value(0)),
            costEffectiveness: CostEffectiveness(poundsPerMonth: nil, statement: "Not judged: \(reason)."),
            method: [], suppressionThreshold: rule.threshold, suppressionNotes: [], audience: audience)
        report.target = target
        report.notJudged = reason
        return report
    }

    /// The "participants and matching" counts as printed: withheld ones logged, small ones marked for staff.
    func countFigures(_ table: ImpactCountTable, suppression: ImpactWithholding, tableName: String, log: inout SuppressionLog) -> [ImpactCount] {
        table.order.map { key in
            let label = table.labels[key] ?? key
            if let reason = suppression.countReason(key) { log.add(table: tableName, item: label, reason: reason) }
            return ImpactCount(id: key, label: staffLabel(label, count: table.counts[key] ?? 0, log: &log), students: suppression.figure(key, table.counts[key] ?? 0))
        }
    }

    // MARK: - Outcomes

    /// "Maths progress, 2024/25 autumn to 2024/25 summer"; with different subjects or named
    /// assessments, "Progress from maths (Autumn mock), 2024/25 autumn to english, 2024/25 summer".
    static func progressLabel(before: AssessmentPointSelector?, after: AssessmentPointSelector?) -> String {
        guard let before, let after else { return "Progress" }
        if before.subject.lowercased() == after.subject.lowercased(), before.name == nil, after.name == nil {
            let subject = before.subject.prefix(1).uppercased() + before.subject.dropFirst()
            return "\(subject) progress, \(ReportText.term(before.term)) to \(ReportText.term(after.term))"
        }
        return "Progress from \(before) to \(after)"
    }

    /// One outcome: a refusal when fewer than `rule.threshold` participants or comparison
    /// students were matched (or nothing can be estimated), else the estimate and its meaning.
    func outcome(
        id: String, label: String, result: Result<StratifiedEffect, StratifiedEffect.Failure>, unit: FigureUnit,
        meanUnit: FigureUnit? = nil, withData: Int, missingData: String, count: (String) -> ReportedFigure<Int>, log: inout SuppressionLog
    ) -> ImpactOutcome {
        let participants = count("\(id).matched")
        let comparison = count("\(id).comparison_matched")
        let unmatched = count("\(id).unmatched")
        let refusal: String?
        switch result {
        case _ where withData == 0:
            refusal = "No estimate: no participant has \(missingData)."
        case let .failure(failure):
            refusal = "No estimate: \(failure)."
        case let .success(effect) where audience.suppresses && (effect.matchedParticipants < rule.threshold || effect.matchedComparison < rule.threshold):
            let who = effect.matchedParticipants < rule.threshold ? "participants" : "comparison students"
            refusal = "No estimate: fewer than \(rule.threshold) \(who) could be matched, too few to say anything "
                + "(and below the anonymity threshold of \(rule.threshold))."
            log.add(table: "Impact", item: label, reason: .groupBelowThreshold(group: "matched \(who)", threshold: rule.threshold))
        case .success:
            refusal = nil
        }
        guard case let .success(effect) = result, refusal == nil else {
            return ImpactOutcome(
                id: id, label: label, participants: participants, comparison: comparison, unmatchedParticipants: unmatched,
                participantMean: nil, comparisonMean: nil, effect: nil, months: nil, refusal: refusal, finding: "\(label): \(refusal!)")
        }
        let method = "t interval, Welch–Satterthwaite df \(FixedDecimal.format(effect.degreesOfFreedom, decimals: 1)), stratified variance"
        let estimate = Estimate(
            effect.estimate, unit: unit, lower: effect.confidenceInterval.lower, upper: effect.confidenceInterval.upper, method: method)
        var months: Estimate?
        if unit == .effectSize,
           let converted = try? EEFMonths.monthsOfLearning(
               effectSize: effect.estimate, interval: effect.confidenceInterval, studentCount: effect.matchedParticipants + effect.matchedComparison),
           let interval = converted.confidenceInterval {
            months = Estimate(converted.months, unit: .months, lower: interval.lower, upper: interval.upper, method: "EEF Toolkit bands applied to the interval's ends")
        }
        return ImpactOutcome(
            id: id, label: label, participants: participants, comparison: comparison, unmatchedParticipants: unmatched,
            participantMean: Estimate(effect.participantMean, unit: meanUnit ?? unit),
            comparisonMean: Estimate(effect.comparisonMean, unit: meanUnit ?? unit),
            effect: estimate, months: months, refusal: nil,
            finding: finding(id: id, label: label, estimate: estimate, months: months) + caution(effect))
    }

    /// Staff: a count of 1 to 9 pupils is shown with the mark before its label and the footnote
    /// once (docs/methodology.md §7.6); other audiences withhold it instead.
    func staffLabel(_ label: String, count: Int, log: inout SuppressionLog) -> String {
        guard !audience.suppresses, count > 0, count < rule.threshold else { return label }
        log.add(ReportAudience.cautionNote(threshold: rule.threshold))
        return ReportAudience.marked(label)
    }

    /// The staff warning after an estimate from a group under the threshold.
    func caution(_ effect: StratifiedEffect) -> String {
        guard effect.matchedParticipants < rule.threshold || effect.matchedComparison < rule.threshold else { return "" }
        return " \(ReportAudience.cautionMark) Fewer than \(rule.threshold) pupils: treat with care (the interval is wide)."
    }

    /// The plain sentence under an estimate: which way it points, by how much, and whether it
    /// could be chance (an interval that includes zero).
    func finding(id: String, label: String, estimate: Estimate, months: Estimate?) -> String {
        let interval = "(\(percent)% CI \(estimate.intervalText ?? "n/a"))"
        let size = FixedDecimal.format(abs(estimate.value), decimals: estimate.unit.decimals)
        guard let lower = estimate.lower, let upper = estimate.upper, lower > 0 || upper < 0 else {
            let units = estimate.unit == .effectSize ? " SD" : (estimate.unit == .percentagePoints ? " percentage points" : " marks")
            return "\(label): no measurable difference. The difference, \(estimate.plainText)\(units) \(interval), could be chance: its interval includes zero."
        }
        let more = lower > 0
        let who = id == "continuation" || id == "module_mark" ? "supported LSEB students" : "participants"
        let whom = id == "continuation" || id == "module_mark" ? "comparable unsupported LSEB students" : "matched comparison students"
        switch id {
        case "attainment":
            let monthsText = months.map { ", \(ImpactText.months(abs($0.value))) of \(more ? "additional" : "lost") progress on the EEF scale (interval \(ImpactText.monthsRange($0)))" } ?? ""
            return "\(label): participants made \(more ? "more" : "less") progress than \(whom): \(size) SD \(more ? "more" : "less") \(interval)\(monthsText)."
        case "attendance":
            return "\(label): participants' attendance moved \(size) percentage points \(more ? "up" : "down") relative to that of \(whom) \(interval)."
        case "continuation":
            return "\(label): \(who) continued at a rate \(size) percentage points \(more ? "higher" : "lower") than \(whom) \(interval)."
        default:
            return "\(label): \(who) averaged \(size) marks \(more ? "more" : "less") than \(whom) \(interval)."
        }
    }

    // MARK: - Spend and cost per month

    func spendSection(_ spend: SpendAggregates, totalLabel: String, suppression: ImpactWithholding, log: inout SuppressionLog) -> ImpactSpend {
        func perStudent(_ line: SpendLine) -> PoundsAndPence? {
            line.students > 0 ? try? PoundsAndPence(pence: (line.spend.pence + line.students / 2) / line.students) : nil
        }
        func row(_ line: SpendLine, key: String, id: String, table: String?) -> ImpactSpendRow {
            let reason = suppression.rowReason(key)
            if let reason, let table { log.add(table: table, item: line.label, reason: reason) }
            // A £0 the report's tables leave shown (fixed by their structure, TermlyReportShaping) is
            // printed beside withheld pupils: £0 per pupil gives no count away.
            let spendReason = line.spend == .zero && suppression.reason("\(key).spend") == nil ? nil : reason
            return ImpactSpendRow(
                id: id, label: line.label, students: Self.figure(line.students, reason), spend: Self.figure(line.spend, spendReason),
                perStudent: perStudent(line).map { Self.figure($0, reason) } ?? .suppressed(.belowThreshold(threshold: rule.threshold)))
        }
        let bySource = spend.byFundingSource.enumerated().map { i, line in
            row(line, key: "spend.source\(i)", id: line.code ?? "not_recorded", table: "Spend by funding source")
        }
        // One type's row would repeat the total: printed only for more than one.
        let byType = spend.byType.count > 1
            ? spend.byType.enumerated().map { i, line in row(line, key: "spend.type\(i)", id: line.code ?? "unknown", table: "Spend by type") } : []
        var total = row(spend.total, key: "spend.all", id: "all", table: "Spend")
        total.label = totalLabel
        let missing = spend.recordsWithoutAmount
        let withoutAmount: ReportedFigure<Int> = !audience.suppresses || missing == 0 || missing >= rule.threshold
            ? .value(missing) : .suppressed(.belowThreshold(threshold: rule.threshold))
        return ImpactSpend(byFundingSource: bySource, byType: byType, total: total, recordsWithoutAmount: withoutAmount)
    }

    /// `value`, or withheld for `reason`.
    static func figure<Value: Sendable>(_ value: Value, _ reason: SuppressionReason?) -> ReportedFigure<Value> {
        reason.map { .suppressed($0) } ?? .value(value)
    }

    /// Pounds per month of additional progress: spend per participant ÷ EEF months, only where
    /// the effect is positive and its interval excludes zero (EEF Toolkit: cost is per pupil).
    func costEffectiveness(_ attainment: ImpactOutcome, spend: SpendAggregates) -> CostEffectiveness {
        guard let effect = attainment.effect, let months = attainment.months else {
            return CostEffectiveness(poundsPerMonth: nil, statement: "No impact estimate could be made, so no cost per month of progress is given.")
        }
        guard attainment.isPositiveAndClear else {
            let interval = effect.intervalText ?? "n/a"
            let why = (effect.upper ?? 0) < 0 ? "participants made less progress than comparison students" : "its \(percent)% interval (\(interval) SD) includes zero"
            return CostEffectiveness(poundsPerMonth: nil, statement: "No measurable impact, so no cost per month is given: \(why).")
        }
        let wholeMonths = Int(months.value)
        guard wholeMonths >= 1 else {
            return CostEffectiveness(
                poundsPerMonth: nil,
                statement: "The effect is positive but rounds to less than one month on the EEF scale, so no cost per month is given.")
        }
        guard spend.total.students > 0, spend.total.spend.pence > 0 else {
            return CostEffectiveness(poundsPerMonth: nil, statement: "No spend is recorded for the participants' support, so no cost per month is given.")
        }
        let divisor = spend.total.students * wholeMonths
        let pounds = try? PoundsAndPence(pence: (spend.total.spend.pence + divisor / 2) / divisor)
        let perPupil = (try? PoundsAndPence(pence: (spend.total.spend.pence + spend.total.students / 2) / spend.total.students))?.formatted ?? "n/a"
        let lowerBound = spend.recordsWithoutAmount > 0 ? " Some records have no amount, so this is a lower bound." : ""
        return CostEffectiveness(
            poundsPerMonth: pounds,
            statement: "\(pounds?.formatted ?? "n/a") per participant per month of additional progress (\(perPupil) per participant ÷ "
                + "\(ImpactText.months(months.value))).\(lowerBound)")
    }
}
