import Foundation
import GapStatistics
import GapTrackDomain
import GapTrackStore

/// Words and small formats shared by every renderer, so that the terminal, Markdown, HTML and
/// CSV versions of a report say the same thing in the same way.
enum ReportText {
    /// "2024/25 autumn".
    static func term(_ term: AcademicTerm) -> String { "\(term.year) \(term.term)" }

    /// "24/25 aut": for narrow table columns and chart axes.
    static func shortTerm(_ term: AcademicTerm) -> String {
        let start = term.year.startYear % 100
        return String(format2: start) + "/" + String(format2: (start + 1) % 100) + " " + String(term.term.rawValue.prefix(3))
    }

    /// "2025-01-10 09:30:00 UTC", computed by hand from the seconds since 1970 so that it never
    /// depends on the machine's time zone or locale.
    static func timestamp(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let day = CalendarDate(daysSinceEpoch: days)
        return day.isoString + " " + String(format2: secondOfDay / 3600) + ":" + String(format2: secondOfDay / 60 % 60) + ":"
            + String(format2: secondOfDay % 60) + " UTC"
    }

    /// The data-cut line: "2025-01-10 09:30:00 UTC, from 5 imports".
    static func dataCut(_ cut: DataCut) -> String {
        guard let at = cut.cutAt else { return "no imports recorded" }
        let count = cut.imports.count
        return timestamp(at) + ", from \(count) import\(count == 1 ? "" : "s")"
    }

    static func kind(_ kind: ReportProvider.Kind) -> String { kind.rawValue }

    /// "1.2 (0.8 to 1.6)", the value alone without an interval, or "n/a" for no figure.
    static func withInterval(_ figure: ReportedFigure<Estimate>?) -> String {
        guard let figure else { return "n/a" }
        switch figure {
        case .suppressed: return ReportedFigure<Estimate>.suppressionMark
        case let .value(estimate):
            guard let interval = estimate.intervalText else { return estimate.text }
            return estimate.plainText + " (" + interval + ")"
        }
    }

    /// "94.1 (93.2–95.0)": percentages in narrow columns (they are never negative, so the dash
    /// cannot be misread as a minus sign).
    static func compactInterval(_ figure: ReportedFigure<Estimate>) -> String {
        withInterval(figure, open: " (", separator: "–", close: ")")
    }

    /// "1.15 [0.59, 1.72]": value and interval in the least width, for terminal columns.
    static func bracketed(_ figure: ReportedFigure<Estimate>?) -> String {
        guard let figure else { return "n/a" }
        return withInterval(figure, open: " [", separator: ", ", close: "]")
    }

    /// The value, then its interval's ends at the value's own decimals between the marks given;
    /// the value alone where it has no interval.
    private static func withInterval(_ figure: ReportedFigure<Estimate>, open: String, separator: String, close: String) -> String {
        switch figure {
        case .suppressed: return ReportedFigure<Estimate>.suppressionMark
        case let .value(estimate):
            guard let lower = estimate.lower, let upper = estimate.upper else { return estimate.plainText }
            let decimals = estimate.unit.decimals
            return estimate.plainText + open + FixedDecimal.format(lower, decimals: decimals) + separator
                + FixedDecimal.format(upper, decimals: decimals) + close
        }
    }

    /// "104.2 (SD 8.1)".
    static func scores(_ figure: ReportedFigure<GroupScores>) -> String {
        figure.cell { "\($0.mean.plainText) (SD \($0.standardDeviation.plainText))" }
    }

    static func students(_ figure: ReportedFigure<GroupScores>) -> String {
        figure.cell { FixedDecimal.grouped($0.students) }
    }

    static func months(_ figure: ReportedFigure<MonthsFigure>?) -> String {
        guard let figure else { return "n/a" }
        return figure.cell { $0.months.plainText }
    }

    static func monthsInterval(_ figure: ReportedFigure<MonthsFigure>?) -> String {
        guard let figure else { return "" }
        return figure.cell { $0.months.intervalText ?? "no interval" }
    }

    /// One line on how a month figure was made: the conversion, its rate and n, and for the
    /// progress rate the earlier assessment and the months between.
    static func monthsMethod(_ months: MonthsFigure) -> String {
        months.methodDescription + ": " + monthsInputs(months)
    }

