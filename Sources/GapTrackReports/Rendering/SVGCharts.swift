/// Inline SVG charts for the HTML report: no script, no external file, no font download, so
/// the page renders the same offline, in any browser and on paper.
///
/// Every coordinate is printed with one decimal through `FixedDecimal`, so the same data gives
/// the same bytes.
enum SVGChart {
    /// One row of a dot-and-whisker chart: a point with its interval, or a note in its place
    /// (e.g. "c: suppressed").
    struct DotRow {
        var label: String
        var value: Double?
        var lower: Double?
        var upper: Double?
        var valueText: String
        var colour: String = Palette.disadvantaged
    }

    struct ReferenceLine {
        var value: Double
        var label: String
    }

    struct Series {
        var label: String
        /// One value per x label; nil where the term has no figure (or it is suppressed).
        var values: [Double?]
        var colour: String
    }

    enum Palette {
        static let disadvantaged = "#b4451f"
        static let others = "#1f5f8b"
        static let neutral = "#555555"
        static let series = ["#b4451f", "#1f5f8b", "#2e7d32", "#6a1b9a", "#8d6e00", "#00838f", "#ad1457", "#37474f"]
    }

    static let width = 680.0
    static let labelWidth = 210.0
    static let valueWidth = 120.0
    private static let rowHeight = 26.0
    private static let top = 28.0
    private static let bottom = 34.0

    /// Horizontal dot-and-whisker chart, one row per item, with an axis from `domain`.
    static func dotWhisker(
        id: String, title: String, rows: [DotRow], domain: ClosedRange<Double>, axisLabel: String,
        references: [ReferenceLine] = [], zeroLine: Bool = false
    ) -> String {
        let layout = RowLayout(rows: rows)
        let plotLeft = layout.plotLeft
        let plotRight = layout.plotRight
        let height = top + Double(rows.count) * rowHeight + bottom
        let axis = Axis(domain: domain, from: plotLeft, to: plotRight)
        var svg = open(id: id, title: title, width: layout.width, height: height)
        svg += axis.gridAndTicks(top: top, bottom: height - bottom, label: axisLabel, chartWidth: layout.width)
        if zeroLine, domain.contains(0) {
            svg += line(x1: axis.x(0), y1: top - 6, x2: axis.x(0), y2: height - bottom, colour: "#222222", width: 1.2)
        }
        for (index, reference) in references.enumerated() where domain.contains(reference.value) {
            let x = axis.x(reference.value)
            svg += "<line x1=\"\(n(x))\" y1=\"\(n(top - 4))\" x2=\"\(n(x))\" y2=\"\(n(height - bottom))\" stroke=\"\(Palette.neutral)\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>"
            svg += text(reference.label, x: centred(reference.label, at: x, size: 10, within: layout.width), y: top - 8 - Double(index % 2) * 11,
                        anchor: "middle", size: 10, colour: Palette.neutral)
        }
        for (index, row) in rows.enumerated() {
            let y = top + (Double(index) + 0.5) * rowHeight
            if index % 2 == 1 {
                svg += "<rect x=\"0\" y=\"\(n(y - rowHeight / 2))\" width=\"\(n(layout.width))\" height=\"\(n(rowHeight))\" fill=\"#f3f3f3\" fill-opacity=\"0.6\"/>"
            }
            svg += text(row.label, x: plotLeft - 8, y: y + 4, anchor: "end", size: 11.5)
            if let value = row.value {
                if let lower = row.lower, let upper = row.upper {
                    let x1 = axis.x(axis.clamp(lower))
                    let x2 = axis.x(axis.clamp(upper))
                    svg += line(x1: x1, y1: y, x2: x2, y2: y, colour: row.colour, width: 2)
                    svg += line(x1: x1, y1: y - 5, x2: x1, y2: y + 5, colour: row.colour, width: 2)
                    svg += line(x1: x2, y1: y - 5, x2: x2, y2: y + 5, colour: row.colour, width: 2)
                }
                svg += "<circle cx=\"\(n(axis.x(axis.clamp(value))))\" cy=\"\(n(y))\" r=\"5\" fill=\"\(row.colour)\"/>"
            }
            svg += text(row.valueText, x: plotRight + 10, y: y + 4, anchor: "start", size: 11.5, colour: row.value == nil ? Palette.neutral : "#111111")
        }
        return svg + "</svg>"
    }

