import GapStatistics
import GapTrackDomain
import GapTrackStore

extension ImpactReportBuilder {
    /// A university's cost-of-living support (docs/methodology.md §6): uptake among LSEB students against
    /// others, with Wilson intervals and Newcombe's interval for the difference; then, among LSEB
    /// students, continuation and module marks of the supported against unsupported students of
    /// the same intake year and course (exact strata, as for schools).
    func buildCostOfLiving(_ data: ImpactData, _ year: CostOfLivingAggregates, withholding suppression: ImpactWithholding) -> ImpactReport {
        let continuation = StratifiedEffect.estimate(strata: year.continuation, level: level)
        let marks = StratifiedEffect.estimate(strata: year.moduleMarks, level: level)
        let table = ImpactCountTable.costOfLiving(year)
        var log = SuppressionLog()
        let countFigures = countFigures(table, suppression: suppression, tableName: "Students and matching", log: &log)
        func count(_ key: String) -> ReportedFigure<Int> { suppression.figure(key, table.counts[key] ?? 0) }
        let withDataCounts = table.withData

        let uptake = year.uptake.enumerated().map { uptakeRow($1, index: $0, year: year, suppression: suppression, log: &log) }
        let continuationOutcome = outcome(
            id: "continuation", label: "Continuation of \(year.academicYear) entrants (still studying, completed or transferred a year and 15 days after entry)",
            result: continuation, unit: .percentagePoints, meanUnit: .percent, withData: withDataCounts["continuation"] ?? 0,
            missingData: "a known continuation", count: count, log: &log)
        let marksOutcome = outcome(
            id: "module_mark", label: "Mean module mark in \(year.academicYear)", result: marks, unit: .scorePoints,
            withData: withDataCounts["module_mark"] ?? 0, missingData: "module marks in the year", count: count, log: &log)
        let spend = spendSection(data.spend, totalLabel: "All supported students", suppression: suppression, log: &log)
        var summary = [String]()
        if let any = uptake.first {
            let difference = any.difference.value.map { "a difference of \($0.plainText) percentage points (95% CI \($0.intervalText ?? "n/a"))" }
                ?? "the difference is withheld"
            summary.append("Uptake of any cost-of-living support: \(any.lsebPercent.text) of LSEB students and \(any.othersPercent.text) of others, \(difference).")
        }
        summary += [continuationOutcome.finding, marksOutcome.finding]
        let cost = CostEffectiveness(
            poundsPerMonth: nil,
            statement: "EEF months convert effect sizes on attainment tests; continuation and module marks have no such scale, so no cost per month is given.")
        return ImpactReport(
            provider: data.provider, intervention: data.intervention, cohort: data.cohort, period: data.period, before: nil, after: nil,
            dataCut: DataCut(imports: data.imports), summary: summary, counts: countFigures, outcomes: [continuationOutcome, marksOutcome],
            uptake: uptake, spend: spend, costEffectiveness: cost,
            method: ImpactMethodNotes.costOfLiving(data, year, level: level, threshold: rule.threshold),
            suppressionThreshold: rule.threshold, suppressionNotes: log.notes, audience: audience)
    }

    /// Uptake among LSEB students and others. A percentage of a shown group gives its count
    /// back, so a share is withheld with its count, and the difference with either share; which
    /// counts are withheld is decided over the whole report (`ImpactReportTables`), so that a
    /// type's spend row, or the students who did not take the support, cannot give one away.
    func uptakeRow(_ row: UptakeAggregates, index: Int, year: CostOfLivingAggregates, suppression: ImpactWithholding, log: inout SuppressionLog) -> UptakeRow {
        let label = row.label
        func share(_ supported: Int, of total: Int, side: String, group: String) -> (ReportedFigure<Int>, ReportedFigure<Estimate>) {
            // With the group's size withheld, its share would give the size back.
            let reason = suppression.reason("uptake\(index).\(side)") ?? suppression.countReason(side == "lseb" ? "lseb_students" : "other_students")
            guard reason == nil, let percent = AggregateStatistics.percentage(supported, of: total, level: level) else {
                let reason = reason ?? .belowThreshold(threshold: rule.threshold)
                log.add(table: "Uptake", item: "\(label), \(group)", reason: reason)
                return (.suppressed(reason), .suppressed(reason))
            }
            return (.value(supported), .value(percent))
        }
        let (lsebCount, lsebPercent) = share(row.lsebSupported, of: year.lsebStudents, side: "lseb", group: "LSEB students")
        let (othersCount, othersPercent) = share(row.othersSupported, of: year.otherStudents, side: "others", group: "other students")
        let difference: ReportedFigure<Estimate> = lsebPercent.isSuppressed || othersPercent.isSuppressed
            ? .suppressed(lsebPercent.suppressionReason ?? othersPercent.suppressionReason ?? .belowThreshold(threshold: rule.threshold))
            : .value(TermlyGapReportBuilder.proportionDifference(row.lsebSupported, of: year.lsebStudents, minus: row.othersSupported, of: year.otherStudents, level: level))
        return UptakeRow(
            type: row.type, label: row.label, lsebSupported: lsebCount, lsebPercent: lsebPercent, othersSupported: othersCount, othersPercent: othersPercent,
            difference: difference)
    }
}
