import GapStatistics
import GapTrackDomain
import GapTrackStore
import Postgres

/// The governors' pack: one to two A4 pages a governing body reads before its meeting
/// (docs/methodology.md §7.9): the headline gap in months and as the gap index with its trend,
/// the attendance gap with its trend, pupil premium spend against plan by tier, what worked and
/// what did not, at most three charts with national reference lines where national figures
/// exist. Always the governors' shaping: its figures are the governors' termly report's and the
/// governors' pupil premium review's, suppressed and audited as they are. The full governors'
/// termly report is the appendix, a separate document the pack links to, so that the two-page
/// limit holds for the pack itself.
public struct GovernorsPack: Sendable, Equatable {
    /// The governors' termly report the pack summarises.
    public var termly: TermlyGapReport
    /// The governors' pupil premium review of the term's academic year; nil for a provider that
    /// is not a school, or a year without rates.
    public var pupilPremium: PupilPremiumReview?
    /// The appendix's file name, linked from the pack; nil for none.
    public var appendix: String?

    public init(termly: TermlyGapReport, pupilPremium: PupilPremiumReview?, appendix: String?) {
        self.termly = termly
        self.pupilPremium = pupilPremium
        self.appendix = appendix
    }

    public var title: String {
        "Governors' pack: \(termly.provider.name), \(termly.cohort.label), \(termly.term.year) \(termly.term.term)"
    }

    /// The subject the headline gap is given for: the one most pupils of the cohort sat this
    /// term, whose gap index is shown; ties go to the report's order.
    public var headline: SubjectGap? {
        var best: SubjectGap?
        for row in termly.attainment where !row.gapIndex.isSuppressed {
            if let current = best, Self.pupils(row) <= Self.pupils(current) { continue }
            best = row
        }
        return best
    }

    static func pupils(_ row: SubjectGap) -> Int {
        (row.disadvantaged.value?.students ?? 0) + (row.others.value?.students ?? 0)
    }

    /// The trend of the headline subject's gap index.
    public var headlineTrend: TrendSeries? {
        guard let headline else { return nil }
        return termly.trend.first { $0.id == "gap_index:\(headline.subject)" }
    }

    public var attendanceTrend: TrendSeries? { termly.trend.first { $0.id == "attendance_gap" } }

    /// The national line of the attendance chart: the latest overall absence of pupils eligible for
    /// free school meals minus the others' (the others' attendance minus theirs, in percentage
    /// points), from the report's national pairs. It splits pupils by current eligibility, not by
    /// the disadvantaged group of the school's gap, so the chart calls it a rough guide
    /// (docs/methodology.md §8.4).
    public var nationalAbsenceGap: (pair: NationalPairFigure, points: Double)? {
        guard let pair = termly.nationalContext?.first(where: { $0.measure == .overallAbsence }) else { return nil }
        return (pair, ((pair.group - pair.others) * 10).rounded() / 10)
    }

    /// The latest national gap index for this cohort's phase, if the report has one: the one the
    /// report sets beside the cohort's own (the comparison also lists earlier years).
    public var nationalGapIndex: NationalFigure? {
        termly.nationalComparison.map(\.national).last { $0.measure == .dfeGapIndex }
    }

    /// One line per impact outcome: what the intervention was judged on and what was found; the
    /// sections of `notJudged` are named there instead. A section judged on a target gives only
    /// the outcome on that target, under the intervention's name with the target: two targets of
    /// one type are two sections that each also carry an attendance outcome, which would otherwise
    /// print as the same intervention judged twice on attendance (docs/methodology.md §6.6, §7.9).
    public var impactFindings: [ImpactFinding] {
        termly.impact.filter { Self.notJudged($0) == nil }.flatMap { report in
            Self.judgedOutcomes(report).map { outcome in
                let verdict: ImpactFinding.Verdict
                if outcome.refusal != nil || outcome.effect == nil {
                    verdict = .noEstimate
                } else if outcome.isPositiveAndClear {
                    verdict = .worked
                } else if let upper = outcome.effect?.upper, upper < 0 {
                    verdict = .didNotWork
                } else {
                    verdict = .unclear
                }
                return ImpactFinding(
                    intervention: report.intervention.label + (report.target.map { " (\($0))" } ?? ""), outcome: outcome.label,
                    verdict: verdict, finding: outcome.finding)
            }
        }
    }

