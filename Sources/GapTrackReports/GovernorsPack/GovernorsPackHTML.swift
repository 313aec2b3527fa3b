import GapStatistics
import GapTrackDomain

/// The pack as one self-contained HTML page that prints on at most two A4 pages
/// (docs/methodology.md §7.9): four tiles, three charts, two short tables and a few lines of
/// method. Every figure is copied from the governors' termly report or pupil premium review,
/// never recomputed, so the pack and the report always agree.
public enum GovernorsPackHTML {
    public static func render(_ pack: GovernorsPack) -> String {
        let report = pack.termly
        var body = "<header><h1><span class=\"kicker\">Governors' pack</span>\(HTML.escape(report.provider.name)): "
            + "\(HTML.escape(report.cohort.label)), \(HTML.escape(ReportText.term(report.term)))</h1>"
        body += "<p class=\"note\">\(HTML.escape(report.audience.headerText(threshold: report.suppressionThreshold)))</p></header>\n"
        body += tiles(pack)
        body += gapChart(pack) + attendanceChart(pack) + "\n"
        body += spend(pack)
        body += impact(pack)
        body += footer(pack)
        return HTMLStyle.page(title: pack.title, body: body).replacingOccurrences(of: "</style>", with: css + "\n</style>")
    }

    /// Tighter type and spacing than the full report, so that the pack holds to two pages.
    static let css = """
    body.pack, body { font-size: 12px; }
    figure { margin: 4px 0 6px; }
    @media screen and (max-width: 600px) {
      body { padding: 12px; }
      .cards { grid-template-columns: repeat(2, 1fr); }
    }
    section.pack h2 { margin-top: 12px; }
    @media print {
      body { font-size: 8.5pt; }
      h1 { font-size: 14pt; }
      h2 { font-size: 11pt; margin-top: 8pt; }
      table { font-size: 8pt; }
      figcaption { font-size: 7.5pt; }
    }
    """

    static func card(_ figure: String, _ what: String, disadvantaged: Bool = false) -> String {
        "<div class=\"card\(disadvantaged ? " disadvantaged" : "")\"><span class=\"figure\">\(HTML.escape(figure))</span>"
            + "<span class=\"what\">\(HTML.escape(what))</span></div>"
    }

    static func tiles(_ pack: GovernorsPack) -> String {
        let report = pack.termly
        var cards: [String] = []
        if let headline = pack.headline {
            cards.append(card(headline.gapIndex.text, "Gap index, \(headline.title) (95% CI \(headline.gapIndex.intervalText)); "
                + "n \(ReportText.students(headline.disadvantaged)) \(report.comparison.groupWord) and \(ReportText.students(headline.others)) others",
                disadvantaged: true))
            cards.append(card(ReportText.months(headline.months), "Gap in months of learning, \(headline.subject) "
                + "(95% CI \(ReportText.monthsInterval(headline.months)))", disadvantaged: true))
        } else {
            cards.append(card("–", "No subject's gap can be shown this term"))
        }
        cards.append(card(report.attendance.attendanceGap.text,
                          "Attendance gap, others minus \(report.comparison.groupWord) (95% CI \(report.attendance.attendanceGap.intervalText))"))
        if let review = pack.pupilPremium {
            cards.append(card(PupilPremiumReview.moneyText(review.totalSpent),
                              "Pupil premium spent in \(review.year), against \(review.totalPlanned.formatted) planned"))
        }
        return "<div class=\"cards\">" + cards.joined() + "</div>\n"
    }

    static func terms(_ series: [TrendSeries]) -> [AcademicTerm] {
        Array(Set(series.flatMap { $0.points.map(\.term) })).sorted()
    }

    static func gapChart(_ pack: GovernorsPack) -> String {
        guard let trend = pack.headlineTrend else { return "<p>No gap index trend this term.</p>" }
        let terms = terms([trend])
        let references = pack.nationalGapIndex.map {
            [SVGChart.ReferenceLine(value: $0.value, label: "England \($0.phase == .keyStage4 ? "KS4" : $0.phase == .keyStage2 ? "KS2" : "EY") \($0.academicYearText): \($0.valueText)")]
        } ?? []
        let svg = SVGChart.lines(
            id: "pack-gap-trend", title: "Gap index by term", xLabels: terms.map(ReportText.shortTerm),
            series: [SVGChart.Series(label: trend.label, values: values(trend, terms), colour: SVGChart.Palette.disadvantaged)],
            axisLabel: "gap index", references: references)
        return "<figure>" + svg + "<figcaption>" + HTML.escape(trend.label) + " by term"
            + (references.isEmpty ? "; no national figure for this phase." : "; dashed: England, \(pack.nationalGapIndex!.source.publisher).")
            + "</figcaption></figure>"
    }

