import GapStatistics

/// The method section every report prints, so that a reader can tell how each figure was made
/// and make it again (docs/methodology.md §7).
enum MethodNotes {
    static func notes(for data: TermlyReportData, level: Double, threshold: Int) -> [MethodNote] {
        let percent = Int((level * 100).rounded())
        var notes = [
            MethodNote(
                topic: "Cohort and groups",
                text: "Students enrolled in \(data.cohort.label) at \(data.provider.name) during \(ReportText.term(data.term)) (term dates: autumn 1 Aug–31 Dec, spring 1 Jan–31 Mar, summer 1 Apr–31 Jul), "
                    + "with the dated markers in force on the term's school census day (autumn: first Thursday of October; spring and summer: third Thursday of "
                    + "January and of May). Every gap compares \(data.comparison.students) with \(data.comparison.othersStudents). " + data.comparison.definition),
            MethodNote(
                topic: "Gap index",
                text: "DfE disadvantage gap index: every student who took the assessment is ranked (ties share the average rank), ranks are divided by the number of students, "
                    + "and the index is 20 × (mean rank of others − mean rank of disadvantaged students); 0 means no gap, 10 that every disadvantaged student scored below every other "
                    + "(DfE, Measuring disadvantaged pupils' attainment gaps over time, SFR 40/2014). \(percent)% interval from DeLong's variance of the equivalent Mann–Whitney AUC "
                    + "(DeLong, DeLong and Clarke-Pearson, 1988)."),
            MethodNote(
                topic: "Months of learning",
                text: "Two conversions are shown (docs/methodology.md §5.5), each with its inputs. Progress rate, the primary figure: the score gap divided by "
                    + "how much the same students' scores rose per month between an earlier assessment of the subject on the same scale this academic year "
                    + "(the earliest such, e.g. the autumn mock for the summer GCSE) and this one: rate = mean paired change ÷ months between the two results "
                    + "(days ÷ 30.4375). It is the primary figure because it measures a month of learning on the assessment's own scale, from the students' "
                    + "own progress, and paired changes make the rate precise. Educational age, shown beside it and used as the figure where there is no "
                    + "earlier assessment (e.g. in the autumn term): the rank gap divided by how much percentile rank rises per month of age within this "
                    + "cohort (least squares on age in whole months at the assessment date), the difference of the two groups' 'educational ages', after "
                    + "the Education Policy Institute's method (Closing the Gap?, 2017). EPI's national constants are not published, so neither figure is "
                    + "on EPI's scale. No figure is given from fewer than \(ProgressRateConversion.defaultMinimumStudents) paired students or "
                    + "\(AgeGradientConversion.defaultMinimumStudents) students, when scores do not rise, or when the rate's own \(percent)% interval "
                    + "includes zero; each interval combines the gap's and the rate's uncertainty (delta method, treating them as independent)."),
            MethodNote(
                topic: "Scores and effect size",
                text: "Score gap: mean score of others − of disadvantaged students on the assessment's own scale, with Welch's \(percent)% interval. Hedges' g: the score gap over "
                    + "the pooled standard deviation with the small-sample correction, interval from the Hedges–Olkin variance."),
            MethodNote(
                topic: "Attendance",
                text: "From session marks in the term (DfE codes from August 2024). Attendance = attended ÷ possible sessions (present or approved educational activity over sessions "
                    + "that count as possible). Persistent absence: 10% or more of a student's own possible sessions missed; severe absence: 50% or more. Attendance intervals "
                    + "treat students, not sessions, as the units (ratio estimator, Cochran 1977); absence shares use Wilson's interval; the persistent-absence gap uses Newcombe's "
                    + "hybrid score interval."),
            MethodNote(
                topic: "Support",
                text: "Support and intervention records for students of the cohort that took place (active or ended; planned and cancelled records are left out). "
                    + "Money or goods given to a student (bursaries, awards, laptops) count in the term they were given. Teaching time (tutoring, mentoring, "
                    + "language support…) counts in every term it ran, its hours, sessions and cost shared between the terms in proportion to its days in each; "
                    + "a record with no end date counts in every term from its start, with its hours, sessions and cost in the term it started. "
                    + "Spend per student: spend ÷ distinct students supported, to the nearest penny."),
            MethodNote(
                topic: "Trend",
                text: "The same students in earlier terms, with disadvantage as at this report's term, so that changes reflect the students' results rather than who is counted. "
                    + "Each subject's point is the assessment most students took in that term."),
            MethodNote(topic: suppressionTopic, text: suppression(for: .staff, threshold: threshold)),
            MethodNote(
                topic: "Reproducibility",
                text: "The report is made only from the data listed in the data cut, with fixed rounding and ordering; its time is the latest import's, not the clock's. "
                    + "The same data gives the same report, byte for byte, in every format."),
        ]
        if data.provider.kind == .university, let index = notes.firstIndex(where: { $0.topic == "Months of learning" }) {
            notes[index].text = "None: months of learning describe progress through school; the Education Policy Institute's month method stops at 16 "
                + "(it reports 16-19 gaps in grades), and in higher education age and term say little about learning."
        }
        if data.provider.kind != .school, data.comparison != .dfeDisadvantaged {
            notes.insert(
                MethodNote(
                    topic: "Disadvantage in further and higher education",
                    text: "The DfE definition of disadvantage (FSM Ever 6, looked after, previously looked after) rests on school records that "
                        + "\(data.provider.kind == .university ? "universities" : "this college's records") rarely hold, so the group it defines is empty here and every "
                        + "gap would be withheld. This report compares \(data.comparison.students) instead (--compare \(data.comparison.rawValue)); "
                        + "read it beside the IMD, POLAR4, first-in-family, care-leaver and SMC groups."),
                at: 1)
        } else if data.provider.kind == .university {
            notes.insert(
                MethodNote(
                    topic: "Disadvantage in higher education",
                    text: "The gap compares students who are disadvantaged in the DfE school sense (FSM Ever 6, looked after, previously looked after), "
                        + "which university records rarely hold; read it beside the IMD, POLAR4, first-in-family, care-leaver and SMC groups."),
                at: 1)
        }
        return notes
    }

