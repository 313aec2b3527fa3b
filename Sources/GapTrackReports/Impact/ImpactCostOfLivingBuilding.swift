import GapStatistics
import GapTrackDomain
import GapTrackStore

extension ImpactReportBuilder {
    /// A university's cost-of-living support (docs/methodology.md §6): uptake among LSEB students against
    /// others, with Wilson intervals and Newcombe's interval for the difference; then, among LSEB
    /// students, continuation and module marks of the supported against unsupported students of
    /// the same intake year and course (exact strata, as for schools).
    func buildCostOfLiving(_ data: ImpactData, _ year: CostOfLivingAggregates) -> ImpactReport {
        let continuation = StratifiedEffect.estimate(strata: year.continuation, level: level)
        var withDataCounts = [String: Int]()
        let marks = StratifiedEffect.estimate(strata: year.moduleMarks, level: level)

        let entrants = year.continuation.reduce(0) { $0 + ($1.participants?.count ?? 0) } + year.continuationUnknown
        var counts = [
            "lseb_students": year.lsebStudents, "other_students": year.otherStudents, "supported_lseb": year.supportedLSEB,
            "supported_lseb_entrants": entrants, "continuation.unknown": year.continuationUnknown,
        ]
        var labels = [
            "lseb_students": "LSEB students enrolled in the year",
            "other_students": "Other students enrolled in the year",
            "supported_lseb": "LSEB students with cost-of-living support",
            "supported_lseb_entrants": "Supported LSEB students who entered this year",
            "continuation.unknown": "Continuation: supported entrants, not yet known",
        ]
        var order = ["lseb_students", "other_students", "supported_lseb", "supported_lseb_entrants"]
        var relations = [CountSuppression.Relation]()
        var protected: Set<String> = ["lseb_students", "other_students", "supported_lseb"]
        for (id, strata, missing) in [
            ("continuation", year.continuation, "continuation.unknown"),
            ("module_mark", year.moduleMarks, "module_mark.missing"),
        ] {
            let withData = strata.reduce(0) { $0 + ($1.participants?.count ?? 0) }
            let matched = strata.filter(\.isMatched).reduce(0) { $0 + ($1.participants?.count ?? 0) }
            let comparisonMatched = strata.filter(\.isMatched).reduce(0) { $0 + ($1.comparison?.count ?? 0) }
            let prefix = id == "continuation" ? "Continuation: " : "Module marks: "
            var entries: [(String, Int, String)] = [
                ("matched", matched, "supported, matched (same intake year and course)"),
                ("unmatched", withData - matched, "supported, unmatched (no comparable student)"),
                ("comparison_matched", comparisonMatched, "unsupported LSEB students matched"),
            ]
            if id == "module_mark" { entries.insert(("missing", year.supportedLSEB - withData, "supported, without marks"), at: 2) }
            for (suffix, count, label) in entries {
                let key = "\(id).\(suffix)"
                counts[key] = count
                labels[key] = prefix + label
                order.append(key)
                if key == "continuation.unmatched" { order.append("continuation.unknown") }
            }
            withDataCounts[id] = withData
            relations.append(.init(
                total: id == "continuation" ? "supported_lseb_entrants" : "supported_lseb", parts: ["\(id).matched", "\(id).unmatched", missing]))
            protected.formUnion(["\(id).matched", "\(id).comparison_matched"])
        }

        var log = SuppressionLog()
        var suppression = CountSuppression(rule: rule, audience: audience)
        suppression.apply(counts: counts, order: order, relations: relations, protected: protected, exempt: ["continuation.unknown"])
        let countFigures = order.map { key in
            if let reason = suppression.reason(key) { log.add(table: "Students and matching", item: labels[key]!, reason: reason) }
            return ImpactCount(id: key, label: staffLabel(labels[key]!, count: counts[key]!, log: &log), students: suppression.figure(key, counts[key]!))
        }
        func count(_ key: String) -> ReportedFigure<Int> { suppression.figure(key, counts[key] ?? 0) }

        let uptake = year.uptake.map { uptakeRow($0, year: year, log: &log) }
        let continuationOutcome = outcome(
            id: "continuation", label: "Continuation of \(year.academicYear) entrants (still studying, completed or transferred a year and 15 days after entry)",
            result: continuation, unit: .percentagePoints, meanUnit: .percent, withData: withDataCounts["continuation"] ?? 0,
            missingData: "a known continuation", count: count, log: &log)
        let marksOutcome = outcome(
            id: "module_mark", label: "Mean module mark in \(year.academicYear)", result: marks, unit: .scorePoints,
            withData: withDataCounts["module_mark"] ?? 0, missingData: "module marks in the year", count: count, log: &log)
        let spend = spendSection(
            data.spend, participantsKey: "supported", totalLabel: "All supported students", suppression: supportedSuppression(data.spend), log: &log)
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

    /// Withholding for the spend total: supported students below the threshold.
    private func supportedSuppression(_ spend: SpendAggregates) -> CountSuppression {
        var suppression = CountSuppression(rule: rule, audience: audience)
        suppression.apply(counts: ["supported": spend.total.students], order: ["supported"], relations: [], protected: [])
        return suppression
    }

    /// Uptake among LSEB students and others. A percentage of a shown group reveals its count, so
    /// a share is withheld with its count when fewer than `rule.threshold` students took the
    /// support (or did not), and the difference with either share.
    func uptakeRow(_ row: UptakeAggregates, year: CostOfLivingAggregates, log: inout SuppressionLog) -> UptakeRow {
        let label = row.label
        func share(_ supported: Int, of total: Int, group: String) -> (ReportedFigure<Int>, ReportedFigure<Estimate>) {
            let small = audience.suppresses && (supported < rule.threshold || total < rule.threshold || total - supported < rule.threshold)
            guard !small, let percent = AggregateStatistics.percentage(supported, of: total, level: level) else {
                let reason = SuppressionReason.belowThreshold(threshold: rule.threshold)
                log.add(table: "Uptake", item: "\(label), \(group)", reason: reason)
                return (.suppressed(reason), .suppressed(reason))
            }
            return (.value(supported), .value(percent))
        }
        let (lsebCount, lsebPercent) = share(row.lsebSupported, of: year.lsebStudents, group: "LSEB students")
        let (othersCount, othersPercent) = share(row.othersSupported, of: year.otherStudents, group: "other students")
        let difference: ReportedFigure<Estimate> = lsebPercent.isSuppressed || othersPercent.isSuppressed
            ? .suppressed(.belowThreshold(threshold: rule.threshold))
            : .value(Self.proportionDifference(row.lsebSupported, of: year.lsebStudents, minus: row.othersSupported, of: year.otherStudents, level: level))
        return UptakeRow(
            type: row.type, label: row.label, lsebSupported: lsebCount, lsebPercent: lsebPercent, othersSupported: othersCount, othersPercent: othersPercent,
            difference: difference)
    }

    /// Newcombe's hybrid score interval, as the termly report uses for persistent absence.
    static func proportionDifference(_ count1: Int, of total1: Int, minus count2: Int, of total2: Int, level: Double) -> Estimate {
        TermlyGapReportBuilder.proportionDifference(count1, of: total1, minus: count2, of: total2, level: level)
    }
}