    static func attendanceChart(_ pack: GovernorsPack) -> String {
        guard let trend = pack.attendanceTrend else { return "<p>No attendance trend this term.</p>" }
        let terms = terms([trend])
        let national = pack.nationalAbsenceGap
        let references = national.map {
            [SVGChart.ReferenceLine(value: $0.points, label: "England \($0.pair.periodText), FSM v. not: \(FixedDecimal.format($0.points, decimals: 1))")]
        } ?? []
        let svg = SVGChart.lines(
            id: "pack-attendance-trend", title: "Attendance gap by term", xLabels: terms.map(ReportText.shortTerm),
            series: [SVGChart.Series(label: trend.label, values: values(trend, terms), colour: SVGChart.Palette.others)],
            axisLabel: "percentage points", references: references)
        let caption = national.map {
            "dashed: England, overall absence of pupils eligible for free school meals minus the others' (\($0.pair.groupText)% − "
                + "\($0.pair.othersText)%, \($0.pair.phase.label.lowercased()), \($0.pair.periodText), \($0.pair.source.publisher)): current "
                + "eligibility, not the disadvantaged group, so a rough guide rather than a benchmark."
        } ?? "gaptrack holds no national absence figure for this phase to draw beside it."
        return "<figure>" + svg + "<figcaption>Attendance gap by term (others minus \(pack.termly.comparison.groupWord)); "
            + HTML.escape(caption) + "</figcaption></figure>"
    }

    static func values(_ series: TrendSeries, _ terms: [AcademicTerm]) -> [Double?] {
        terms.map { term in series.points.first { $0.term == term }?.value.value?.value }
    }

    static func spend(_ pack: GovernorsPack) -> String {
        guard let review = pack.pupilPremium else { return "" }
        var out = "<section class=\"pack\"><h2>Pupil premium: spend against plan, \(review.year)</h2>"
        let pence = review.tiers.flatMap { [$0.planned?.pence, $0.spent.value?.pence].compactMap { $0 } }
        let maximum = HTMLReportRenderer.niceDomain(low: 0, high: Double(pence.max() ?? 100) / 100).upperBound
        let rows = review.tiers.flatMap { line in
            [
                SVGChart.DotRow(label: line.tier.label + ": planned", value: line.planned.map { Double($0.pence) / 100 },
                                valueText: line.planned?.formatted ?? "not set", colour: SVGChart.Palette.neutral),
                SVGChart.DotRow(label: line.tier.label + ": spent", value: line.spent.value.map { Double($0.pence) / 100 },
                                valueText: PupilPremiumReview.moneyText(line.spent), colour: SVGChart.Palette.others),
            ]
        }
        out += "<figure>" + SVGChart.bars(id: "pack-spend", title: "Pupil premium spend against plan by tier", rows: rows, maximum: maximum, axisLabel: "pounds")
        out += "<figcaption>Grey: planned budget; blue: pupil-premium-funded support recorded in \(review.year), in its type's tier. "
            + HTML.escape(review.allocationSentence) + "</figcaption></figure></section>\n"
        return out
    }

    static func impact(_ pack: GovernorsPack) -> String {
        var out = "<section class=\"pack\"><h2>What worked and what did not</h2>"
        let findings = pack.impactFindings
        let notJudged = pack.notJudgedLine.map { "<p class=\"note\" id=\"pack-not-judged\">\(HTML.escape($0))</p>" } ?? ""
        guard !findings.isEmpty else {
            return out + "<p>No intervention reached 10 pupils of this cohort with results before and after this year.</p>" + notJudged + "</section>\n"
        }
        out += "<table id=\"pack-impact\"><thead><tr><th>Intervention</th><th>Judged on</th><th>Verdict</th><th>Finding</th></tr></thead><tbody>"
        for finding in findings.prefix(6) {
            out += "<tr><td>\(HTML.escape(finding.intervention))</td><td>\(HTML.escape(finding.outcome))</td>"
                + "<td>\(HTML.escape(finding.verdict.rawValue))</td><td>\(HTML.escape(finding.finding))</td></tr>"
        }
        out += "</tbody></table>"
        if findings.count > 6 { out += "<p class=\"note\">\(findings.count - 6) further finding(s) are in the appendix.</p>" }
        return out + notJudged + "</section>\n"
    }

    static func footer(_ pack: GovernorsPack) -> String {
        var notes = ["Gap index: DfE disadvantage gap index (0 = no gap), with its 95% confidence interval; months: the gap as months of "
            + "learning (docs/methodology.md §5). Attendance gap: others' attendance minus the \(pack.termly.comparison.groupWord) group's, in percentage points."]
        notes += pack.termly.suppressionNotes.prefix(2)
        if let appendix = pack.appendix {
            notes.append("Appendix: the full governors' termly report, with every table, the method and the data cut: \(appendix).")
        }
        return "<footer>" + notes.map { "<p>\(linked(HTML.escape($0), appendix: pack.appendix))</p>" }.joined() + "</footer>\n"
    }

    static func linked(_ text: String, appendix: String?) -> String {
        guard let appendix else { return text }
        let escaped = HTML.escape(appendix)
        return text.replacingOccurrences(of: escaped + ".", with: "<a href=\"\(escaped)\">\(escaped)</a>.")
    }
}
