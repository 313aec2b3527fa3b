import GapStatistics
import GapTrackDomain
import GapTrackStore

extension TermlyGapReportBuilder {
    /// The KS4 headline measures of each GCSE-scale assessment of the term with English and maths
    /// results (docs/methodology.md §8.3); nil for a cohort outside KS4 or without such results.
    func keyStage4Sections(_ data: TermlyReportData) -> [KeyStage4Section]? {
        guard let counts = data.keyStage4, !counts.isEmpty else { return nil }
        return counts.map { keyStage4Section($0, resultsYear: data.term.year.startYear + 1) }
    }

    func keyStage4Section(_ counts: KeyStage4Counts, resultsYear: Int) -> KeyStage4Section {
        let d = counts.disadvantaged
        let o = counts.others
        let all = d + o
        let national = NationalContextFigures.keyStage4Headlines.filter { $0.resultsYear == resultsYear }
        func nationalPair(_ measure: NationalPairFigure.Measure) -> NationalPairFigure? { national.first { $0.measure == measure } }
        let none = ReportedFigure<Estimate>.suppressed(.groupBelowThreshold(group: "compared", threshold: 1))
        let hasBothGroups = gapFigure((), disadvantagedCount: d.pupils, othersCount: o.pupils)

        func proportionRow(_ measure: NationalPairFigure.Measure, _ reached: (KeyStage4GroupCounts) -> Int) -> KeyStage4Row {
            func share(_ group: KeyStage4GroupCounts) -> ReportedFigure<Estimate> {
                AggregateStatistics.percentage(reached(group), of: group.pupils, level: level).map { .value($0) } ?? none
            }
            let gap = hasBothGroups.map { _ in Self.proportionDifference(reached(o), of: o.pupils, minus: reached(d), of: d.pupils, level: level) }
            return KeyStage4Row(
                measure: measure, disadvantagedPupils: .value(d.pupils), othersPupils: .value(o.pupils), allPupils: .value(all.pupils),
                disadvantaged: share(d), others: share(o), all: share(all), gap: gap, national: nationalPair(measure))
        }
        var rows = [proportionRow(.englishMathsGrade4, \.grade4), proportionRow(.englishMathsGrade5, \.grade5)]
        let missing = KeyStage4Slots(subjects: counts.subjects, slots: counts.slots).missing
        if missing == nil {
            func mean(_ group: KeyStage4GroupCounts) -> ReportedFigure<Estimate> {
                Self.attainment8Mean(group, level: level).map { .value($0) } ?? none
            }
            let gap = hasBothGroups.map { _ in
                AggregateStatistics.meanScoreGap(
                    disadvantaged: Self.attainment8Aggregates(d), others: Self.attainment8Aggregates(o), level: level
                ).map { Estimate($0.value, unit: .scorePoints, lower: $0.lower ?? $0.value, upper: $0.upper ?? $0.value, method: "Welch") }
                    ?? Estimate(o.attainment8Sum / Double(o.pupils) - d.attainment8Sum / Double(d.pupils), unit: .scorePoints)
            }
            rows.append(KeyStage4Row(
                measure: .attainment8, disadvantagedPupils: .value(d.pupils), othersPupils: .value(o.pupils), allPupils: .value(all.pupils),
                disadvantaged: mean(d), others: mean(o), all: mean(all), gap: gap, national: nationalPair(.attainment8)))
        }
        var notes: [String] = []
        if all.withoutEnglishOrMaths > 0 {
            notes.append(
                "\(all.withoutEnglishOrMaths) of the \(all.pupils) pupils with results at \(counts.assessment) have no English or no maths result there "
                    + "(\(d.withoutEnglishOrMaths) \(comparison.groupWord), \(o.withoutEnglishOrMaths) other); they count as not reaching the grade, "
                    + "as pupils without an entry do in the DfE's measure.")
        }
        return KeyStage4Section(
            assessment: counts.assessment, resultsYear: resultsYear, rows: rows,
            attainment8NotComputed: missing.map { "not computed: the results held do not cover the Attainment 8 slots (\($0))" },
            progress8NotComputed: NationalProgress8.notPublishedText(resultsYear: resultsYear) ?? Self.progress8NotComputed, notes: notes)
    }

    static let progress8NotComputed =
        "not computed: Progress 8 compares each pupil's Attainment 8 with the national average of pupils with the same KS2 prior attainment, "
        + "which the DfE publishes for each year and gaptrack does not hold (docs/methodology.md §9)"

    /// A group's Attainment 8 as score aggregates (mean, sample variance), for Welch's gap.
    static func attainment8Aggregates(_ group: KeyStage4GroupCounts) -> ScoreAggregates {
        let n = Double(group.pupils)
        let mean = n > 0 ? group.attainment8Sum / n : 0
        let variance = n > 1 ? max(0, (group.attainment8SumOfSquares - n * mean * mean) / (n - 1)) : 0
        return ScoreAggregates(count: group.pupils, mean: mean, variance: variance, meanPercentileRank: 0, placementVariance: nil)
    }

    /// Mean Attainment 8 with a t interval, mean ± t(n − 1) · s/√n; no interval for one pupil.
    static func attainment8Mean(_ group: KeyStage4GroupCounts, level: Double) -> Estimate? {
        guard group.pupils > 0 else { return nil }
        let aggregates = attainment8Aggregates(group)
        guard group.pupils > 1 else { return Estimate(aggregates.mean, unit: .scorePoints) }
        let halfWidth = StudentT.criticalValue(level: level, degreesOfFreedom: Double(group.pupils - 1))
            * (aggregates.variance / Double(group.pupils)).squareRoot()
        return Estimate(aggregates.mean, unit: .scorePoints, lower: aggregates.mean - halfWidth, upper: aggregates.mean + halfWidth, method: "Student t")
    }
}

/// Whether the subjects held at an assessment can fill the eight Attainment 8 slots: English and
/// maths (each double weighted), three EBacc subjects and three more of any kind
/// (docs/methodology.md §8.3). The slot of each subject comes from `ks4_subject_slot` in SQL.
struct KeyStage4Slots: Sendable, Equatable {
    var subjects: [String]
    var slots: [String]

    /// What is missing, in words ("held: english, maths, science; missing: 2 EBacc slots and 3
    /// open slots"); nil when the slots are covered.
    var missing: String? {
        let count = { (slot: String) in slots.filter { $0 == slot }.count }
        let english = count("english")
        let maths = count("maths")
        let ebacc = count("ebacc")
        let further = max(0, english - 1) + max(0, maths - 1) + max(0, ebacc - 3) + count("open")
        var gaps: [String] = []
        if english == 0 { gaps.append("English") }
        if maths == 0 { gaps.append("maths") }
        if ebacc < 3 { gaps.append("\(3 - ebacc) EBacc slot\(3 - ebacc == 1 ? "" : "s")") }
        if further < 3 { gaps.append("\(3 - further) open slot\(3 - further == 1 ? "" : "s")") }
        guard !gaps.isEmpty else { return nil }
        let list = gaps.count == 1 ? gaps[0] : gaps.dropLast().joined(separator: ", ") + " and " + gaps.last!
        return "held: \(subjects.joined(separator: ", ")); missing: \(list)"
    }
}
