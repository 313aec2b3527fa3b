import GapStatistics

/// The group report as one self-contained HTML page: per subject, the schools' table, their gaps
/// with intervals as a dot-and-whisker chart, and the funnel plot (inline SVG, no script).
enum GroupHTMLRenderer {
    static func render(_ report: GroupGapReport) -> String {
        var body = "<header>\n<h1><span class=\"kicker\">Group gap report</span>\(HTML.escape(report.group.name)): "
            + "\(HTML.escape(report.cohort.label)), \(HTML.escape(ReportText.term(report.term)))</h1>\n"
        body += GroupReportRenderer.headerLines(report).map { "<p>\(HTML.escape($0))</p>\n" }.joined() + "</header>\n"
        for (number, subject) in report.subjects.enumerated() {
            body += "<section id=\"subject-\(number + 1)\">\n<h2>\(number + 1). \(HTML.escape(subject.title))</h2>\n"
            var table = HTMLTable(GroupReportRenderer.schoolHeader, numeric: Set(1...7))
            let rows = GroupReportRenderer.rows(subject)
            for (index, row) in rows.enumerated() { table.add(row, total: index == rows.count - 1) }
            body += table.render()
            body += "<figure>" + gapChart(subject, id: "chart-gaps-\(number + 1)") + "<figcaption>Each school's gap index with its 95% interval; "
                + "the dashed line is the group's pooled gap.</figcaption></figure>\n"
            if let funnel = subject.funnel {
                body += "<figure>" + funnelPlot(subject, funnel, id: "chart-funnel-\(number + 1)")
                    + "<figcaption>Funnel plot: each school's gap index against its pupils assessed, with 95% (solid) and 99.8% (dashed) "
                    + "control limits around the pooled gap of \(FixedDecimal.format(funnel.target, decimals: 2)) (docs/methodology.md §5.7).</figcaption></figure>\n"
            }
            body += "</section>\n"
        }
        if !report.schoolsWithoutData.isEmpty {
            var table = HTMLTable(["School", "Why"], numeric: [])
            for school in report.schoolsWithoutData { table.add(["\(school.name) (\(school.code))", school.reason]) }
            body += "<section id=\"without-data\"><h2>Schools without data for this cohort and term</h2>\n" + table.render() + "</section>\n"
        }
        var national = HTMLTable(GroupReportRenderer.nationalHeader, numeric: [3])
        for row in GroupReportRenderer.nationalRows(report) { national.add(row) }
        body += "<section id=\"national\"><h2>National figures</h2>\n"
            + (report.nationalFigures.isEmpty ? "<p>None shown.</p>\n" : national.render()) + "</section>\n"
        body += "<section id=\"suppression\"><h2>Suppression</h2>\n" + report.suppressionNotes.map { "<p>\(HTML.escape($0))</p>\n" }.joined() + "</section>\n"
        body += "<section id=\"method\"><h2>Method</h2>\n<dl class=\"facts\">"
            + report.method.map { "<dt>\(HTML.escape($0.topic))</dt><dd>\(HTML.escape($0.text))</dd>" }.joined() + "</dl>\n</section>\n"
        body += "<footer>Made by gaptrack from each member school's data. The same data always gives the same report.</footer>\n"
        return HTMLStyle.page(title: report.title, body: body)
    }

    private static func gapChart(_ subject: GroupSubjectComparison, id: String) -> String {
        let rows = subject.schools.map { school in
            SVGChart.DotRow(
                label: school.label, value: school.gapIndex.value?.value, lower: school.gapIndex.value?.lower, upper: school.gapIndex.value?.upper,
                valueText: school.gapIndex.value == nil ? "c: suppressed" : school.gapIndex.text)
        }
        let values = subject.schools.compactMap(\.gapIndex.value).flatMap { [$0.value, $0.lower ?? $0.value, $0.upper ?? $0.value] }
        let domain = niceDomain(values + [0])
        let references = subject.pooledGapIndex?.value.map { [SVGChart.ReferenceLine(value: $0.value, label: "pooled \($0.text)")] } ?? []
        return SVGChart.dotWhisker(id: id, title: "\(subject.title): gap index by school", rows: rows, domain: domain,
                                   axisLabel: "gap index (0 = no gap; positive: disadvantaged pupils behind)", references: references, zeroLine: true)
    }

    private static func niceDomain(_ values: [Double]) -> ClosedRange<Double> {
        let low = values.min() ?? -1
        let high = values.max() ?? 1
        let pad = max(0.25, (high - low) * 0.08)
        return ((low - pad) * 2).rounded(.down) / 2 ... ((high + pad) * 2).rounded(.up) / 2
    }