    /// Horizontal bars from zero, one row per item, with optional interval whiskers.
    static func bars(id: String, title: String, rows: [DotRow], maximum: Double, axisLabel: String) -> String {
        let layout = RowLayout(rows: rows)
        let plotLeft = layout.plotLeft
        let plotRight = layout.plotRight
        let height = top + Double(rows.count) * rowHeight + bottom
        let axis = Axis(domain: 0...maximum, from: plotLeft, to: plotRight)
        var svg = open(id: id, title: title, width: layout.width, height: height)
        svg += axis.gridAndTicks(top: top, bottom: height - bottom, label: axisLabel, chartWidth: layout.width)
        for (index, row) in rows.enumerated() {
            let y = top + (Double(index) + 0.5) * rowHeight
            svg += text(row.label, x: plotLeft - 8, y: y + 4, anchor: "end", size: 11.5)
            if let value = row.value {
                let barWidth = max(0, axis.x(axis.clamp(value)) - plotLeft)
                svg += "<rect x=\"\(n(plotLeft))\" y=\"\(n(y - 8))\" width=\"\(n(barWidth))\" height=\"16\" fill=\"\(row.colour)\" fill-opacity=\"0.85\"/>"
                if let lower = row.lower, let upper = row.upper {
                    svg += line(x1: axis.x(axis.clamp(lower)), y1: y, x2: axis.x(axis.clamp(upper)), y2: y, colour: "#111111", width: 1.2)
                }
            }
            svg += text(row.valueText, x: plotRight + 10, y: y + 4, anchor: "start", size: 11.5, colour: row.value == nil ? Palette.neutral : "#111111")
        }
        return svg + "</svg>"
    }

    /// A line chart over terms, one line per series; gaps where a term has no figure.
    /// `references` are horizontal dashed lines (a national figure), labelled at the right.
    static func lines(id: String, title: String, xLabels: [String], series: [Series], axisLabel: String, references: [ReferenceLine] = []) -> String {
        let legendRows = legendLayout(series.map(\.label), from: 64, within: width - 10)
        let height = 260.0 + Double(legendRows.rows - 1) * 16
        let plotRight = width - 44
        let plotLeft = 64.0
        let plotTop = 20.0
        let plotBottom = 190.0
        let values = series.flatMap { $0.values.compactMap { $0 } } + references.map(\.value)
        let low = min(0, values.min() ?? 0)
        let high = max(1, values.max() ?? 1)
        let yAxis = Axis(domain: low...(high + (high - low) * 0.1), from: plotBottom, to: plotTop)
        let step = xLabels.count > 1 ? (plotRight - plotLeft) / Double(xLabels.count - 1) : 0
        func x(_ index: Int) -> Double { xLabels.count > 1 ? plotLeft + Double(index) * step : (plotLeft + plotRight) / 2 }
        var svg = open(id: id, title: title, width: width, height: height)
        for tick in yAxis.ticks() {
            let y = yAxis.x(tick)
            svg += line(x1: plotLeft, y1: y, x2: plotRight, y2: y, colour: tick == 0 ? "#222222" : "#dddddd", width: tick == 0 ? 1.2 : 1)
            svg += text(yAxis.tickText(tick), x: plotLeft - 6, y: y + 4, anchor: "end", size: 10.5, colour: Palette.neutral)
        }
        svg += "<text x=\"14\" y=\"\(n((plotTop + plotBottom) / 2))\" transform=\"rotate(-90 14 \(n((plotTop + plotBottom) / 2)))\" text-anchor=\"middle\" font-size=\"10.5\" fill=\"\(Palette.neutral)\">\(HTML.escape(axisLabel))</text>"
        for (index, label) in xLabels.enumerated() {
            svg += text(label, x: centred(label, at: x(index), size: 10.5, within: width), y: plotBottom + 16, anchor: "middle", size: 10.5, colour: Palette.neutral)
        }
        for reference in references {
            let y = yAxis.x(reference.value)
            svg += "<line x1=\"\(n(plotLeft))\" y1=\"\(n(y))\" x2=\"\(n(plotRight))\" y2=\"\(n(y))\" stroke=\"\(Palette.neutral)\" stroke-width=\"1\" stroke-dasharray=\"4 3\"/>"
            svg += text(reference.label, x: max(plotLeft + textWidth(reference.label, size: 10), plotRight), y: y - 4, anchor: "end", size: 10, colour: Palette.neutral)
        }
        for item in series {
            var segment = [String]()
            func flush() {
                if segment.count > 1 {
                    svg += "<polyline points=\"\(segment.joined(separator: " "))\" fill=\"none\" stroke=\"\(item.colour)\" stroke-width=\"2\"/>"
                }
                segment = []
            }
            for (index, value) in item.values.enumerated() {
                guard let value else { flush(); continue }
                segment.append(n(x(index)) + "," + n(yAxis.x(value)))
                svg += "<circle cx=\"\(n(x(index)))\" cy=\"\(n(yAxis.x(value)))\" r=\"3.5\" fill=\"\(item.colour)\"/>"
            }
            flush()
        }
        for (item, place) in zip(series, legendRows.places) {
            let y = 238 + Double(place.row) * 16
            svg += "<rect x=\"\(n(place.x))\" y=\"\(n(y - 9))\" width=\"12\" height=\"12\" fill=\"\(item.colour)\"/>"
            svg += text(item.label, x: place.x + 17, y: y + 1, anchor: "start", size: 10.5)
        }
        return svg + "</svg>"
    }

    // MARK: - Pieces

