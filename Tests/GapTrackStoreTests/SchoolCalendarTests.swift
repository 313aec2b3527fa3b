import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The school calendar (docs/methodology.md §3.3): marks on days the school is shut or outside
/// a pupil's time on roll are refused with the date and the reason; possible sessions are counted
/// from the calendar and the on-roll dates.
@Suite("The school calendar")
struct SchoolCalendarTests {
    /// Three Year 7 pupils of 2024/25: 0 on roll from 2 September, 1 admitted on 16 September,
    /// 2 leaving on 8 October.
    func prepare(_ connection: PostgresConnection) throws -> Importer {
        try addProvider(connection)
        let importer = Importer(connection: connection)
        _ = try importer.load(.students, try writeCSV("students.csv", [
            "upn,legal_surname,forename,date_of_birth,academic_year,year_group,start_date,leave_date",
            "\(testUPN(0)),Ash,Ann,2013-01-15,2024/25,7,2024-09-02,",
            "\(testUPN(1)),Birch,Ben,2013-02-15,2024/25,7,2024-09-16,",
            "\(testUPN(2)),Cedar,Cal,2013-03-15,2024/25,7,2024-09-02,2024-10-08",
        ]))
        return importer
    }

    static let calendar = [
        "date_from,date_to,kind,description",
        "2024-09-02,2024-12-20,term,Autumn term",
        "2024-10-28,2024-11-01,holiday,Half term",
        "2024-09-02,,INSET day,Training",
        "2024-09-20,2024-09-20,closure,Polling station",
        "2025-01-06,2025-04-04,term,Spring term",
        "2025-04-22,2025-07-18,term,Summer term",
        "2025-07-21,2025-09-02,holiday,Summer holiday",
    ]

    func marks(_ rows: [String]) -> [String] { ["student,date,session,code"] + rows }

    @Test("a mark on a Saturday, in the summer holiday, on 25 December, before admission, after leaving or in a year not enrolled is an error naming the date and the reason")
    func marksOutsideSchoolDaysAndTimeOnRollAreRefused() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            _ = try importer.load(.calendar, try writeCSV("calendar.csv", Self.calendar))
            let lines = marks([
                "\(testUPN(0)),2024-09-09,AM,/",       // 2: a school day: fine
                "\(testUPN(0)),2024-09-14,AM,/",       // 3: Saturday
                "\(testUPN(0)),2025-07-22,AM,/",       // 4: summer holiday
                "\(testUPN(0)),2024-12-25,AM,/",       // 5: Christmas Day
                "\(testUPN(1)),2024-09-10,AM,/",       // 6: before admission on 16 September
                "\(testUPN(2)),2024-10-09,AM,/",       // 7: after leaving on 8 October
                "\(testUPN(0)),2023-10-02,AM,/",       // 8: 2023/24, not enrolled
                "\(testUPN(0)),2024-09-20,AM,/",       // 9: closure
                "\(testUPN(0)),2024-09-02,AM,/",       // 10: INSET day
                "\(testUPN(0)),2024-09-20,PM,#",       // 11: # on a closure day: fine
            ])
            let before = try databaseFingerprint(connection)
            let errors = try importer.rejected(.attendance, try writeCSV("attendance.csv", lines))
            #expect(try databaseFingerprint(connection) == before)
            func message(_ line: Int) -> String { errors.first { $0.line == line }?.description ?? "no error on line \(line)" }
            #expect(message(3) == "attendance.csv line 3, column 'date': 2024-09-14 is a Saturday; registers are taken on school days only")
            #expect(message(4) == "attendance.csv line 4, column 'date': 2025-07-22 is in a school holiday in your calendar 'Summer holiday' (2025-07-21 to 2025-09-02); registers are taken on school days only")
            #expect(message(5) == "attendance.csv line 5, column 'date': 2024-12-25 is a bank holiday (Christmas Day); registers are taken on school days only")
            #expect(message(6) == "attendance.csv line 6, column 'date': 2024-09-10 is before the pupil came on roll on 2024-09-16 (their 2024/25 enrolment's start date)")
            #expect(message(7) == "attendance.csv line 7, column 'date': 2024-10-09 is after the pupil left on 2024-10-08 (their 2024/25 enrolment's leaving date)")
            #expect(message(8) == "attendance.csv line 8, column 'date': the pupil has no enrolment in 2023/24, so cannot have a mark on 2023-10-02; import their enrolment for that year first")
            #expect(message(9).hasSuffix("2024-09-20 is a closure day in your calendar 'Polling station' (2024-09-20 to 2024-09-20); only # (school closed) may be recorded for it"))
            #expect(message(10).hasSuffix("2024-09-02 is an INSET day in your calendar 'Training' (2024-09-02 to 2024-09-02); only # (school closed) may be recorded for it"))
            #expect(errors.map(\.line) == Array(3...10))

