import GapTrackDomain

/// Published national figures that come as a pair, one group against the rest, each pair from
/// one publication and year: KS4 headline measures for disadvantaged pupils and the others, and
/// absence for pupils eligible for free school meals and the others (docs/methodology.md §8.3,
/// §8.4).
///
/// Reports print the latest pair of each measure as context, with no local figure beside it: a
/// school's own Attainment 8 or grade 4+ in English and maths needs every pupil's final results
/// in all their slots, which a termly assessment file does not hold, and the DfE's absence
/// statistics split by *current* eligibility for free school meals, not by the wider
/// disadvantaged group the report's attendance gap uses. To add a year, append a row with its
/// source (§8.5).
public enum NationalContextFigures {
    public static let all: [NationalPairFigure] = keyStage4Headlines + absenceByFreeSchoolMeals

    public static let keyStage4Headlines: [NationalPairFigure] = [
        NationalPairFigure(
            measure: .englishMathsGrade4, phase: .keyStage4, resultsYear: 2019, group: 44.7, others: 71.8, status: .final,
            source: .dfeKeyStage4Characteristics,
            checked: "Confirmed: DfE 'KS4 national characteristics data' table, 2018/19: disadvantaged 44.7%, all other pupils 71.8%."),
        NationalPairFigure(
            measure: .englishMathsGrade4, phase: .keyStage4, resultsYear: 2023, group: 43.4, others: 72.8, status: .revised,
            source: .dfeKeyStage4CharacteristicsSummary2023,
            checked: "Confirmed: DfE 'National characteristics summary' data set, 2022/23 revised, all state-funded: disadvantaged "
                + "69,151 of 159,363 pupils (43.4%), all other 325,936 of 447,552 (72.8%); the provisional 43.1% and 72.6% (Tes, 2023) are replaced."),
        NationalPairFigure(
            measure: .englishMathsGrade5, phase: .keyStage4, resultsYear: 2023, group: 25.4, others: 52.6, status: .revised,
            source: .socialMobilityAttainmentAt16,
            checked: "Confirmed: Social Mobility Commission, State of the Nation data, 'Attainment at age 16' (Dec 2025), from DfE KS4 data: 2022/23 disadvantaged 25.4%, not disadvantaged 52.6%."),
        NationalPairFigure(
            measure: .englishMathsGrade5, phase: .keyStage4, resultsYear: 2024, group: 26.0, others: 53.4, status: .revised,
            source: .socialMobilityAttainmentAt16,
            checked: "Confirmed: Social Mobility Commission, State of the Nation data, 'Attainment at age 16' (Dec 2025), from DfE KS4 data: 2023/24 disadvantaged 26.0%, not disadvantaged 53.4%."),
        NationalPairFigure(
            measure: .attainment8, phase: .keyStage4, resultsYear: 2019, group: 36.7, others: 50.3, status: .final,
            source: .dfeKeyStage4Characteristics,
            checked: "Confirmed: DfE 'KS4 national characteristics data' table, 2018/19: average Attainment 8, disadvantaged 36.7, all other pupils 50.3."),
        NationalPairFigure(
            measure: .attainment8, phase: .keyStage4, resultsYear: 2023, group: 35.0, others: 50.3, status: .revised,
            source: .dfeKeyStage4CharacteristicsSummary2023,
            checked: "Confirmed: DfE 'National characteristics summary' data set, 2022/23 revised, all state-funded: average Attainment 8, "
                + "disadvantaged 35.0 (159,363 pupils), all other pupils 50.3 (447,552)."),
    ]

    public static let absenceByFreeSchoolMeals: [NationalPairFigure] = [
        NationalPairFigure(
            measure: .overallAbsence, phase: .primarySchools, resultsYear: 2019, group: 6.0, others: 3.6, status: .final,
            source: .dfePupilAbsence, checked: absence2019),
        NationalPairFigure(
            measure: .overallAbsence, phase: .secondarySchools, resultsYear: 2019, group: 9.2, others: 4.8, status: .final,
            source: .dfePupilAbsence, checked: absence2019),
        NationalPairFigure(
            measure: .persistentAbsence, phase: .allSchools, resultsYear: 2022, group: 37.2, others: 17.5, status: .final,
            source: .dfePupilAbsence,
            checked: "Confirmed: DfE Pupil absence in schools in England 2021/22 as reported (edcentral.uk): 37.2% of FSM-eligible pupils, 17.5% of others."),
        NationalPairFigure(
            measure: .overallAbsence, phase: .allSchools, resultsYear: 2024, term: .autumn, group: 10.4, others: 5.5, status: .provisional,
            source: .dfePupilAttendance, checked: autumn2024),
        NationalPairFigure(
            measure: .persistentAbsence, phase: .allSchools, resultsYear: 2024, term: .autumn, group: 33.0, others: 15.6, status: .provisional,
            source: .dfePupilAttendance, checked: autumn2024),
    ]

    private static let absence2019 =
        "Confirmed: DfE Pupil absence in schools in England 2018/19, table 5.1, as reproduced by The Key for School Leaders: "
        + "overall absence of FSM-eligible and other pupils, primary 6.0% and 3.6%, secondary 9.2% and 4.8%."
    private static let autumn2024 =
        "Confirmed: DfE Pupil attendance in schools, autumn term 2023/24 summary: overall absence 10.4% (FSM eligible) and 5.5% "
        + "(not eligible); persistently absent 33.0% and 15.6%."