    /// The width a label takes, estimated from its characters: in DejaVu Sans, the first font the
    /// charts name, digits advance 0.636 em and lower-case letters less, so 0.66 em per character
    /// leaves room for the labels the reports print, which the viewBox would otherwise cut off.
    static func textWidth(_ content: String, size: Double) -> Double { Double(content.count) * size * 0.66 }

    /// Where to centre a label near `x` so that all of it stays inside `0...width`.
    static func centred(_ content: String, at x: Double, size: Double, within width: Double) -> Double {
        let half = textWidth(content, size: size) / 2
        return min(max(x, half + 2), max(half + 2, width - half - 2))
    }

    /// Room for the row labels on the left and the value texts on the right, widening the chart
    /// beyond `width` when they need more, so that the plot keeps at least `minimumPlotWidth`.
    struct RowLayout {
        static let minimumPlotWidth = 300.0
        var plotLeft: Double
        var plotRight: Double
        var width: Double

        init(rows: [DotRow]) {
            plotLeft = max(SVGChart.labelWidth, 16 + (rows.map { SVGChart.textWidth($0.label, size: 11.5) }.max() ?? 0))
            let valueWidth = max(SVGChart.valueWidth, 18 + (rows.map { SVGChart.textWidth($0.valueText, size: 11.5) }.max() ?? 0))
            width = max(SVGChart.width, plotLeft + Self.minimumPlotWidth + valueWidth)
            plotRight = width - valueWidth
        }
    }

    /// Legend entries placed left to right, starting a new row where the next would pass `limit`.
    static func legendLayout(_ labels: [String], from left: Double, within limit: Double) -> (places: [(x: Double, row: Int)], rows: Int) {
        var places: [(x: Double, row: Int)] = []
        var x = left
        var row = 0
        for label in labels {
            let entry = 17 + textWidth(label, size: 10.5)
            if x > left, x + entry > limit {
                row += 1
                x = left
            }
            places.append((x, row))
            x += entry + 14
        }
        return (places, row + 1)
    }

    private static func open(id: String, title: String, width: Double, height: Double) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\" class=\"chart\" role=\"img\" aria-labelledby=\"\(id)-title\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "font-family=\"'DejaVu Sans', 'Liberation Sans', Arial, sans-serif\"><title id=\"\(id)-title\">\(HTML.escape(title))</title>"
    }

    static func line(x1: Double, y1: Double, x2: Double, y2: Double, colour: String, width: Double) -> String {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(colour)\" stroke-width=\"\(n(width))\"/>"
    }

    static func text(_ content: String, x: Double, y: Double, anchor: String, size: Double, colour: String = "#111111") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(n(size))\" fill=\"\(colour)\">\(HTML.escape(content))</text>"
    }

    /// A coordinate with one decimal.
    static func n(_ value: Double) -> String { FixedDecimal.format(value, decimals: 1) }

    /// A linear scale with "nice" ticks (1, 2 or 5 times a power of ten).
    struct Axis {
        var domain: ClosedRange<Double>
        var from: Double
        var to: Double

        func x(_ value: Double) -> Double {
            let span = domain.upperBound - domain.lowerBound
            guard span > 0 else { return (from + to) / 2 }
            return from + (value - domain.lowerBound) / span * (to - from)
        }

        func clamp(_ value: Double) -> Double { min(max(value, domain.lowerBound), domain.upperBound) }

        var step: Double {
            let span = domain.upperBound - domain.lowerBound
            guard span > 0 else { return 1 }
            var power = 1.0
            while span / power > 10 { power *= 10 }
            while span / power < 1 { power /= 10 }
            for multiple in [0.1, 0.2, 0.5, 1, 2, 5, 10] where span / (multiple * power) <= 8 { return multiple * power }
            return 10 * power
        }

        func ticks() -> [Double] {
            let step = self.step
            var tick = (domain.lowerBound / step).rounded(.up) * step
            var ticks = [Double]()
            while tick <= domain.upperBound + step * 1e-9 {
                ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
                tick += step
            }
            return ticks
        }

        func tickText(_ tick: Double) -> String {
            let decimals = step >= 1 ? 0 : (step >= 0.1 ? 1 : 2)
            return FixedDecimal.format(tick, decimals: decimals)
        }

        func gridAndTicks(top: Double, bottom: Double, label: String, chartWidth: Double) -> String {
            var svg = ""
            for tick in ticks() {
                let position = x(tick)
                svg += SVGChart.line(x1: position, y1: top - 4, x2: position, y2: bottom, colour: "#dddddd", width: 1)
                svg += SVGChart.text(tickText(tick), x: position, y: bottom + 14, anchor: "middle", size: 10.5, colour: Palette.neutral)
            }
            svg += SVGChart.text(label, x: SVGChart.centred(label, at: (from + to) / 2, size: 10.5, within: chartWidth), y: bottom + 29,
                                 anchor: "middle", size: 10.5, colour: Palette.neutral)
            return svg
        }
    }
}

/// HTML escaping for text and attribute values.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
