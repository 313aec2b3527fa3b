import GapStatistics
import Testing

/// What the reports print for a withheld figure; which figures are withheld is the audience's
/// shaping (GapTrackReports, DisclosureControl).
@Suite("Suppressed figures")
struct SuppressionTests {
    @Test("the threshold is 10, and a threshold must be positive")
    func threshold() {
        #expect(SuppressionRule.standard.threshold == 10)
        #expect(SuppressionRule(threshold: 5).threshold == 5)
    }

    @Test("reasons never repeat the withheld number")
    func reasonsDoNotDisclose() {
        let figure = ReportedFigure<Int>.suppressed(.belowThreshold(threshold: 10))
        guard case let .suppressed(reason) = figure else { Issue.record("not suppressed"); return }
        #expect(reason.description == "fewer than 10 students")
        #expect(figure.description == "c")
        #expect(ReportedFigure<Int>.suppressed(.groupBelowThreshold(group: "disadvantaged", threshold: 10)).description == "c")
    }

    @Test("map keeps suppression and transforms shown values")
    func mapping() {
        let percent = ReportedFigure<Double>.value(0.4567).map { ($0 * 1000).rounded() / 10 }
        #expect(percent == .value(45.7))
        let withheld = ReportedFigure<Double>.suppressed(.protectsSuppressedCell)
        #expect(withheld.map { $0 * 100 }.isSuppressed)
        #expect(withheld.value == nil)
    }
}
