import GapTrackDomain
import Postgres

/// Why a day is not a school day for a provider (docs/methodology.md §3.3). The database
/// decides (`school_calendar_days`), so the imports, the service and the report agree.
public enum NonSchoolDay: Sendable, Equatable {
    case weekend
    case bankHoliday(name: String)
    case holiday(description: String, from: CalendarDate, to: CalendarDate)
    case closure(description: String, from: CalendarDate, to: CalendarDate)
    case inset(description: String, from: CalendarDate, to: CalendarDate)
    /// The provider has term dates for the year and the day is in none of them.
    case outsideTerms
    /// No term dates for the year: the default calendar's summer holiday (August).
    case defaultSummerHoliday

    /// What an attendance mark on `day` is told.
    func message(_ day: CalendarDate) -> String {
        let date = day.isoString
        func named(_ description: String) -> String { description.isEmpty ? "" : " '\(TextLimit.quoted(description))'" }
        switch self {
        case .weekend:
            return "\(date) is a \(day.isoWeekday == 6 ? "Saturday" : "Sunday"); registers are taken on school days only"
        case .bankHoliday(let name):
            return "\(date) is a bank holiday (\(name)); registers are taken on school days only"
        case .holiday(let description, let from, let to):
            return "\(date) is in a school holiday in your calendar\(named(description)) (\(from.isoString) to \(to.isoString)); registers are taken on school days only"
        case .closure(let description, let from, let to):
            return "\(date) is a closure day in your calendar\(named(description)) (\(from.isoString) to \(to.isoString)); only # (school closed) may be recorded for it"
        case .inset(let description, let from, let to):
            return "\(date) is an INSET day in your calendar\(named(description)) (\(from.isoString) to \(to.isoString)); only # (school closed) may be recorded for it"
        case .outsideTerms:
            return "\(date) is outside the term dates in your calendar for \(AcademicYear(containing: day)); if it was a school day, correct the terms with gaptrack import calendar"
        case .defaultSummerHoliday:
            return "\(date) is in August, the summer holiday in gaptrack's default calendar; if the school was open, import its term dates with gaptrack import calendar"
        }
    }

    /// A planned closure mark (`#`) records a day the school was shut, so it is accepted on
    /// any weekday the calendar closes; every other code needs a school day.
    var acceptsClosureMark: Bool { self != .weekend }
}

/// A provider's school days over a span of dates, read once, for checking many marks.
public struct SchoolCalendarDays: Sendable {
    /// Days since 1970-01-01 of the first day held.
    let first: Int
    /// nil for a school day, else why not; one entry per day from `first`.
    let days: [NonSchoolDay?]

    public static func load(providerID: Int, from: CalendarDate, to: CalendarDate,
                            connection: PostgresConnection) throws -> SchoolCalendarDays {
        let rows = try connection.query(
            """
            SELECT day::text AS day, reason, detail, period_from::text AS period_from, period_to::text AS period_to
            FROM school_calendar_days($1, $2::date, $3::date)
            """, [providerID, from.isoString, to.isoString]).rows
        var days: [NonSchoolDay?] = []
        days.reserveCapacity(rows.count)
        for row in rows {
            let reason: String? = try row.decode("reason")
            let detail = (try row.decode("detail") as String?) ?? ""
            let period = (try? CalendarDate(parsing: (try row.decode("period_from") as String?) ?? ""),
                          try? CalendarDate(parsing: (try row.decode("period_to") as String?) ?? ""))
            switch (reason, period) {
            case (nil, _): days.append(nil)
            case ("weekend", _): days.append(.weekend)
            case ("bank_holiday", _): days.append(.bankHoliday(name: detail))
            case ("holiday", (let from?, let to?)): days.append(.holiday(description: detail, from: from, to: to))
            case ("closure", (let from?, let to?)): days.append(.closure(description: detail, from: from, to: to))
            case ("inset", (let from?, let to?)): days.append(.inset(description: detail, from: from, to: to))
            case ("outside_terms", _): days.append(.outsideTerms)
            default: days.append(.defaultSummerHoliday)
            }
        }
        return SchoolCalendarDays(first: from.daysSinceEpoch, days: days)
    }

    /// Why `day` is not a school day, or nil when it is (or lies outside the span read).
    public func reason(_ day: CalendarDate) -> NonSchoolDay? {
        reason(daysSinceEpoch: day.daysSinceEpoch)
    }

    func reason(daysSinceEpoch day: Int) -> NonSchoolDay? {
        let index = day - first
        guard index >= 0, index < days.count else { return nil }
        return days[index]
    }
}

/// Each student's enrolments with their on-roll dates, for checking marks against them.
public struct OnRollDates: Sendable {
    struct Spell: Sendable {
        let year: AcademicYear
        let start: CalendarDate
        let leave: CalendarDate?
    }

    let spells: [Int: [Spell]]

