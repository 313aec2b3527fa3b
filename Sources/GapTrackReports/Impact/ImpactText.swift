import GapTrackDomain

/// Words and small formats shared by the impact report's renderers (alongside `ReportText`), so
/// that every format says the same thing in the same way.
enum ImpactText {
    /// "4 months", "1 month", "-2 months": EEF months are whole numbers.
    static func months(_ value: Double) -> String {
        let whole = Int(value.rounded())
        return "\(whole) month\(abs(whole) == 1 ? "" : "s")"
    }

    /// "2 to 6 months".
    static func monthsRange(_ estimate: Estimate) -> String {
        guard let lower = estimate.lower, let upper = estimate.upper else { return months(estimate.value) }
        return "\(Int(lower.rounded())) to \(months(upper))"
    }

    /// Whole months for a table cell: "4 (2 to 6)".
    static func monthsCell(_ estimate: Estimate?) -> String {
        guard let estimate else { return "–" }
        let central = String(Int(estimate.value.rounded()))
        guard let lower = estimate.lower, let upper = estimate.upper else { return central }
        return "\(central) (\(Int(lower.rounded())) to \(Int(upper.rounded())))"
    }

    /// "0.31 (0.12 to 0.50)", "–" when there is no estimate.
    static func estimate(_ estimate: Estimate?) -> String {
        guard let estimate else { return "–" }
        return ReportText.withInterval(.value(estimate))
    }

    /// A participant or comparison mean: "0.42" or "–".
    static func mean(_ estimate: Estimate?) -> String {
        estimate?.plainText ?? "–"
    }

    /// The unit of an outcome's figures, in words, for table headings and CSV.
    static func unit(_ unit: FigureUnit) -> String {
        switch unit {
        case .effectSize: "SD (effect size)"
        case .percentagePoints: "percentage points"
        case .scorePoints: "marks"
        case .percent: "percent"
        default: unit.label
        }
    }
}
