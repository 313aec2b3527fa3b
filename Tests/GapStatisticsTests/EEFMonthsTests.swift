import GapStatistics
import Testing

@Suite("EEF months of additional progress")
struct EEFMonthsTests {
    // Every band edge of the EEF Toolkit table (docs/methodology.md §6), from both sides.
    @Test("every band edge", arguments: [
        (0.0, 0), (0.01, 0), (0.02, 1), (0.09, 1), (0.10, 2), (0.18, 2), (0.19, 3), (0.26, 3),
        (0.27, 4), (0.35, 4), (0.36, 5), (0.44, 5), (0.45, 6), (0.52, 6), (0.53, 7), (0.61, 7),
        (0.62, 8), (0.69, 8), (0.70, 9), (0.78, 9), (0.79, 10), (0.87, 10), (0.88, 11), (0.95, 11),
        (0.96, 12), (1.5, 12),
    ])
    func bandEdges(effectSize: Double, months: Int) throws {
        #expect(try EEFMonths(effectSize: effectSize).months == months)
        #expect(try EEFMonths(effectSize: -effectSize).months == -months, "negative effects map to negative months")
    }

    @Test("the effect size is rounded to two decimals first", arguments: [
        (0.014, 0), (0.015, 1), (0.094, 1), (0.095, 2), (0.955, 12), (0.954, 11), (-0.015, -1), (-0.0149, 0),
    ])
    func rounding(effectSize: Double, months: Int) throws {
        #expect(try EEFMonths(effectSize: effectSize).months == months)
    }

    @Test("reports the rounded effect size and converts an interval's ends")
    func intervalConversion() throws {
        let eef = try EEFMonths(effectSize: 0.3149)
        #expect(eef.roundedEffectSize == 0.31)
        // 0.145 is stored just below 0.145 in binary; it must still round as written, to 0.15.
        #expect(try EEFMonths(effectSize: 0.145).roundedEffectSize == 0.15)
        #expect(try EEFMonths(effectSize: -0.285).roundedEffectSize == -0.29)
        #expect(eef.months == 4)
        let interval = ConfidenceInterval(lower: 0.05, upper: 0.5, level: 0.95, method: .deltaMethod)
        let months = try EEFMonths.monthsOfLearning(effectSize: 0.3149, interval: interval, studentCount: 80)
        #expect(months.months == 4)
        #expect(months.method == .eefToolkit)
        #expect(months.studentCount == 80)
        #expect(months.ratePerMonth == nil)
        #expect(months.confidenceInterval?.lower == 1)
        #expect(months.confidenceInterval?.upper == 6)
        #expect(throws: MonthsOfLearningError.gapNotFinite) { try EEFMonths(effectSize: .nan) }
    }
}