    /// "gap 1.95 score points (gcse) ÷ 0.10531 ... per month (95% CI ...), the mean gain of 179
    /// students since Year 11 autumn mock (autumn), 6.5 months earlier".
    static func monthsInputs(_ months: MonthsFigure) -> String {
        var text = "gap " + months.gap.plainText + " " + months.gapUnits
        if let rate = months.ratePerMonth, let units = months.rateUnits {
            text += " ÷ " + rate.plainText + " " + units
            if let interval = rate.intervalText { text += " (95% CI " + interval + ")" }
        }
        if let earlier = months.comparedWith, let between = months.monthsBetween {
            text += ", the mean gain of \(FixedDecimal.grouped(months.studentCount)) students since \(earlier), \(between.plainText) months earlier"
        } else {
            text += " (n = \(months.studentCount))"
        }
        if let note = months.note { text += ". " + note }
        return text
    }

    /// The months cell of one conversion: "18.5", `c`, or "n/a" when refused.
    static func months(_ conversion: MonthsConversion) -> String {
        months(conversion.figure)
    }

    /// "18.5 (12.9 to 24.1)", `c`, or "n/a".
    static func monthsWithInterval(_ figure: ReportedFigure<MonthsFigure>?) -> String {
        guard let figure else { return "n/a" }
        return figure.cell { months in
            months.months.intervalText.map { months.months.plainText + " (" + $0 + ")" } ?? months.months.plainText
        }
    }

    /// The line under the months table for one conversion: how it was made, or why not.
    static func monthsExplanation(_ conversion: MonthsConversion) -> String? {
        if case let .value(figure)? = conversion.figure { return monthsInputs(figure) }
        return conversion.refusal.map { "no figure: " + $0 }
    }

    /// Why a report has no figure in months at all.
    static func noMonths(_ report: TermlyGapReport) -> String {
        report.provider.kind == .university
            ? "No gap is given in months of learning: months describe progress through school, EPI's month method stops at 16 (it reports 16-19 gaps "
                + "in grades), and in higher education age and term say little about learning. The gap index and score gap stand on their own."
            : "No gap is given in months of learning for this cohort."
    }

    /// "Progress rate (primary)".
    static func conversionLabel(_ conversion: MonthsConversion) -> String {
        conversion.label + (conversion.isPrimary ? " (primary)" : "")
    }

    /// A column heading for the compared group's count: "Disadv.", "LSEB".
    static func comparedHeading(_ comparison: ComparisonGroup) -> String {
        comparison == .dfeDisadvantaged ? "Disadv." : comparison.shortLabel
    }

    /// Short group names for table columns (the full label is in the group-size table).
    static func shortLabel(_ group: ReportGroup) -> String {
        let marked = group.label.hasPrefix(ReportAudience.marked(""))
        let short = unmarkedShortLabel(group)
        return marked && !short.hasPrefix(ReportAudience.marked("")) ? ReportAudience.marked(short) : short
    }

    private static func unmarkedShortLabel(_ group: ReportGroup) -> String {
        switch group.id {
        case ReportGroup.lookedAfter.id: "LAC or PLAC (looked after)"
        case ReportGroup.sen.id: "SEN (E or K)"
        default:
            group.label
                .replacingOccurrences(of: "IMD quintile ", with: "IMD Q")
                .replacingOccurrences(of: "POLAR4 quintile ", with: "POLAR4 Q")
                .replacingOccurrences(of: " background", with: "")
        }
    }

    /// Above the national pairs, in every format, naming only the kinds of pair printed: a Year 7
    /// cohort gets absence alone (docs/methodology.md §8.3, §8.4).
    static func nationalContextIntroduction(_ pairs: [NationalPairFigure]) -> String {
        let kinds = Set(pairs.map(\.measure.kind))
        let what = [kinds.contains(.attainment) ? "KS4 headline measures" : nil, kinds.contains(.absence) ? "absence" : nil]
            .compactMap { $0 }.joined(separator: " and ")
        var text = "For context, England: \(what), with no figure of this cohort beside them."
        if kinds.contains(.attainment) {
            text += " The cohort's own grade 4+/5+ and Attainment 8, where its GCSE-scale results allow them, are in the KS4 section."
        }
        if kinds.contains(.absence) {
            text += " The DfE splits absence by current eligibility for free school meals, not by the disadvantaged group of this "
                + "report's attendance gap."
        }
        return text
    }

    /// A national figure's local counterpart, or a dash.
    static func local(_ comparison: NationalComparison) -> String {
        guard let local = comparison.local else { return "–" }
        return local.text
    }
}
