/// The method and caveat text every format of the support evaluation prints (docs/methodology.md §11.9).
enum SupportEvaluationMethod {
    static func title(_ outcome: LifecycleStage) -> String {
        switch outcome {
        case .completion: "Completion"
        case .attainment: "Attainment: firsts and upper seconds"
        default: "Continuation"
        }
    }

    static let commonCaveats = [
        "Selection into support: students receive support because of need and because they apply. The comparison adjusts for entry tariff, IMD quintile, course, mode and year of entry only; household income, which decides most bursaries and which the statistical tool of the OfS financial support evaluation toolkit uses, is not in the student-record extract, so students who received support may still differ from those who did not in ways that change their outcomes.",
        "This is an observational comparison, not a randomised control trial: an adjusted difference is an association after adjustment, not proof that the support caused it.",
        "Minimum sizes: no adjusted difference is given with fewer than \(SupportEvaluationBuilder.threshold) students who received the support, or who did not; with a few dozen the interval is wide and a difference of several points can be chance. Read the interval, not the point: an interval that includes 0 does not show an effect.",
        "The OfS financial support evaluation toolkit offers this statistical comparison beside a survey tool and an interview tool, and expects most providers to use all three: figures alone do not show how support changes what students do, or why.",
    ]

    /// The caveats, with what the uptake figures can and cannot say given whether applications are recorded.
    static func caveats(applications: Bool) -> [String] {
        commonCaveats + [applications
            ? "Support counts only in the first year of each course instance (the year continuation looks at). The funnel counts applications of that year: eligible is the decision recorded or, where none is, household income below the fund's threshold as recorded with the application; a student who received support counts as having applied and been eligible. Students who never applied are not assessed, so the funnel cannot say how many more were eligible."
            : "Support counts only in the first year of each course instance (the year continuation looks at). No applications are recorded ('gaptrack import support-applications'), so uptake is each group's share who received support, not the share of those eligible or who applied."]
    }

    static func notes(audience: ReportAudience) -> [String] {
        var notes = [
            "Outcomes follow the Office for Students' measures (docs/methodology.md §11): continuation and completion from each course instance's commencement date; attainment is a first or an upper second among classified first degrees. A measure not yet due on the as-of date leaves the student out of it.",
            "Adjusted difference: a linear probability model of the outcome on the four kinds of support together (each adjusted for the others), entry tariff (linear), IMD quintile, course, mode and year of entry (indicators), fitted by least squares; 95% intervals from heteroskedasticity-robust (HC1) standard errors. \"Any of these\" is a model of its own with one indicator. Students without a tariff or an IMD quintile are left out of the model and counted as such.",
            "Raw rates are percentages with 95% Wilson intervals; the raw difference (received minus not received) has a 95% Newcombe interval. Uptake is the share of the group's entrants who received each kind in their first year.",
        ]
        switch audience {
        case .staff:
            notes.append("Audience: staff. True figures; a group of fewer than \(SupportEvaluationBuilder.threshold) students is marked \(ReportAudience.cautionMark) (treat with care). Do not publish this report.")
        case .governors, .public:
            notes.append("Audience: \(audience.rawValue). Counts under \(SupportEvaluationBuilder.threshold) are c, and so is a rate resting on fewer than \(SupportEvaluationBuilder.threshold) students with, or without, the outcome; further figures are withheld until no c can be worked out from what is shown (docs/disclosure-control.md). No student-level rows.")
        }
        return notes
    }
}
