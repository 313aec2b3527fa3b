import GapTrackDomain

/// The pupils who started Reception in the same September: one year group, followed across years.
///
/// Identifying a cohort by its Reception year makes every year-dependent fact a subtraction:
/// its year group in 2024/25 is 2024 minus the Reception year, its pupils were born between
/// 1 September five years before Reception and 31 August four years before (the English
/// school-year cut-off), and it sat the KS2 tests in Year 6.
public struct SchoolCohort: Sendable, Hashable, CustomStringConvertible {
    public let receptionYear: Int

    public init(receptionYear: Int) {
        self.receptionYear = receptionYear
    }

    /// The cohort that is in `yearGroupIn2024` in 2024/25 (12 for last year's Year 11).
    public init(yearGroupIn2024: Int) {
        receptionYear = 2024 - yearGroupIn2024
    }

    public func yearGroup(in year: AcademicYear) -> Int { year.startYear - receptionYear }

    /// The academic years of the demo (2023/24, 2024/25) in which the cohort is in Years 7-11.
    public var enrolledYears: [AcademicYear] {
        [AcademicYear(startYear: 2023), AcademicYear(startYear: 2024)].filter { (7...11).contains(yearGroup(in: $0)) }
    }

    /// The year in which the cohort was in Year 6 and sat the KS2 tests.
    public var keyStage2Year: AcademicYear { AcademicYear(startYear: receptionYear + 6) }

    public var oldestBirthday: CalendarDate { date(receptionYear - 5, 9, 1) }
    public var youngestBirthday: CalendarDate { date(receptionYear - 4, 8, 31) }
    /// The first day of Reception (nominal).
    public var receptionStart: CalendarDate { date(receptionYear, 9, 5) }

    /// The last academic year the cohort is at the school in the demo.
    var lastYear: AcademicYear { enrolledYears.last! }

    public var description: String {
        let now = yearGroup(in: AcademicYear(startYear: 2024))
        return now <= 11 ? "Year \(now) in 2024/25" : "Year 11 in 2023/24 (left July 2024)"
    }
}

/// A pupil's enrolment in one academic year: one row of students.csv.
public struct SchoolEnrolment: Sendable, Hashable {
    public let academicYear: AcademicYear
    public let yearGroup: Int
    public let start: CalendarDate
    public let leave: CalendarDate?
    public let leaveReason: String?
}