            // The same file with --skip-invalid keeps the two good marks only.
            let kept = try importer.load(.attendance, try writeCSV("attendance.csv", lines), options: ImportOptions(skipInvalid: true))
            #expect((kept.inserted, kept.rejected) == (2, 8))
        }
    }

    @Test("without a calendar, weekends, bank holidays and August are not school days and the message says how to add term dates")
    func theDefaultCalendar() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let errors = try importer.rejected(.attendance, try writeCSV("attendance.csv", marks([
                "\(testUPN(0)),2024-12-25,AM,/", "\(testUPN(0)),2025-01-04,AM,/", "\(testUPN(0)),2025-04-18,PM,/",
                "\(testUPN(0)),2024-12-23,AM,/",
            ])))
            #expect(errors.map(\.message) == [
                "2024-12-25 is a bank holiday (Christmas Day); registers are taken on school days only",
                "2025-01-04 is a Saturday; registers are taken on school days only",
                "2025-04-18 is a bank holiday (Good Friday); registers are taken on school days only",
            ])
            let days = try SchoolCalendars(connection: connection).weekdays(providerID: try providerID(connection), year: AcademicYear(startYear: 2025))
            let august = days.first { $0.date == CalendarDate(year: 2025, month: 8, day: 4)! }
            #expect(august?.closedBecause == .defaultSummerHoliday)
        }
    }

    @Test("a closure imported later makes that day's marks errors; re-importing the calendar changes nothing")
    func aClosureImportMakesTheDaysMarksInvalid() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            let calendar = try writeCSV("calendar.csv", Self.calendar)
            let first = try importer.load(.calendar, calendar)
            #expect((first.inserted, first.updated) == (7, 0))
            let again = try importer.load(.calendar, calendar)
            #expect((again.inserted, again.updated, again.unchanged) == (0, 0, 7))
            let snowDay = marks(["\(testUPN(0)),2025-01-10,AM,/", "\(testUPN(0)),2025-01-10,PM,\\"])
            #expect(try importer.load(.attendance, try writeCSV("attendance.csv", snowDay)).inserted == 2)

            _ = try importer.load(.calendar, try writeCSV("calendar.csv", ["date_from,kind,description", "2025-01-10,closure,Snow"]))
            let errors = try importer.rejected(.attendance, try writeCSV("attendance.csv", snowDay))
            #expect(errors.map(\.message) == Array(repeating: "2025-01-10 is a closure day in your calendar 'Snow' (2025-01-10 to 2025-01-10); only # (school closed) may be recorded for it", count: 2))
        }
    }

    @Test("a school day on which every pupil is marked # is a closure the school has not recorded, and the message says how to record it")
    func aForgottenClosureIsToldSo() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            _ = try importer.load(.calendar, try writeCSV("calendar.csv", Self.calendar))
            let errors = try importer.rejected(.attendance, try writeCSV("attendance.csv", marks([
                "\(testUPN(0)),2025-01-13,AM,#", "\(testUPN(2)),2024-09-23,AM,#", "\(testUPN(1)),2024-09-23,AM,#",
            ])))
            #expect(errors.map(\.line) == [3, 4])
            #expect(errors.first?.message == "every mark for 2024-09-23 is a school-closed code, but 2024-09-23 is a school day in your calendar; if the school was closed, import the closure with gaptrack import calendar")
        }
    }

    @Test("a calendar file's bad rows name the line and field")
    func calendarRowsAreValidated() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            _ = try importer.load(.calendar, try writeCSV("calendar.csv", Self.calendar))
            let errors = try importer.rejected(.calendar, try writeCSV("calendar.csv", [
                "date_from,date_to,kind,description",
                "2024-09-01,2024-08-01,holiday,Backwards",     // 2
                "2024-09-01,2024-09-02,half term,Unknown kind", // 3
                "2024-09-01,2026-09-02,holiday,Too long",      // 4
                "2024-10-01,2024-12-22,term,Overlaps autumn",  // 5
                "2025-05-05,,closure,May Day",                 // 6: fine
                "2025-05-05,,closure,Again",                   // 7
                "2024-09-31,,closure,No such day",             // 8
            ]))
            #expect(errors.map(\.line) == [2, 3, 4, 5, 7, 8])
            #expect(errors[0].description == "calendar.csv line 2, column 'date_to': 2024-08-01 is before date_from 2024-09-01; a period ends on or after the day it starts")
            #expect(errors[1].description == "calendar.csv line 3, column 'kind': 'half term' is not a kind of calendar period; expected term, holiday, closure or inset")
            #expect(errors[2].message.hasPrefix("makes a period of 732 days"))
            #expect(errors[3].message == "the term 2024-10-01 to 2024-12-22 overlaps the term 2024-09-02 to 2024-12-20 already in your calendar; terms do not overlap")
            #expect(errors[4].message == "repeats the closure starting 2025-05-05 on line 6; give each period once")
            #expect(errors[5].message.contains("'2024-09-31' is not a real calendar day"))
            #expect(try count(connection, "school_calendar") == 7)
        }
    }

    /// Worked by hand. School days from 2 September to 11 October 2024 (the last day marked):
    /// 30 weekdays, less the INSET day (2 Sep) and the closure (20 Sep) = 28.
    /// Pupil 0, on roll throughout: 28 days = 56 sessions; 9 Sep unmarked (2 sessions, possible
    /// and not attended), 11 Sep ill (I, 2 sessions): possible 56, attended 52.
    /// Pupil 1, admitted 16 Sep: 20 weekdays to 11 Oct less the closure = 19 days = 38
    /// sessions, all present: possible 38, attended 38.
    /// Pupil 2, leaving 8 Oct: 27 weekdays from 2 Sep less the INSET day and the closure = 25
    /// days = 50 sessions; # on 5 Sep AM (a partial closure, not possible): possible 49,
    /// attended 49.
    /// The cohort: possible 56 + 38 + 49 = 143, attended 52 + 38 + 49 = 139.
    @Test("possible sessions come from the calendar and each pupil's on-roll dates, against a hand count")
    func possibleSessionsAgainstAHandCount() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let importer = try prepare(connection)
            _ = try importer.load(.calendar, try writeCSV("calendar.csv", Self.calendar))
            var rows: [String] = []
            var day = CalendarDate(year: 2024, month: 9, day: 2)!
            let last = CalendarDate(year: 2024, month: 10, day: 11)!
            let closed: Set<String> = ["2024-09-02", "2024-09-20"]
            while day <= last {
                defer { day = day.adding(days: 1) }
                guard day.isoWeekday <= 5, !closed.contains(day.isoString) else { continue }
                for pupil in 0..<3 {
                    if pupil == 0 && day.isoString == "2024-09-09" { continue }
                    if pupil == 1 && day.isoString < "2024-09-16" { continue }
                    if pupil == 2 && day.isoString > "2024-10-08" { continue }
                    let ill = pupil == 0 && day.isoString == "2024-09-11"
                    let closure = pupil == 2 && day.isoString == "2024-09-05"
                    rows.append("\(testUPN(pupil)),\(day.isoString),AM,\(ill ? "I" : closure ? "#" : "/")")
                    rows.append("\(testUPN(pupil)),\(day.isoString),PM,\(ill ? "I" : "\\")")
                }
            }
            _ = try importer.load(.attendance, try writeCSV("attendance.csv", marks(rows)))
            try connection.transaction { connection in
                try connection.query("SELECT report_load_cohort($1, '2024/25', 'autumn', 'year-7')", [try providerID(connection)])
                let cohort = try connection.query(
                    "SELECT students, possible, attended FROM report_attendance('2024/25', 'autumn') WHERE group_id = 'cohort'").single()
                #expect(try cohort.decode("students") as Int == 3)
                #expect(try cohort.decode("possible") as Int == 143)
                #expect(try cohort.decode("attended") as Int == 139)
            }
        }
    }

    func providerID(_ connection: PostgresConnection) throws -> Int {
        try connection.query("SELECT provider_id FROM providers WHERE code = 'test-school'").single().decode("provider_id")
    }
}
