import GapStatistics

/// The method section of an impact report: how each figure was made and where the method comes
/// from, so that a reader can judge it and make it again (docs/methodology.md §7).
enum ImpactMethodNotes {
    static func school(_ data: ImpactData, _ school: SchoolImpactAggregates, level: Double, threshold: Int) -> [MethodNote] {
        let percent = Int((level * 100).rounded())
        let who: String
        switch data.intervention.kind {
        case .programme:
            who = "students with a delivered (active or ended) support record whose reference starts with '\(data.intervention.programme ?? "")'"
                + " and that overlaps the period"
        default:
            who = "students with a delivered (active or ended) \(data.intervention.label.lowercased()) record that overlaps the period"
        }
        let standardisers = school.standardisation.map { cohort in
            let sd = cohort.beforeStandardDeviation.map { FixedDecimal.format($0, decimals: 2) } ?? "none"
            let students = cohort.beforeStudents >= threshold ? "\(cohort.beforeStudents) students" : "fewer than \(threshold) students"
            return "\(cohortName(cohort.cohort)): SD \(sd) from \(students) (\(cohort.method))"
        }.joined(separator: "; ")
        let bandings = Dictionary(grouping: school.standardisation, by: \.banding).sorted { $0.key < $1.key }.map { banding, cohorts in
            PriorAttainmentBanding.describe(sqlValue: banding) + " (" + cohorts.map { cohortName($0.cohort) }.joined(separator: ", ") + ")"
        }.joined(separator: "; ")
        return [
            MethodNote(
                topic: "Participants and comparison group",
                text: "Participants are \(who) (\(data.period.from.isoString) to \(data.period.to.isoString)). The comparison group is every other student "
                    + "of the same cohort (enrolled in the before assessment's academic year\(data.cohort.map { ", \($0.label)" } ?? "; each year group or course is its own cohort")) "
                    + "with no record of the same kind in the period; students with such a record that was planned but not delivered, or that belongs to "
                    + "another programme, are in neither group. Disadvantaged follows the DfE definition (FSM Ever 6, looked after or previously looked after) "
                    + "on the census day of the before term."),
            MethodNote(
                topic: "Matching",
                text: "Coarsened exact matching (Iacus, King and Porro, Political Analysis 20(1), 2012): each participant is compared only with non-participants "
                    + "of the same stratum, i.e. the same cohort, disadvantage status and prior-attainment band: \(bandings). "
                    + (school.priorBand == .automatic
                        ? "KS2 bands are used wherever 90% or more of a cohort has a KS2 result, because KS2 is an earlier, separate test; banding on the "
                            + "before test itself would tie the bands to that test's own measurement error. "
                        : "")
                    + "Participants in a stratum with no comparison student, or without a band, are unmatched and left out; the counts say how many. "
                    + "Each stratum's comparison students are weighted so that the strata count as often as they do among participants "
                    + "(weight = participants ÷ comparison students of the stratum), so the estimate is the effect on the participants who could be matched."),
            MethodNote(
                topic: "Attainment effect size",
                text: "Difference in differences within strata: mean change (after − before) of matched participants − the weighted mean change of their "
                    + "comparison students, in standard deviations of the cohort's before scores (all students of the cohort who took the before assessment), "
                    + "so that 0.3 means three tenths of the before assessment's spread. Where the before and after assessments use different scales, each "
                    + "result is first standardised within the cohort (z-score) and the change is the change in z. Standardisers: \(standardisers). "
                    + "\(percent)% interval: the variance of each group is pooled within strata (residual variance after stratum means), "
                    + "Var = σ²_P/m_P + σ²_C·Σw²/m_C,s, plus ES²/(2·df) for the estimated standard deviation (Hedges and Olkin), with Student's t on "
                    + "Welch–Satterthwaite degrees of freedom."),
            MethodNote(
                topic: "EEF months",
                text: "The effect size is converted into months of additional progress with the Education Endowment Foundation's Teaching and Learning "
                    + "Toolkit table (effect size rounded to 2 decimals: 0.02–0.09 = 1 month, 0.10–0.18 = 2, 0.19–0.26 = 3, 0.27–0.35 = 4, ..., 0.96 and "
                    + "above = 12; negative effects the same months, negative). The ends of the interval are converted the same way."),
            MethodNote(
                topic: "Attendance",
                text: "Each student's attendance in the before term and in the after term: sessions attended (present or approved educational activity) ÷ "
                    + "possible sessions (DfE codes from August 2024), in percent. The change is compared in the same strata and the same way, in percentage points."),
            MethodNote(
                topic: "Spend and cost per month",
                text: "Spend: the amounts of the participants' delivered records of the intervention that overlap the period, counted in full, by funding source; "
                    + "per participant = spend ÷ distinct participants, to the nearest penny. Pounds per month of progress = spend per participant ÷ EEF months, "
                    + "given only where the effect is positive and its \(percent)% interval excludes zero (the EEF Toolkit also states cost per pupil)."),
            MethodNote(
                topic: "Reading the estimate",
                text: "This is a matched comparison, not a trial: it is fair only if, within a stratum, whether a pupil took part had nothing to do "
                    + "with how much they would have progressed anyway. Two things can break that. Pupils picked because of a low before score tend "
                    + "to score higher next time without help (regression to the mean), which flatters the intervention unless the bands are thirds "
                    + "of that same before test (--prior-band before-terciles), and even thirds remove most of it, not all. Pupils picked on what "
                    + "teachers know (a general sense of who is behind, motivation, home circumstances) may differ in ways no matching sees; for them "
                    + "KS2 bands are the better choice, because bands of the before test tie the strata to that test's measurement error and pull "
                    + "the estimate towards zero."),
            refusalNote(threshold: threshold),
        ]
    }

