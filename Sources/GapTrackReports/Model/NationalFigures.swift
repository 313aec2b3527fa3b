import GapTrackDomain
/// Published national figures on the disadvantage gap in England, each with its source and
/// whether it was checked against a publication when this table was compiled.
///
/// Reports print these beside a cohort's own figures for context. They are *national* key-stage
/// measures (the DfE index ranks every pupil in England on KS2 reading and maths, or on the
/// KS4 average grade in English and maths; EPI converts its own rank gap into months), so a
/// school's termly figure on its own assessment is comparable in kind, not in detail.
///
/// Checked in this table's review: the DfE KS4 index 2019 and 2022 against the DfE's own data
/// table; KS4 2023 and 2024, KS2 2019, 2023 and 2024 (provisional) against reports of the DfE
/// releases; EPI's months for 2019, 2023 and 2024 against reports of its annual reports.
/// docs/methodology.md §8 lists the same values. To add a year, append a row with its source.
public enum NationalFigures {
    public static let all: [NationalFigure] = dfeGapIndex + epiMonths

    /// DfE disadvantage gap index (Key stage 4 performance; Key stage 2 attainment).
    public static let dfeGapIndex: [NationalFigure] = [
        NationalFigure(
            measure: .dfeGapIndex, phase: .keyStage2, resultsYear: 2019, value: 2.91, decimals: 2, status: .final,
            source: .dfeKeyStage2, checked: "Confirmed: DfE KS2 attainment 2024 release text as reported (Tes, 10 Sep 2024; DSGA, 16 Sep 2024): '2.91 ... in 2018-19'."),
        NationalFigure(
            measure: .dfeGapIndex, phase: .keyStage2, resultsYear: 2023, value: 3.21, decimals: 2, status: .final,
            source: .dfeKeyStage2, checked: "Confirmed: DfE KS2 attainment 2024 release, 'down from 3.21 in 2023' (as reported by Tes and Educate, Sep 2024)."),
        NationalFigure(
            measure: .dfeGapIndex, phase: .keyStage2, resultsYear: 2024, value: 3.13, decimals: 2, status: .revised,
            source: .dfeKeyStage2,
            checked: "Confirmed: DfE figures for 2023-24 as reported by Durham University (Apr 2025), 3.13; the provisional value was 3.12 (Educate, Sep 2024)."),
        NationalFigure(
            measure: .dfeGapIndex, phase: .keyStage4, resultsYear: 2019, value: 3.70, decimals: 2, status: .final,
            source: .dfeKeyStage4, checked: "Confirmed: DfE data table 'KS4 disadvantage gap index data', 2018/19 = 3.7."),
        NationalFigure(
            measure: .dfeGapIndex, phase: .keyStage4, resultsYear: 2022, value: 3.84, decimals: 2, status: .final,
            source: .dfeKeyStage4, checked: "Confirmed: DfE data table 'KS4 disadvantage gap index data', 2021/22 = 3.84."),
        NationalFigure(
            measure: .dfeGapIndex, phase: .keyStage4, resultsYear: 2023, value: 3.94, decimals: 2, status: .final,
            source: .dfeKeyStage4,
            checked: "Confirmed: DfE KS4 performance 2023/24 release, 'decreased from 3.94 to 3.92' (Tes, 5 Dec 2024). The provisional 2023 figure was 3.95."),
        NationalFigure(
            measure: .dfeGapIndex, phase: .keyStage4, resultsYear: 2024, value: 3.92, decimals: 2, status: .revised,
            source: .dfeKeyStage4, checked: "Confirmed: DfE KS4 performance 2023/24 release (Tes, 5 Dec 2024)."),
    ]

