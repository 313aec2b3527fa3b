import GapStatistics

/// The method section every report prints, so that a reader can tell how each figure was made
/// and make it again (domain.md §7).
enum MethodNotes {
    static func notes(for data: TermlyReportData, level: Double, threshold: Int) -> [MethodNote] {
        let percent = Int((level * 100).rounded())
        var notes = [
            MethodNote(
                topic: "Cohort and groups",
                text: "Students enrolled in \(data.cohort.label) at \(data.provider.name) during \(ReportText.term(data.term)) (term dates: autumn 1 Aug–31 Dec, spring 1 Jan–31 Mar, summer 1 Apr–31 Jul). "
                    + "Disadvantaged follows the DfE performance-table definition: eligible for free school meals at any point in the last six years (FSM Ever 6), "
                    + "looked after, or previously looked after, from the dated markers in force on the term's school census day (autumn: first Thursday of "
                    + "October; spring and summer: third Thursday of January and of May). Service children are not counted as disadvantaged."),
            MethodNote(
                topic: "Gap index",
                text: "DfE disadvantage gap index: every student who took the assessment is ranked (ties share the average rank), ranks are divided by the number of students, "
                    + "and the index is 20 × (mean rank of others − mean rank of disadvantaged students); 0 means no gap, 10 that every disadvantaged student scored below every other "
                    + "(DfE, Measuring disadvantaged pupils' attainment gaps over time, SFR 40/2014). \(percent)% interval from DeLong's variance of the equivalent Mann–Whitney AUC "
                    + "(DeLong, DeLong and Clarke-Pearson, 1988)."),
            MethodNote(
                topic: "Months of learning",
                text: "The rank gap divided by how much percentile rank rises per month of age within this cohort (least squares on age in whole months at the assessment date): "
                    + "the difference of the two groups' 'educational ages', after the Education Policy Institute's method (Closing the Gap?, 2017). EPI's national constants "
                    + "are not published, so these months are not on EPI's scale. No figure is given for fewer than \(AgeGradientConversion.defaultMinimumStudents) students "
                    + "or when rank does not rise with age; the interval combines the gap's and the slope's uncertainty (delta method)."),
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
            MethodNote(
                topic: "Suppression",
                text: "Any figure from fewer than \(threshold) students in a group (either group, for a gap) is shown as c, and so is the smallest other figure wherever a total "
                    + "would let a withheld one be worked out by subtraction (Social Mobility Commission anonymity threshold; DfE's c mark)."),
            MethodNote(
                topic: "Reproducibility",
                text: "The report is made only from the data listed in the data cut, with fixed rounding and ordering; its time is the latest import's, not the clock's. "
                    + "The same data gives the same report, byte for byte, in every format."),
        ]
        if data.provider.kind == .university {
            notes.insert(
                MethodNote(
                    topic: "Disadvantage in higher education",
                    text: "The gap compares students who are disadvantaged in the DfE school sense (FSM Ever 6, looked after, previously looked after), "
                        + "which university records rarely hold; read it beside the IMD, POLAR4, first-in-family, care-leaver and SMC groups."),
                at: 1)
        }
        return notes
    }
}
