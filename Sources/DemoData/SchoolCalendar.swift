import GapTrackDomain

/// The demo school's calendar: term dates, half terms and bank holidays, and so the days on
/// which the register is taken.
///
/// 2024/25 follows the pattern of a typical English local authority's published calendar
/// (autumn 4 September to 20 December with a half term from 28 October; spring 7 January to
/// 4 April with a half term from 17 February; summer 22 April to 18 July with a half term from
/// 26 May), with the early May bank holiday (5 May 2025) and Easter (18-21 April 2025) off and
/// five INSET days taken out. That gives 190 pupil days = 380 sessions, the statutory minimum
/// docs/methodology.md §3 cites.
public struct SchoolCalendar: Sendable {
    public struct TermDates: Sendable, Hashable {
        public let term: Term
        public let firstDay: CalendarDate
        public let lastDay: CalendarDate
        public let halfTermFirstDay: CalendarDate
        public let halfTermLastDay: CalendarDate
    }

    public let academicYear: AcademicYear
    public let terms: [TermDates]
    /// Weekdays inside term time on which the school is closed to pupils.
    public let closures: [CalendarDate]
    /// Every day the register is taken, in order.
    public let schoolDays: [CalendarDate]

    init(academicYear: AcademicYear, terms: [TermDates], closures: [CalendarDate]) {
        self.academicYear = academicYear
        self.terms = terms
        self.closures = closures
        var days: [CalendarDate] = []
        for term in terms {
            var day = term.firstDay
            while day <= term.lastDay {
                let inHalfTerm = term.halfTermFirstDay <= day && day <= term.halfTermLastDay
                if day.isoWeekday <= 5, !inHalfTerm, !closures.contains(day) { days.append(day) }
                day = day.adding(days: 1)
            }
        }
        schoolDays = days
    }

    /// The demo school's year 2024/25.
    public static let year2024 = SchoolCalendar(
        academicYear: AcademicYear(startYear: 2024),
        terms: [
            TermDates(term: .autumn, firstDay: date(2024, 9, 4), lastDay: date(2024, 12, 20),
                      halfTermFirstDay: date(2024, 10, 28), halfTermLastDay: date(2024, 11, 1)),
            TermDates(term: .spring, firstDay: date(2025, 1, 7), lastDay: date(2025, 4, 4),
                      halfTermFirstDay: date(2025, 2, 17), halfTermLastDay: date(2025, 2, 21)),
            TermDates(term: .summer, firstDay: date(2025, 4, 22), lastDay: date(2025, 7, 18),
                      halfTermFirstDay: date(2025, 5, 26), halfTermLastDay: date(2025, 5, 30)),
        ],
        closures: [date(2025, 5, 5)])

    /// The first day of 2023/24, when last year's enrolments start.
    public static let firstDay2023 = date(2023, 9, 5)

    /// The legal school leaving date for Year 11: the last Friday in June (Education Act 1996,
    /// s. 8, and the Education (School Leaving Date) Order 1997).
    static func year11LeavingDate(academicYear: AcademicYear) -> CalendarDate {
        var day = date(academicYear.startYear + 1, 6, 30)
        while day.isoWeekday != 5 { day = day.adding(days: -1) }
        return day
    }

    /// The Year 10 work experience week (register code W).
    static let workExperienceWeek = CalendarDateRange(start: date(2025, 7, 7), end: date(2025, 7, 11))!
}

/// A date known to exist (the calendar's own constants).
func date(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate {
    CalendarDate(year: year, month: month, day: day)!
}
