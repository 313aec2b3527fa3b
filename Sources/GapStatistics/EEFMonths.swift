/// The Education Endowment Foundation's conversion of an effect size into months of
/// additional progress, as used throughout its Teaching and Learning Toolkit.
///
/// Source: Education Endowment Foundation, Teaching and Learning Toolkit, "months' impact"
/// conversion table (docs/methodology.md §6). The effect size is first rounded to two decimals; the
/// bands, in hundredths, are: −1…1 → 0; 2…9 → 1; 10…18 → 2; 19…26 → 3; 27…35 → 4;
/// 36…44 → 5; 45…52 → 6; 53…61 → 7; 62…69 → 8; 70…78 → 9; 79…87 → 10; 88…95 → 11;
/// 96 and above → 12. A negative effect gets the same months, negative.
///
/// Why whole hundredths: comparing rounded integers avoids binary floating-point surprises
/// at the band edges (0.1 is not exactly representable).
public struct EEFMonths: Sendable, Equatable, CustomStringConvertible {
    /// The effect size as given.
    public var effectSize: Double
    /// The effect size rounded to two decimals (halves away from zero), as the table uses.
    public var roundedEffectSize: Double
    /// Months of additional progress, from −12 to 12.
    public var months: Int

    /// Upper edges (inclusive, in hundredths) of the bands for 0, 1, …, 11 months.
    static let upperEdgesInHundredths = [1, 9, 18, 26, 35, 44, 52, 61, 69, 78, 87, 95]

    /// - Throws: `MonthsOfLearningError.gapNotFinite` for NaN or an infinite effect size.
    public init(effectSize: Double) throws(MonthsOfLearningError) {
        guard effectSize.isFinite else { throw .gapNotFinite }
        self.init(finiteEffectSize: effectSize)
    }

    init(finiteEffectSize effectSize: Double) {
        // Effect sizes arrive as binary doubles: 0.145 is stored as 0.14499999999999999, and
        // times 100 gives 14.499999999999998. A relative nudge of 1e-12, far above that
        // representation error and far below any difference that matters, makes halves
        // round away from zero as they read.
        let hundredths = (effectSize * 100 * (1 + 1e-12)).rounded(.toNearestOrAwayFromZero)
        self.effectSize = effectSize
        roundedEffectSize = hundredths / 100
        let magnitude = abs(hundredths)
        let band = Self.upperEdgesInHundredths.firstIndex { magnitude <= Double($0) } ?? 12
        months = hundredths < 0 ? -band : band
    }

    public var description: String {
        "\(months) month\(abs(months) == 1 ? "" : "s") (EEF Toolkit; effect size \(roundedEffectSize))"
    }

    /// The months as a `MonthsOfLearning`, with the ends of the effect size's interval run
    /// through the same bands (the EEF itself reports no interval for months).
    /// - Parameter studentCount: students behind the effect size, for the report.
    public static func monthsOfLearning(
        effectSize: Double, interval: ConfidenceInterval?, studentCount: Int
    ) throws(MonthsOfLearningError) -> MonthsOfLearning {
        let central = try EEFMonths(effectSize: effectSize)
        var converted: ConfidenceInterval?
        if let interval {
            let lower = try EEFMonths(effectSize: interval.lower)
            let upper = try EEFMonths(effectSize: interval.upper)
            converted = ConfidenceInterval(
                lower: Double(lower.months), upper: Double(upper.months), level: interval.level, method: .convertedBands
            )
        }
        return MonthsOfLearning(
            months: Double(central.months), confidenceInterval: converted, method: .eefToolkit,
            gap: effectSize, gapUnits: "standard deviations (effect size)", ratePerMonth: nil, rateUnits: nil,
            studentCount: studentCount
        )
    }
}