    /// The outcomes a section is judged on: the one on its target (attendance for an attendance
    /// target, the attainment outcome for a subject or an assessment), or all of them when the
    /// section names no target.
    static func judgedOutcomes(_ report: ImpactReport) -> [ImpactOutcome] {
        guard let target = report.target else { return report.outcomes }
        let id = target == SupportTarget.attendanceWord ? "attendance" : "attainment"
        let onTarget = report.outcomes.filter { $0.id == id }
        return onTarget.isEmpty ? report.outcomes : onTarget
    }

    /// The support types delivered to the cohort this year that the pack cannot say worked or not,
    /// each with why (docs/methodology.md §6.6, §7.9): no target named, too few pupils to estimate
    /// (every outcome withheld below the threshold), no entry or exit result yet, or no pupil with
    /// results on both sides.
    public var notJudged: [NotJudged] {
        termly.impact.compactMap { report in
            Self.notJudged(report).map { NotJudged(intervention: report.intervention.label, target: report.target, reason: $0) }
        }
    }

    static func notJudged(_ report: ImpactReport) -> NotJudged.Reason? {
        if let reason = report.notJudged { return .section(ImpactCandidate.NotJudgedKind(reason: reason)) }
        let outcomes = judgedOutcomes(report)
        guard !outcomes.isEmpty, outcomes.allSatisfy({ $0.refusal != nil }) else { return nil }
        return outcomes.contains { $0.refusal?.contains("fewer than") == true } ? .tooFewPupils : .noResults
    }

    /// "Not judged: Mentoring (maths): no exit result yet; Careers guidance: no target." or nil when every
    /// section was judged.
    public var notJudgedLine: String? {
        let items = notJudged
        guard !items.isEmpty else { return nil }
        return "Not judged: " + items.map { $0.text }.joined(separator: "; ") + "."
    }

    public struct NotJudged: Sendable, Equatable {
        public enum Reason: Sendable, Equatable {
            case section(ImpactCandidate.NotJudgedKind)
            case tooFewPupils
            /// No participant had a result (or attendance) both before and after.
            case noResults

            public var text: String {
                switch self {
                case let .section(kind): kind.rawValue
                case .tooFewPupils: "too few pupils"
                case .noResults: "no pupil with results before and after"
                }
            }
        }

        public var intervention: String
        public var target: String?
        public var reason: Reason

        /// "Mentoring (maths): no exit result yet".
        public var text: String { intervention + (target.map { " (\($0))" } ?? "") + ": " + reason.text }
    }

    public struct ImpactFinding: Sendable, Equatable {
        public enum Verdict: String, Sendable, Equatable {
            case worked = "Worked"
            case didNotWork = "Did not work"
            case unclear = "Not clear yet"
            case noEstimate = "No estimate"
        }

        public var intervention: String
        public var outcome: String
        public var verdict: Verdict
        public var finding: String
    }
}

/// Builds the pack from the database: the governors' termly report (with its automatic impact
/// sections) and the governors' pupil premium review of the term's academic year.
public struct GovernorsPackQueries {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public func pack(provider: ProviderCode, cohort: CohortCode, term: AcademicTerm, appendix: String?) throws -> GovernorsPack {
        let termly = try TermlyReportQueries(connection: connection)
            .report(provider: provider, cohort: cohort, term: term, comparison: nil, impact: .automatic, audience: .governors)
        var review: PupilPremiumReview?
        if termly.provider.kind == .school {
            do {
                review = try PupilPremiumReviewQueries(connection: connection).review(provider: provider, year: term.year, audience: .governors)
            } catch is PupilPremiumReviewError {
                review = nil
            }
        }
        return GovernorsPack(termly: termly, pupilPremium: review, appendix: appendix)
    }
}
