import GapStatistics
import GapTrackDomain

/// One course instance of a Demo University student as its student-record extract gives it
/// (docs/import-formats.md "Student records"), with the hidden draws behind it.
public struct UniversityInstance: Sendable {
    public let hesaID: String
    public let institutionID: String
    public let surname: String
    public let forename: String
    public let gender: String
    public let ethnicity: String
    public let dateOfBirth: CalendarDate
    public let course: UniversityCourse
    public let commenced: CalendarDate
    public let partTime: Bool
    public let entryQualification: String
    public let tariff: Int
    public let imdQuintile: Int
    public let polar4Quintile: Int
    public let tundraQuintile: Int
    public let abcsQuintile: Int
    /// Free school meals at school: not asked of mature students.
    public let fsmAtSchool: Bool?
    public let isCareLeaver: Bool
    public let isEstranged: Bool
    public let isFirstInFamily: Bool
    public let isDisabled: Bool
    public let left: CalendarDate?
    /// HESA RSNEND: 01 qualified, 03 transferred, 07 dropped out.
    public let leavingReason: String?
    /// HESA CLASS: 01 first, 02 upper second, 03 lower second, 05 third.
    public let classification: String?
    /// The Graduate Outcomes activity as the OfS progression measure groups it.
    public let progression: String?
    /// The academic years of the instance in the extract, first to last.
    public let years: [AcademicYear]
    /// Support received in the first year (earlier intakes only: the later intakes' is in support.csv).
    public let firstYearSupport: Set<InterventionType>
    let supportRows: [SupportRow]

    public var entryYear: AcademicYear { years[0] }

    /// Whether the student was continuing (or had qualified or transferred) a year and 15 days
    /// after commencement, two years and 15 days part time (docs/methodology.md §11.3); nil when
    /// that day is after the data cut.
    public var continued: Bool? {
        let due = commenced.adding(years: partTime ? 2 : 1).adding(days: 15)
        guard due <= UniversityOutcomeModel.dataCut else { return nil }
        guard let left, left < due else { return true }
        return leavingReason == "01" || leavingReason == "03"
    }

    /// One row of student-records.csv per academic year.
    func rows() -> [[String]] {
        years.enumerated().map { offset, year in
            let first = offset == 0
            let last = offset == years.count - 1
            func entry(_ text: String) -> String { first ? text : "" }
            func leaving(_ text: String?) -> String { last ? text ?? "" : "" }
            return [
                hesaID, institutionID, surname, forename, dateOfBirth.isoString, gender, ethnicity, course.code, course.name,
                commenced.isoString, year.description, partTime ? "31" : "01", String(offset + 1),
                entry(entryQualification), entry(String(tariff)), entry(String(imdQuintile)), entry(String(polar4Quintile)),
                entry(String(tundraQuintile)), entry(String(abcsQuintile)), entry(fsmAtSchool.map { $0 ? "Y" : "N" } ?? ""),
                entry(isCareLeaver ? "Y" : "N"), entry(isEstranged ? "Y" : "N"), entry(isFirstInFamily ? "Y" : "N"),
                entry(isDisabled ? "Y" : "N"), leaving(left?.isoString), leaving(leavingReason), leaving(classification),
                leaving(progression),
            ]
        }
    }

    static let header = [
        "hesa_id", "institution_id", "legal_surname", "forename", "date_of_birth", "gender", "ethnicity", "course", "course_title",
        "commencement_date", "academic_year", "mode", "year_of_programme", "entry_qualification", "tariff_points", "imd_quintile",
        "polar4_quintile", "tundra_quintile", "abcs_quintile", "fsm_at_school", "care_leaver", "estranged", "first_in_family",
        "disabled", "leaving_date", "rsnend", "classification", "progression",
    ]
}

/// Entry details both kinds of intake draw the same way.
struct UniversityEntryDraws {
    let tariff: Int
    let entryQualification: String
    let tundra: Int
    let abcs: Int
    let fsmAtSchool: Bool?
    let disabled: Bool

    static let evenCuts = [0.2, 0.4, 0.6, 0.8].map(Normal.quantile)

    /// `area` and `participation` are the latent home-area measures behind IMD and POLAR4.
    static func draw(area: Double, participation: Double, mature: Bool, imd: Int, using g: inout SeededGenerator) -> UniversityEntryDraws {
        let tariff = min(200, max(32, Int((112 + 28 * (0.35 * area + 0.94 * g.normal())).rounded())))
        let tundra = 1 + evenCuts.filter { 0.8 * participation + 0.6 * g.normal() >= $0 }.count
        let abcs = 1 + evenCuts.filter { 0.45 * area + 0.45 * participation + 0.77 * g.normal() >= $0 }.count
        let fsm: Bool? = mature ? nil : g.chance(imd <= 2 ? 0.3 : 0.08)
        return UniversityEntryDraws(tariff: tariff, entryQualification: mature ? "X06" : "P50", tundra: tundra, abcs: abcs,
                                    fsmAtSchool: fsm, disabled: g.chance(0.17))
    }
}

extension UniversityInstance {
    /// The instance of a 2023/24 or 2024/25 entrant of students.csv: the same person, course and
    /// leaving, with the entry details students.csv has no column for drawn from a stream of their own.
    init(_ student: UniversityStudent, seed: UInt64) {
        var g = RandomStream.universityEntry.generator(seed: seed, cohort: student.intake.startYear, index: student.index)
        let start = student.enrolments[0].start
        let mature = start >= student.dateOfBirth.adding(years: 21)
        // The latent area measures, recovered roughly from the quintiles drawn in students.csv.
        let area = Normal.quantile((Double(student.imdQuintile) - 0.5) / 5)
        let participation = Normal.quantile((Double(student.polar4Quintile) - 0.5) / 5)
        let entry = UniversityEntryDraws.draw(area: area, participation: participation, mature: mature, imd: student.imdQuintile, using: &g)
        let last = student.enrolments[student.enrolments.count - 1]
        self.init(
            hesaID: student.hesaID, institutionID: student.institutionID, surname: student.surname, forename: student.forename,
            gender: student.gender, ethnicity: student.ethnicity, dateOfBirth: student.dateOfBirth, course: student.course,
            commenced: start, partTime: false, entryQualification: entry.entryQualification, tariff: entry.tariff,
            imdQuintile: student.imdQuintile, polar4Quintile: student.polar4Quintile, tundraQuintile: entry.tundra,
            abcsQuintile: entry.abcs, fsmAtSchool: entry.fsmAtSchool, isCareLeaver: student.isCareLeaver,
            isEstranged: student.isEstranged, isFirstInFamily: student.isFirstInFamily, isDisabled: entry.disabled,
            left: last.leave, leavingReason: last.leave == nil ? nil : (last.leaveReason == "transferred" ? "03" : "07"),
            classification: nil, progression: nil, years: student.enrolments.map(\.academicYear), firstYearSupport: [], supportRows: [])
    }
}
