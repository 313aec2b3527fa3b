import Foundation
@testable import GapTrackReports
import Testing

/// No chart label may run outside its chart's viewBox, where the browser cuts it off: long
/// module names, interval texts, reference labels near an edge and long legends.
@Suite("Chart labels stay inside the chart")
struct SVGChartLabelTests {
    struct Label {
        var text: String
        var left: Double
        var right: Double
    }

    /// Every unrotated <text> of the chart with its estimated horizontal extent, and the viewBox width.
    static func labels(_ svg: String) throws -> (width: Double, labels: [Label]) {
        let viewBox = try #require(svg.firstMatch(of: /viewBox="0 0 ([0-9.]+) ([0-9.]+)"/))
        let width = try #require(Double(viewBox.1))
        var labels: [Label] = []
        for match in svg.matches(of: /<text x="([0-9.-]+)" y="[0-9.-]+" text-anchor="(start|middle|end)" font-size="([0-9.]+)"[^>]*>([^<]*)<\/text>/) {
            let x = try #require(Double(match.1))
            let size = try #require(Double(match.3))
            let text = String(match.4).replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            // DejaVu Sans' digit advance, 0.636 em: wider than most of its glyphs.
            let extent = Double(text.count) * size * 0.636
            let (left, right): (Double, Double) = switch match.2 {
            case "start": (x, x + extent)
            case "end": (x - extent, x)
            default: (x - extent / 2, x + extent / 2)
            }
            labels.append(Label(text: text, left: left, right: right))
        }
        return (width, labels)
    }

    static func expectInside(_ svg: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (width, labels) = try labels(svg)
        #expect(!labels.isEmpty, sourceLocation: sourceLocation)
        for label in labels {
            #expect(label.left >= 0 && label.right <= width, "'\(label.text)' spans \(label.left) to \(label.right) of 0 to \(width)", sourceLocation: sourceLocation)
        }
    }

    static let modules = [
        "PSY1001 Introduction to Psychological Research Methods (January exam)",
        "PSY1002 Cognitive and Biological Psychology: coursework and exam",
        "c",
    ]

    @Test func intervalTextsAndLongModuleNamesFitTheDotChart() throws {
        let rows = Self.modules.enumerated().map { index, label in
            SVGChart.DotRow(label: label, value: index == 2 ? nil : 0.4, lower: 0.1, upper: 0.8,
                            valueText: index == 2 ? "c (suppressed)" : "0.42 (95% CI −0.10 to 0.80, n 12 and 214)")
        }
        let svg = SVGChart.dotWhisker(
            id: "modules", title: "Gap index by module", rows: rows, domain: -1...5,
            axisLabel: "DfE gap index (0 = no gap; 10 = every lower socio-economic background student below every other)",
            references: [.init(value: -1, label: "England KS4 2023/24: 3.94 (a long reference label at the left edge)"),
                         .init(value: 5, label: "England KS2 2023/24: 3.21 (a long reference label at the right edge)")],
            zeroLine: true)
        try Self.expectInside(svg)
        // The old fixed layout (210 for labels, 120 for values in 680) could not hold these.
        #expect(try Self.labels(svg).width > 680)
    }

    @Test func barsAndLinesKeepTheirLabelsInside() throws {
        let rows = Self.modules.map { SVGChart.DotRow(label: $0, value: 12, lower: 8, upper: 16, valueText: "12.0% (8.0% to 16.0%)") }
        try Self.expectInside(SVGChart.bars(id: "bars", title: "Persistent absence", rows: rows, maximum: 20, axisLabel: "persistent absence, %"))
        let series = (0..<6).map { SVGChart.Series(label: "Gap index, \(Self.modules[$0 % 2])", values: [1, 2, nil, 3], colour: "#000000") }
        let lines = SVGChart.lines(
            id: "trend", title: "Trend", xLabels: ["2023/24 summer", "2024/25 autumn", "2024/25 spring", "2024/25 summer"], series: series,
            axisLabel: "gap index", references: [.init(value: 3.94, label: "England KS4 2023/24: 3.94")])
        try Self.expectInside(lines)
    }

    @Test func aShortChartKeepsItsUsualWidth() throws {
        let svg = SVGChart.dotWhisker(
            id: "short", title: "Short", rows: [.init(label: "Maths", value: 1, lower: 0.5, upper: 1.5, valueText: "1.00")],
            domain: 0...5, axisLabel: "gap index")
        #expect(try Self.labels(svg).width == 680)
        try Self.expectInside(svg)
    }
}
