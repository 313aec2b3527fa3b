import CSVFormat
import Foundation
import GapStatistics

/// The impact report as one tidy CSV table with the termly report's columns
/// (`CSVReportRenderer.header`), so that impact rows stack under a termly report's rows in a
/// spreadsheet: `term` holds the period, `section` is `impact_counts`, `impact`, `impact_uptake`,
/// `impact_spend`, `data_cut`, `suppression` or `method`, `subject` the intervention, `assessment`
/// the before → after points, `measure` and `group` say what the figure is. Cells that would start
/// a spreadsheet formula are guarded as in the termly report (`CSVReportRenderer.document`).
public enum ImpactCSVRenderer {
    public static func render(_ report: ImpactReport) -> String {
        CSVReportRenderer.document(rows(report, includeDataCutAndMethod: true))
    }

    /// The rows, in the header's column order. Without the data cut and method, these are what a
    /// termly report appends as its impact section (it has its own data cut and method rows).
    public static func rows(_ report: ImpactReport, includeDataCutAndMethod: Bool = false) -> [[String]] {
        let period = "\(report.period.from.isoString)/\(report.period.to.isoString)"
        let subject = report.intervention.label + (report.target.map { " (target: \($0))" } ?? "")
        let assessment = [report.before, report.after].compactMap { $0 }.joined(separator: " -> ")
        var rows = [[String]]()
        func add(_ section: String, _ measure: String, _ group: String, value: String, low: String = "", high: String = "", n: String = "", unit: String, note: String = "") {
            rows.append([report.provider.code, report.cohort?.code ?? "all", period, section, subject, assessment, measure, group, value, low, high, n, unit, note])
        }
        func reason<V>(_ figure: ReportedFigure<V>) -> String {
            if case let .suppressed(reason) = figure { return reason.description }
            return ""
        }
        if let reason = report.notJudged {
            add("impact", "not_judged", "", value: "", unit: "", note: "Not judged: \(reason).")
            return rows
        }
        for count in report.counts {
            add("impact_counts", count.id, "", value: count.students.text, unit: "students", note: reason(count.students))
        }
        for outcome in report.outcomes {
            let unit = ImpactText.unit(outcome.effect?.unit ?? .effectSize)
            add("impact", "participants", outcome.id, value: outcome.participants.text, unit: "students", note: reason(outcome.participants))
            add("impact", "comparison", outcome.id, value: outcome.comparison.text, unit: "students", note: reason(outcome.comparison))
            add("impact", "unmatched_participants", outcome.id, value: outcome.unmatchedParticipants.text, unit: "students", note: reason(outcome.unmatchedParticipants))
            guard let effect = outcome.effect else {
                add("impact", "effect", outcome.id, value: "", unit: unit, note: outcome.refusal ?? "")
                continue
            }
            let n = [outcome.participants.value, outcome.comparison.value].compactMap { $0 }
            let pairN = n.count == 2 ? String(n[0] + n[1]) : ""
            if let mean = outcome.participantMean { add("impact", "participant_mean", outcome.id, value: mean.plainText, unit: ImpactText.unit(mean.unit)) }
            if let mean = outcome.comparisonMean {
                add("impact", "comparison_mean", outcome.id, value: mean.plainText, unit: ImpactText.unit(mean.unit), note: "stratum-weighted")
            }
            add("impact", "effect", outcome.id, value: effect.plainText, low: interval(effect).low, high: interval(effect).high, n: pairN, unit: unit,
                note: "95% CI: " + (effect.intervalMethod ?? ""))
            if let months = outcome.months {
                add("impact", "eef_months", outcome.id, value: String(Int(months.value.rounded())), low: months.lower.map { String(Int($0.rounded())) } ?? "",
                    high: months.upper.map { String(Int($0.rounded())) } ?? "", n: pairN, unit: "months", note: months.intervalMethod ?? "")
            }
        }
        for row in report.uptake {
            let group = row.type?.rawValue ?? "any"
            for (who, count, percent) in [("lseb", row.lsebSupported, row.lsebPercent), ("others", row.othersSupported, row.othersPercent)] {
                add("impact_uptake", "\(who)_supported", group, value: count.text, unit: "students", note: reason(count))
                add("impact_uptake", "\(who)_percent", group, value: percent.cell(\.plainText), low: percent.value.map { interval($0).low } ?? "",
                    high: percent.value.map { interval($0).high } ?? "", unit: "percent", note: reason(percent))
            }
            add("impact_uptake", "difference_lseb_minus_others", group, value: row.difference.cell(\.plainText),
                low: row.difference.value.map { interval($0).low } ?? "", high: row.difference.value.map { interval($0).high } ?? "",
                unit: "percentage points", note: reason(row.difference))
        }
        for (kind, line) in report.spend.byFundingSource.map({ ("funding_source", $0) }) + report.spend.byType.map({ ("type", $0) })
            + [("all", report.spend.total)] {
            let group = kind == "all" ? "all" : "\(kind):\(line.id)"
            add("impact_spend", "students", group, value: line.students.text, unit: "students", note: reason(line.students))
            add("impact_spend", "spend", group, value: line.spend.cell(\.plainDecimal), unit: "pounds", note: reason(line.spend))
            add("impact_spend", "spend_per_student", group, value: line.perStudent.cell(\.plainDecimal), unit: "pounds", note: reason(line.perStudent))
        }
        add("impact_spend", "records_without_amount", "all", value: report.spend.recordsWithoutAmount.text, unit: "records",
            note: reason(report.spend.recordsWithoutAmount))
        add("impact_spend", "pounds_per_month", "all", value: report.costEffectiveness.poundsPerMonth?.plainDecimal ?? "", unit: "pounds",
            note: report.costEffectiveness.statement)
        guard includeDataCutAndMethod else { return rows }
        for cut in report.dataCut.imports {
            add("data_cut", "import", cut.kind, value: cut.checksum, n: cut.rows.map(String.init) ?? "", unit: "sha256",
                note: "\(cut.file), imported \(ReportText.timestamp(cut.importedAt))")
        }
        add("suppression", "threshold", "", value: String(report.suppressionThreshold), unit: "students", note: report.audience.headerText(threshold: report.suppressionThreshold))
        for note in report.suppressionNotes { add("suppression", "note", "", value: "", unit: "", note: note) }
        for note in report.method { add("method", note.topic, "", value: "", unit: "", note: note.text) }
        return rows
    }

    static func interval(_ estimate: Estimate) -> (low: String, high: String) {
        let decimals = estimate.unit.decimals
        return (estimate.lower.map { FixedDecimal.format($0, decimals: decimals) } ?? "", estimate.upper.map { FixedDecimal.format($0, decimals: decimals) } ?? "")
    }
}

/// The impact report as JSON: the `ImpactReport` value itself, keys sorted, numbers rounded as
/// published, dates ISO 8601, like `JSONReportRenderer`.
public enum ImpactJSONRenderer {
    public static func render(_ report: ImpactReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
    }

    public static func decode(_ text: String) throws -> ImpactReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(ImpactReport.self, from: Data(text.utf8))
    }
}