    static func costOfLiving(_ data: ImpactData, _ year: CostOfLivingAggregates, level: Double, threshold: Int) -> [MethodNote] {
        let percent = Int((level * 100).rounded())
        return [
            MethodNote(
                topic: "LSEB students",
                text: "Students from lower socio-economic backgrounds (LSEB): IMD quintile 1 or 2, or POLAR4 quintile 1 or 2, or first in family, or care "
                    + "leaver, or estranged, from the dated markers in force on the autumn census day of \(year.academicYear) (the Office for Students' "
                    + "access and participation characteristics; the OfS publishes no single LSEB definition, so this one is gaptrack's). "
                    + "Every student enrolled in the year is counted, LSEB or other."),
            MethodNote(
                topic: "Uptake",
                text: "Share of students with a delivered (active or ended) hardship award, bursary, food support or housing support record overlapping the "
                    + "academic year, with Wilson's \(percent)% interval (Wilson 1927); the difference LSEB − others with Newcombe's hybrid score interval "
                    + "(Newcombe 1998, method 10)."),
            MethodNote(
                topic: "Continuation and module marks",
                text: "Among LSEB students only, the supported are compared with the unsupported of the same intake year and course (coarsened exact matching, "
                    + "stratum-weighted, as for school interventions; Iacus, King and Porro 2012). Continuation follows the Office for Students: still studying, "
                    + "completed or transferred one year and 15 days after entry, for the year's entrants whose date has passed by the data cut; it is "
                    + "compared in percentage points. Module marks: each student's mean mark (0–100) in the year. \(percent)% intervals from the pooled "
                    + "within-stratum variances with Student's t on Welch–Satterthwaite degrees of freedom. Support is not given at random: students who "
                    + "ask for help may differ in ways the markers do not record, so these are comparisons, not proof of cause."),
            MethodNote(
                topic: "Spend",
                text: "The amounts of the delivered cost-of-living records of the year, counted in full, by funding source and by type; per student = "
                    + "spend ÷ distinct students supported, to the nearest penny."),
            refusalNote(threshold: threshold),
        ]
    }

    static func refusalNote(threshold: Int) -> MethodNote {
        MethodNote(
            topic: "Refusal and suppression",
            text: "No estimate is given when fewer than \(threshold) participants or fewer than \(threshold) comparison students could be matched: the "
                + "report says so instead. For governors and the public every count below \(threshold) is shown as c, zeros too, with its spend, and "
                + "further figures are withheld across all the report's tables at once (counts, spend by funding source and by type, uptake) until none "
                + "withheld can be worked out from those shown (Social Mobility Commission anonymity threshold; DfE's c mark). "
                + "Staff see every figure, a group under \(threshold) marked † (treat with care).")
    }

    /// "Year 11" for a year group, the course code otherwise.
    static func cohortName(_ key: String) -> String {
        if key == "R" { return "Reception" }
        return Int(key) != nil ? "Year \(key)" : key
    }
}