    /// The phases whose pairs suit a cohort: its key stage's attainment phase (as for the gap
    /// index: Years 7 to 9 last sat KS2) and, for absence, its school phase (Reception to Year 6
    /// primary, Years 7 to 11 secondary) and all schools. None beyond Year 11: the absence
    /// statistics cover compulsory school age.
    public static func phases(for cohort: CohortCode) -> [NationalFigure.Phase] {
        guard let year = cohort.schoolYear else { return [] }
        let attainment = NationalFigures.phase(for: cohort).map { [$0] } ?? []
        return switch year {
        case 0...6: attainment + [.primarySchools, .allSchools]
        case 7...11: attainment + [.secondarySchools, .allSchools]
        default: attainment
        }
    }

    /// The latest pair of each measure among the cohort's phases (the latest by academic year;
    /// within a year, a full year before one term), in the table's order of measures. A report of
    /// an earlier year takes the pairs of its own year or before, never figures from after it.
    public static func latest(for cohort: CohortCode, upTo year: AcademicYear) -> [NationalPairFigure] {
        let phases = phases(for: cohort)
        let candidates = all.filter { phases.contains($0.phase) && $0.resultsYear <= year.startYear + 1 }
        var chosen: [NationalPairFigure] = []
        for measure in NationalPairFigure.Measure.allCases {
            let rows = candidates.filter { $0.measure == measure }
            if let best = rows.max(by: { ($0.resultsYear, $0.term == nil ? 1 : 0) < ($1.resultsYear, $1.term == nil ? 1 : 0) }) {
                chosen.append(best)
            }
        }
        return chosen
    }
}

/// One published pair: a group's figure and the rest's, from one table.
public struct NationalPairFigure: Sendable, Equatable, Codable {
    public enum Measure: String, Sendable, Equatable, Codable, CaseIterable {
        /// Pupils with grade 4 or above in both English and maths GCSE, %.
        case englishMathsGrade4 = "english_maths_grade_4"
        /// The same at grade 5 or above.
        case englishMathsGrade5 = "english_maths_grade_5"
        /// Average Attainment 8 score.
        case attainment8 = "attainment_8"
        /// Possible sessions missed, %.
        case overallAbsence = "overall_absence"
        /// Pupils who missed 10% or more of their possible sessions, %.
        case persistentAbsence = "persistent_absence"

        public var label: String {
            switch self {
            case .englishMathsGrade4: "Grade 4+ in English and maths (%)"
            case .englishMathsGrade5: "Grade 5+ in English and maths (%)"
            case .attainment8: "Attainment 8 (average score)"
            case .overallAbsence: "Overall absence (%)"
            case .persistentAbsence: "Persistently absent (%)"
            }
        }

        /// What a pair measures decides whom it compares (docs/methodology.md §8.3, §8.4).
        public enum Kind: Sendable, Equatable {
            /// The DfE's disadvantaged pupils against the others.
            case attainment
            /// Current eligibility for free school meals against the rest, as the absence statistics split pupils.
            case absence
        }

        public var kind: Kind {
            switch self {
            case .englishMathsGrade4, .englishMathsGrade5, .attainment8: .attainment
            case .overallAbsence, .persistentAbsence: .absence
            }
        }

        /// Who the pair compares, as a reader sees them.
        public var groups: (group: String, others: String) {
            kind == .attainment ? ("disadvantaged", "other pupils") : ("eligible for free school meals", "not eligible")
        }

        /// The groups as CSV and JSON name them.
        public var groupIDs: (group: String, others: String) {
            kind == .attainment ? ("disadvantaged", "others") : ("fsm_eligible", "fsm_not_eligible")
        }

        /// CSV's unit column.
        public var unit: String { self == .attainment8 ? "points" : "percent" }
    }

    /// A figure for one term rather than the whole academic year.
    public enum Term: String, Sendable, Equatable, Codable {
        case autumn

        public var label: String {
            switch self {
            case .autumn: "autumn term"
            }
        }
    }

    public var measure: Measure
    public var phase: NationalFigure.Phase
    /// Calendar year in which the academic year ends (2023/24 = 2024).
    public var resultsYear: Int
    /// The term the pair covers, or nil for the academic year.
    public var term: Term?
    public var group: Double
    public var others: Double
    public var status: NationalFigure.Status
    public var source: Citation
    public var checked: String

    public init(
        measure: Measure, phase: NationalFigure.Phase, resultsYear: Int, term: Term? = nil, group: Double, others: Double,
        status: NationalFigure.Status, source: Citation, checked: String
    ) {
        self.measure = measure
        self.phase = phase
        self.resultsYear = resultsYear
        self.term = term
        self.group = group
        self.others = others
        self.status = status
        self.source = source
        self.checked = checked
    }

    public var isConfirmed: Bool { checked.hasPrefix("Confirmed") }

    /// Every pair is published to one decimal.
    public var groupText: String { FixedDecimal.format(group, decimals: 1) }
    public var othersText: String { FixedDecimal.format(others, decimals: 1) }

    /// "Overall absence (%): eligible for free school meals v. not eligible", a table's first cell.
    public var title: String {
        "\(measure.label): \(measure.groups.group) v. \(measure.groups.others)"
    }

    /// "2023/24", or "2023/24 autumn term".
    public var periodText: String {
        "\(resultsYear - 1)/" + String(format2: resultsYear % 100) + (term.map { " " + $0.label } ?? "")
    }
}
