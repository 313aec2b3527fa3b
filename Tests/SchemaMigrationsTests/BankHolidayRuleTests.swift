import Foundation
import Postgres
import TestDatabase
import Testing

/// The bank holidays the schema ships (docs/methodology.md §3.3) against the statutory rule,
/// worked out here independently of the list: a typo in a date, a year left incomplete or a
/// substitute day on the wrong weekday fails this test.
@Suite("Bank holidays follow the statutory rule")
struct BankHolidayRuleTests {
    /// Days appointed by a one-off proclamation on top of the rule, in the years listed.
    static let proclaimed: Set<String> = ["2023-05-08"]  // the coronation of King Charles III

    @Test("every year in bank_holidays is exactly the rule's days, plus the proclaimed ones")
    func theListedYearsAreTheRulesDays() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let listed: [String] = try connection.query("SELECT to_char(day, 'YYYY-MM-DD') AS day FROM bank_holidays ORDER BY day")
                .rows.map { try $0.decode("day") }
            let years = Set(listed.map { Int($0.prefix(4))! })
            #expect(years == Set(2023...2027), "the years the schema covers")
            let expected = years.flatMap(Self.ruleDays).map(Self.iso) + Self.proclaimed.filter { years.contains(Int($0.prefix(4))!) }
            #expect(listed == expected.sorted())
        }
    }

    @Test("the rule itself, checked on years worked by hand")
    func theRuleOnKnownYears() {
        // 2027: Easter Sunday 28 March; Christmas Day a Saturday, Boxing Day a Sunday.
        #expect(Self.ruleDays(2027).map(Self.iso) == [
            "2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28",
        ])
        // 2022: New Year's Day a Saturday (moved to Monday 3 January); Christmas Day a Sunday
        // (Boxing Day stays Monday 26, Christmas moves to Tuesday 27). Easter Sunday 17 April.
        #expect(Self.ruleDays(2022).map(Self.iso) == [
            "2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-05-30", "2022-08-29", "2022-12-26", "2022-12-27",
        ])
        // Easter Sundays from the published tables: 2024-03-31, 2025-04-20, 2038-04-25.
        #expect(Self.iso(Self.easterSunday(2024)) == "2024-03-31")
        #expect(Self.iso(Self.easterSunday(2025)) == "2025-04-20")
        #expect(Self.iso(Self.easterSunday(2038)) == "2038-04-25")
    }

    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    static func day(_ year: Int, _ month: Int, _ day: Int) -> Date {
        calendar.date(from: DateComponents(year: year, month: month, day: day))!
    }

    static func iso(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// 1 = Sunday … 7 = Saturday.
    static func weekday(_ date: Date) -> Int { calendar.component(.weekday, from: date) }

    static func adding(_ days: Int, to date: Date) -> Date { calendar.date(byAdding: .day, value: days, to: date)! }

    /// The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    static func easterSunday(_ year: Int) -> Date {
        let a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4
        let f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31, dayOfMonth = (h + l - 7 * m + 114) % 31 + 1
        return day(year, month, dayOfMonth)
    }

    /// The first Monday on or after `date`.
    static func mondayFrom(_ date: Date) -> Date { adding((9 - weekday(date)) % 7, to: date) }

    /// The last Monday of a month, counting back from its last day.
    static func lastMonday(_ year: Int, _ month: Int) -> Date {
        let last = adding(-1, to: day(year, month + 1, 1))
        return adding(-((weekday(last) + 5) % 7), to: last)
    }

    /// New Year's Day, Easter, the May and August Mondays, and Christmas and Boxing Day, each
    /// moved to the next free weekday when it falls at a weekend.
    static func ruleDays(_ year: Int) -> [Date] {
        let newYear = [1, 7].contains(weekday(day(year, 1, 1))) ? mondayFrom(day(year, 1, 1)) : day(year, 1, 1)
        let easter = easterSunday(year)
        var christmas = day(year, 12, 25), boxing = day(year, 12, 26)
        switch weekday(christmas) {
        case 7: christmas = adding(2, to: christmas); boxing = adding(2, to: boxing)  // Sat, Sun → Mon, Tue
        case 1: christmas = adding(2, to: christmas)                                  // Sun, Mon → Tue, Mon
        case 6: boxing = adding(2, to: boxing)                                        // Fri, Sat → Fri, Mon
        default: break
        }
        return [newYear, adding(-2, to: easter), adding(1, to: easter), mondayFrom(day(year, 5, 1)),
                lastMonday(year, 5), lastMonday(year, 8), christmas, boxing].sorted()
    }
}