    public static func load(providerID: Int, connection: PostgresConnection) throws -> OnRollDates {
        let rows = try connection.query(
            """
            SELECT e.student_id, e.academic_year, e.start_date::text AS start_date, e.leave_date::text AS leave_date
            FROM enrolments e
            WHERE e.provider_id = $1
            """, [providerID]).rows
        var spells: [Int: [Spell]] = [:]
        for row in rows {
            let start = try CalendarDate(parsing: try row.decode("start_date") as String)
            let leave = try (row.decode("leave_date") as String?).map { try CalendarDate(parsing: $0) }
            let year = try AcademicYear(parsing: try row.decode("academic_year") as String)
            spells[try row.decode("student_id"), default: []].append(Spell(year: year, start: start, leave: leave))
        }
        return OnRollDates(spells: spells)
    }

    /// Why the student cannot have a mark on `day`, or nil when they were on roll. Code Z
    /// ("not on roll yet") is for the days before a pupil's admission in the year they join.
    func problem(studentID: Int, day: CalendarDate, code: AttendanceCode) -> String? {
        let year = AcademicYear(containing: day)
        guard let spell = spells[studentID]?.first(where: { $0.year == year }) else {
            return "the pupil has no enrolment in \(year), so cannot have a mark on \(day.isoString); import their enrolment for that year first"
        }
        if day < spell.start {
            if code == .notOnRollYet { return nil }
            return "\(day.isoString) is before the pupil came on roll on \(spell.start.isoString) (their \(year) enrolment's start date)"
        }
        if let leave = spell.leave, day > leave {
            return "\(day.isoString) is after the pupil left on \(leave.isoString) (their \(year) enrolment's leaving date)"
        }
        return nil
    }
}

/// The rules that place a mark in the school's calendar and the pupil's time on roll
/// (docs/methodology.md §3.3), the same for attendance.csv and POST /v1/attendance-marks.
public struct AttendanceMarkPlacement: Sendable {
    public struct Mark: Sendable {
        public let studentID: Int
        public let date: CalendarDate
        public let code: AttendanceCode

        public init(studentID: Int, date: CalendarDate, code: AttendanceCode) {
            self.studentID = studentID
            self.date = date
            self.code = code
        }
    }

    let calendar: SchoolCalendarDays
    let onRoll: OnRollDates

    /// Reads what checking marks from `from` to `to` needs.
    public static func load(providerID: Int, from: CalendarDate, to: CalendarDate,
                            connection: PostgresConnection) throws -> AttendanceMarkPlacement {
        AttendanceMarkPlacement(
            calendar: try SchoolCalendarDays.load(providerID: providerID, from: from, to: to, connection: connection),
            onRoll: try OnRollDates.load(providerID: providerID, connection: connection))
    }

    /// The problem with each mark (by its position), at most one per mark: the calendar's first,
    /// then the pupil's on-roll dates. A school day on which every mark given, for more than one
    /// pupil, is a school-closed code is the sign of a closure the school has not recorded, and
    /// is told so (one pupil's `#` may be a partial closure).
    public func problems(_ marks: [Mark]) -> [Int: String] {
        var problems: [Int: String] = [:]
        guard !marks.isEmpty else { return problems }
        // Per day, by its offset from the earliest mark's: an array rather than dictionaries keyed
        // by date, since this runs once per mark of a million-mark file, where hashing the date
        // was a fifth of the import's own work (BENCHMARKS.md, "Attendance import and support
        // load, 6 December 2026"). closureOnly: nil while a day has no mark checked, then
        // whether every mark of the day is a school-closed code.
        let days = marks.map(\.date.daysSinceEpoch)
        let first = days.min()!
        var closureOnly = [Bool?](repeating: nil, count: days.max()! - first + 1)
        var pupils: [Int: Set<Int>] = [:]
        for (index, mark) in marks.enumerated() {
            let isClosureCode = mark.code == .plannedWholeOrPartialSchoolClosure || mark.code == .unableToAttendWholeSchoolClosedUnexpectedly
            let day = days[index]
            if let reason = calendar.reason(daysSinceEpoch: day) {
                if !(mark.code == .plannedWholeOrPartialSchoolClosure && reason.acceptsClosureMark) {
                    problems[index] = reason.message(mark.date)
                }
                continue
            }
            closureOnly[day - first] = (closureOnly[day - first] ?? true) && isClosureCode
            if isClosureCode { pupils[day, default: []].insert(mark.studentID) }
            if let problem = onRoll.problem(studentID: mark.studentID, day: mark.date, code: mark.code) {
                problems[index] = problem
            }
        }
        guard closureOnly.contains(true) else { return problems }
        for (index, mark) in marks.enumerated() where problems[index] == nil && closureOnly[days[index] - first] == true
        && (pupils[days[index]]?.count ?? 0) > 1 {
            problems[index] = "every mark for \(mark.date.isoString) is a school-closed code, but \(mark.date.isoString) is a school day in your calendar; if the school was closed, import the closure with gaptrack import calendar"
        }
        return problems
    }
}