    /// The funnel: x is pupils assessed, y the gap index; the limits as polylines, the schools as
    /// labelled dots. Labels go to the left of a dot in the right third so none runs off the plot.
    static func funnelPlot(_ subject: GroupSubjectComparison, _ funnel: GroupFunnel, id: String) -> String {
        let width = SVGChart.width, height = 400.0
        let left = 64.0, right = width - 24, top = 40.0, bottom = height - 52
        let points = subject.schools.compactMap { school -> (String, Double, Double, Bool)? in
            guard let gap = school.gapIndex.value, let n = school.students.value else { return nil }
            let outside = school.position?.value.map { $0 == .above998 || $0 == .below998 } ?? false
            return (school.code, Double(n), gap.value, outside)
        }
        let maxN = max(funnel.curve.last?.cohortSize ?? 1, (points.map(\.1).max() ?? 0) * 1.05)
        let yValues = funnel.curve.flatMap { [$0.lower998, $0.upper998] }.filter { _ in true } + points.map(\.2) + [0]
        let xAxis = SVGChart.Axis(domain: 0...maxN, from: left, to: right)
        var yAxis = SVGChart.Axis(domain: niceDomain(yValues.map { min(max($0, -10), 10) }), from: bottom, to: top)
        yAxis.domain = yAxis.domain.lowerBound ... yAxis.domain.upperBound
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"\(id)\" class=\"chart\" role=\"img\" aria-labelledby=\"\(id)-title\" "
            + "viewBox=\"0 0 \(SVGChart.n(width)) \(SVGChart.n(height))\" width=\"\(SVGChart.n(width))\" height=\"\(SVGChart.n(height))\" "
            + "font-family=\"'DejaVu Sans', 'Liberation Sans', Arial, sans-serif\"><title id=\"\(id)-title\">"
            + HTML.escape("\(subject.title): funnel plot of the gap index against pupils assessed") + "</title>"
        svg += xAxis.gridAndTicks(top: top, bottom: bottom, label: "pupils assessed", chartWidth: width)
        for tick in yAxis.ticks() {
            let y = yAxis.x(tick)
            svg += SVGChart.line(x1: left, y1: y, x2: right, y2: y, colour: "#eeeeee", width: 1)
            svg += SVGChart.text(yAxis.tickText(tick), x: left - 6, y: y + 4, anchor: "end", size: 10.5, colour: SVGChart.Palette.neutral)
        }
        svg += "<text transform=\"translate(16 \(SVGChart.n((top + bottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"10.5\" "
            + "fill=\"\(SVGChart.Palette.neutral)\">gap index</text>"
        func clampY(_ value: Double) -> Double { yAxis.x(yAxis.clamp(value)) }
        func polyline(_ values: [(Double, Double)], dashed: Bool, colour: String) -> String {
            let coordinates = values.map { "\(SVGChart.n(xAxis.x($0.0))),\(SVGChart.n(clampY($0.1)))" }.joined(separator: " ")
            return "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.4\""
                + (dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>"
        }
        let curve = funnel.curve.filter { $0.cohortSize <= maxN }
        svg += polyline(curve.map { ($0.cohortSize, $0.upper998) }, dashed: true, colour: SVGChart.Palette.neutral)
        svg += polyline(curve.map { ($0.cohortSize, $0.lower998) }, dashed: true, colour: SVGChart.Palette.neutral)
        svg += polyline(curve.map { ($0.cohortSize, $0.upper95) }, dashed: false, colour: SVGChart.Palette.others)
        svg += polyline(curve.map { ($0.cohortSize, $0.lower95) }, dashed: false, colour: SVGChart.Palette.others)
        let targetY = clampY(funnel.target)
        svg += SVGChart.line(x1: left, y1: targetY, x2: right, y2: targetY, colour: "#222222", width: 1.2)
        for (code, n, gap, outside) in points {
            let x = xAxis.x(n), y = clampY(gap)
            let colour = outside ? SVGChart.Palette.disadvantaged : "#111111"
            svg += "<circle cx=\"\(SVGChart.n(x))\" cy=\"\(SVGChart.n(y))\" r=\"5\" fill=\"\(colour)\"/>"
            let onLeft = x > left + (right - left) * 2 / 3
            svg += SVGChart.text(code, x: onLeft ? x - 8 : x + 8, y: y - 6, anchor: onLeft ? "end" : "start", size: 10.5, colour: colour)
        }
        // Legend above the plot.
        let legend: [(String, String, Bool)] = [
            ("pooled gap \(FixedDecimal.format(funnel.target, decimals: 2))", "#222222", false), ("95% limits", SVGChart.Palette.others, false),
            ("99.8% limits", SVGChart.Palette.neutral, true), ("outside 99.8%", SVGChart.Palette.disadvantaged, false),
        ]
        var legendX = left
        for (label, colour, dashed) in legend {
            svg += "<line x1=\"\(SVGChart.n(legendX))\" y1=\"18\" x2=\"\(SVGChart.n(legendX + 22))\" y2=\"18\" stroke=\"\(colour)\" stroke-width=\"2\""
                + (dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>"
            svg += SVGChart.text(label, x: legendX + 27, y: 22, anchor: "start", size: 10.5)
            legendX += 40 + Double(label.count) * 6.2
        }
        return svg + "</svg>"
    }
}
