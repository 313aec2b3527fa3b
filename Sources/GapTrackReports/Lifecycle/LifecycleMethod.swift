/// The method text every format of the lifecycle report prints (docs/methodology.md §11).
enum LifecycleMethod {
    static func notes(audience: ReportAudience) -> [String] {
        var notes = [
            "Measures follow the Office for Students' student outcome measures (docs/methodology.md §11): continuation and completion are counted from each course instance's commencement date, full-time and part-time with their own windows; a measure whose date is after the as-of date is not yet known and the student is left out of it.",
            "Rates are percentages with 95% Wilson score intervals; a gap is the comparison group's rate minus the group's, in percentage points, with a 95% Newcombe hybrid score interval. A positive gap means the group does worse. Access shows shares of each year's entrants, which are not independent samples, so no gap is given.",
            "Area measures compare quintile 1 (least advantaged fifth) with quintile 5; other characteristics compare students with it and without it. Students in neither group (middle quintiles, not known) count in the stage's total only.",
            "Free school meals at school is what the student-record extract holds about the student's schooling; it is not a spell of eligibility.",
            "Ethnicity: HESA ETHNIC codes or DfE codes grouped into White and Asian, Black, mixed or other; not known and refused are in neither group.",
        ]
        switch audience {
        case .staff:
            notes.append("Audience: staff. True figures; a group of fewer than \(LifecycleReportBuilder.threshold) students is marked \(ReportAudience.cautionMark) (treat with care). Do not publish this report.")
        case .governors, .public:
            notes.append("Audience: \(audience.rawValue). Counts under \(LifecycleReportBuilder.threshold) are c, and so is a rate resting on fewer than \(LifecycleReportBuilder.threshold) students with, or without, the outcome; further figures are withheld until no c can be worked out from what is shown (docs/disclosure-control.md). No student-level rows.")
        }
        return notes
    }
}