    /// EPI's disadvantage gap in months of learning (Education in England: Annual Report).
    public static let epiMonths: [NationalFigure] = [
        NationalFigure(
            measure: .epiMonths, phase: .earlyYears, resultsYear: 2023, value: 4.6, decimals: 1, status: .final,
            source: .epiAnnualReport2025, checked: "Confirmed: EPI Annual Report 2025 as reported (Education Business, 18 Jul 2025)."),
        NationalFigure(
            measure: .epiMonths, phase: .earlyYears, resultsYear: 2024, value: 4.7, decimals: 1, status: .final,
            source: .epiAnnualReport2025, checked: "Confirmed: EPI Annual Report 2025 as reported (Education Business, 18 Jul 2025)."),
        NationalFigure(
            measure: .epiMonths, phase: .keyStage2, resultsYear: 2019, value: 9.3, decimals: 1, status: .final,
            source: .epiAnnualReport2020, checked: "Confirmed: EPI, Education in England: Annual Report 2020, key findings (epi.org.uk): 9.3 months at primary."),
        NationalFigure(
            measure: .epiMonths, phase: .keyStage2, resultsYear: 2023, value: 10.3, decimals: 1, status: .final,
            source: .epiAnnualReport2025, checked: "Confirmed: EPI Annual Report 2025, 'from 10.3 ... in 2023'."),
        NationalFigure(
            measure: .epiMonths, phase: .keyStage2, resultsYear: 2024, value: 10.0, decimals: 1, status: .final,
            source: .epiAnnualReport2025, checked: "Confirmed: EPI Annual Report 2025, '10.0 months of learning in 2024'."),
        NationalFigure(
            measure: .epiMonths, phase: .keyStage4, resultsYear: 2019, value: 18.1, decimals: 1, status: .final,
            source: .epiAnnualReport2020, checked: "Confirmed: EPI, Education in England: Annual Report 2020, key findings (epi.org.uk): 18.1 months at GCSE."),
        NationalFigure(
            measure: .epiMonths, phase: .keyStage4, resultsYear: 2023, value: 19.2, decimals: 1, status: .final,
            source: .epiAnnualReport2025, checked: "Confirmed: EPI Annual Report 2025, 'from 19.2 months'."),
        NationalFigure(
            measure: .epiMonths, phase: .keyStage4, resultsYear: 2024, value: 19.1, decimals: 1, status: .final,
            source: .epiAnnualReport2025, checked: "Confirmed: EPI Annual Report 2025, 'to 19.1 months'."),
    ]

    /// The phase whose national figures suit a cohort: Reception → early years; Years 1–6 →
    /// KS2; Years 7–9 → KS2 too, whose tests are the latest statutory results they have (taken
    /// in Year 6); Years 10–11 → KS4; a key stage by its last year; none for the whole school
    /// (it spans phases), sixth forms, colleges and universities (EPI reports 16-19 in grades,
    /// and there is no national gap index there). docs/methodology.md §7.2.
    public static func phase(for cohort: CohortCode) -> NationalFigure.Phase? {
        guard let year = cohort.schoolYear else { return nil }
        return switch year {
        case 0: .earlyYears
        case 1...9: .keyStage2
        case 10...11: .keyStage4
        default: nil
        }
    }

    /// The figures for one phase, in the order the table lists them (measure, then year).
    public static func figures(for phase: NationalFigure.Phase) -> [NationalFigure] {
        all.filter { $0.phase == phase }
    }
}

/// One published national figure.
public struct NationalFigure: Sendable, Equatable, Codable {
    public enum Measure: String, Sendable, Equatable, Codable {
        /// DfE disadvantage gap index (docs/methodology.md §5).
        case dfeGapIndex = "dfe_gap_index"
        /// EPI gap in months of learning, disadvantaged against others.
        case epiMonths = "epi_months"

        public var label: String {
            switch self {
            case .dfeGapIndex: "DfE disadvantage gap index"
            case .epiMonths: "EPI gap in months of learning"
            }
        }
    }

    public enum Phase: String, Sendable, Equatable, Codable {
        case earlyYears = "early_years"
        case keyStage2 = "ks2"
        case keyStage4 = "ks4"
        /// State-funded schools of a phase (all: primary, secondary and special), for absence,
        /// which is counted across every year group of a school (`NationalContextFigures`).
        case primarySchools = "primary_schools"
        case secondarySchools = "secondary_schools"
        case allSchools = "all_schools"