    static let suppressionTopic = "Suppression"

    /// What the audience's shaping did (docs/methodology.md §7.6); `TermlyReportShaping` puts the
    /// audience's own text in place of the staff one the builder writes.
    static func suppression(for audience: ReportAudience, threshold: Int) -> String {
        switch audience {
        case .staff:
            "Staff report: nothing is withheld. A group of fewer than \(threshold) pupils is shown and marked \(ReportAudience.cautionMark) "
                + "(treat with care: its figures rest on few pupils and their intervals are wide). Not for publication: governors and the public "
                + "get the report with small groups suppressed (--audience governors or public)."
        case .governors, .public:
            "Primary suppression: every count of fewer than \(threshold) pupils, zeros included, and every figure computed from it (its sessions, "
                + "spend, rates, means, gaps and intervals) is shown as c (Social Mobility Commission anonymity threshold; DfE's c mark). "
                + "Complementary suppression: across every table of the report at once, further figures are withheld until no withheld figure can be "
                + "narrowed to fewer than \(threshold) possible values (or, for sessions and spend, to within 20% of its value) from the figures shown "
                + "and the relations between them (Whole = Disadvantaged + Others, Disadvantaged = FSM Ever 6 or looked after, totals = the sum of "
                + "support types = the sum of funding sources), checked by linear programming (docs/methodology.md §7.6)."
                + (audience == .public
                    ? " Public: no comparison with a national figure for a gap resting on a group of fewer than \(ReportAudience.publicNationalThreshold(threshold)) pupils."
                    : "")
        }
    }
}