        public var label: String {
            switch self {
            case .earlyYears: "Early years (age 5)"
            case .keyStage2: "Key stage 2 (age 11)"
            case .keyStage4: "Key stage 4 (age 16)"
            case .primarySchools: "Primary schools"
            case .secondarySchools: "Secondary schools"
            case .allSchools: "All schools"
            }
        }
    }

    /// Provisional figures are revised months later; reports print the status.
    public enum Status: String, Sendable, Equatable, Codable {
        case provisional, revised, final
    }

    public var measure: Measure
    public var phase: Phase
    /// Calendar year of the assessments (summer 2024 = 2024, academic year 2023/24).
    public var resultsYear: Int
    public var value: Double
    /// Decimals as published.
    public var decimals: Int
    public var status: Status
    public var source: Citation
    /// How the value was checked when the table was compiled, or why it was not.
    public var checked: String

    /// Whether `checked` records a confirmation against a publication.
    public var isConfirmed: Bool { checked.hasPrefix("Confirmed") }

    /// "3.92".
    public var valueText: String { FixedDecimal.format(value, decimals: decimals) }

    /// "2023/24".
    public var academicYearText: String {
        "\(resultsYear - 1)/" + String(format2: resultsYear % 100)
    }
}

/// A publication a figure comes from.
public struct Citation: Sendable, Equatable, Codable {
    public var publisher: String
    public var title: String
    public var url: String

    public static let dfeKeyStage4 = Citation(
        publisher: "Department for Education", title: "Key stage 4 performance (KS4 disadvantage gap index data)",
        url: "https://explore-education-statistics.service.gov.uk/find-statistics/key-stage-4-performance")
    public static let dfeKeyStage2 = Citation(
        publisher: "Department for Education", title: "Key stage 2 attainment (Disadvantage gap index)",
        url: "https://explore-education-statistics.service.gov.uk/find-statistics/key-stage-2-attainment")
    public static let dfeKeyStage4Characteristics = Citation(
        publisher: "Department for Education", title: "Key stage 4 performance (KS4 national characteristics data)",
        url: "https://explore-education-statistics.service.gov.uk/find-statistics/key-stage-4-performance")
    /// The release; the data set's own page in the DfE data catalogue, whose rows were read, is
    /// named in docs/methodology.md §8.3 (its address is too long to print unbroken in 100 columns).
    public static let dfeKeyStage4CharacteristicsSummary2023 = Citation(
        publisher: "Department for Education", title: "Key stage 4 performance 2022/23 (data set 'National characteristics summary', revised)",
        url: "https://explore-education-statistics.service.gov.uk/find-statistics/key-stage-4-performance")
    public static let socialMobilityAttainmentAt16 = Citation(
        publisher: "Social Mobility Commission",
        title: "State of the Nation data, intermediate outcomes, compulsory school age: attainment at age 16 (from DfE KS4 data)",
        url: "https://social-mobility.data.gov.uk/")
    public static let dfePupilAbsence = Citation(
        publisher: "Department for Education", title: "Pupil absence in schools in England",
        url: "https://explore-education-statistics.service.gov.uk/find-statistics/pupil-absence-in-schools-in-england")
    public static let dfePupilAttendance = Citation(
        publisher: "Department for Education", title: "Pupil attendance in schools, 2024 week 6 release (autumn term 2023/24 summary)",
        url: "https://explore-education-statistics.service.gov.uk/find-statistics/pupil-attendance-in-schools")
    public static let epiAnnualReport2025 = Citation(
        publisher: "Education Policy Institute", title: "Education in England: Annual Report 2025 (2024 data)",
        url: "https://epi.org.uk/annual-report-2025-foreword-executive-summary")
    public static let epiAnnualReport2020 = Citation(
        publisher: "Education Policy Institute", title: "Education in England: Annual Report 2020 (2019 data)",
        url: "https://epi.org.uk/publications-and-research/education-in-england-annual-report-2020/")
}

extension String {
    /// Two digits with a leading zero: 5 → "05".
    init(format2 value: Int) {
        self = value < 10 ? "0\(value)" : "\(value)"
    }
}
