import Foundation
import struct GapStatistics.SplitMix64
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// The SQL derivations (sql/functions/student_disadvantage.sql) against the domain's reference
/// definitions (docs/methodology.md §1).
@Suite("Derived disadvantage")
struct DisadvantageTests {

    /// FSM Ever 6 from the SQL function agrees with `FSMEver6.isEver6` for spells that start
    /// and end on, just before and just after census days, on dates at term boundaries, on
    /// census days and on the six-year anniversaries of census days.
    @Test func fsmEver6MatchesTheReferenceAtBoundaries() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try addProvider(connection)
            var random = SplitMix64(seed: 2024)
            let censusDays = SchoolCensus.censusDays(in: CalendarDateRange(start: CalendarDate(year: 2014, month: 8, day: 1)!,
                                                                           end: CalendarDate(year: 2026, month: 7, day: 31)!)!)
            var spellsByStudent: [Int: [FSMSpell]] = [:]
            for serial in 0..<120 {
                let id: Int = try connection.query(
                    "INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth) VALUES ($1, $2, 'S', 'F', '2010-01-01') RETURNING student_id",
                    [provider.id!, testUPN(serial)]).single().decode("student_id")
                var spells: [FSMSpell] = []
                var cursor = censusDays[random.next(censusDays.count / 2)].adding(days: random.next(3) - 1)
                for _ in 0..<(serial % 4) {
                    // Spells begin and end exactly on, or a day either side of, a census day.
                    let startCensus = censusDays.first { $0 >= cursor } ?? censusDays.last!
                    let start = startCensus.adding(days: random.next(3) - 1)
                    guard start >= cursor else { break }
                    let open = random.next(5) == 0
                    let endCensus = censusDays.first { $0 > start.adding(days: random.next(400)) } ?? censusDays.last!
                    let end = open ? nil : endCensus.adding(days: random.next(3) - 1)
                    if let end, end < start { break }
                    spells.append(try FSMSpell(start: start, end: end))
                    guard let end else { break }
                    cursor = end.adding(days: 2)
                }
                for spell in spells {
                    try connection.query(
                        "INSERT INTO student_markers (student_id, marker, starts_on, ends_on, source) VALUES ($1, 'fsm', $2::date, $3::date, 'spell')",
                        [id, spell.start.isoString, spell.end?.isoString])
                }
                spellsByStudent[id] = spells
            }
            var dates: [CalendarDate] = []
            for year in 2019...2025 {
                let academicYear = AcademicYear(startYear: year)
                for term in academicYear.terms { dates += [term.startDate, term.endDate, term.startDate.adding(days: -1)] }
                for census in SchoolCensus.censusDays(of: academicYear) {
                    dates += [census, census.adding(days: -1), census.adding(days: 1)]
                }
            }
            for census in censusDays { dates += [census.adding(years: 6), census.adding(years: 6).adding(days: -1)] }
            var checked = 0
            var positives = 0
            for date in dates {
                let rows = try connection.query("SELECT student_id, fsm_ever6 FROM student_disadvantage($1, $2::date)",
                                                [provider.id!, date.isoString]).rows
                #expect(rows.count == spellsByStudent.count)
                for row in rows {
                    let id: Int = try row.decode("student_id")
                    let expected = FSMEver6.isEver6(spells: spellsByStudent[id]!, on: date)
                    let actual: Bool = try row.decode("fsm_ever6")
                    #expect(actual == expected, "student \(id) on \(date): SQL says \(actual), the reference \(expected); spells \(spellsByStudent[id]!)")
                    checked += 1
                    if expected { positives += 1 }
                }
            }
            // The test must exercise both answers, or it proves nothing.
            #expect(positives > checked / 10 && positives < checked * 9 / 10)
        }
    }

    @Test func singleStudentFunctionsAgreeWithTheCohortFunction() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try addProvider(connection)
            let insertStudent = "INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth) VALUES ($1, $2, 'S', 'F', '2010-01-01') RETURNING student_id"
            let marker = "INSERT INTO student_markers (student_id, marker, value, starts_on, ends_on, source) VALUES ($1, $2::marker_kind, $3, $4::date, $5::date, 'spell')"
            var ids: [Int] = []
            for serial in 0..<6 { ids.append(try connection.query(insertStudent, [provider.id!, testUPN(serial)]).single().decode("student_id")) }
            try connection.query(marker, [ids[0], "fsm", String?.none, "2019-09-01", "2019-12-31"])     // Ever 6 in 2024 (Oct 2019 census)
            try connection.query(marker, [ids[1], "looked_after", String?.none, "2024-01-01", String?.none])
            try connection.query(marker, [ids[2], "previously_looked_after", String?.none, "2023-06-01", String?.none])
            try connection.query(marker, [ids[3], "service_child", String?.none, "2020-01-01", String?.none])
            try connection.query(marker, [ids[4], "fsm_ever_6", String?.none, "2024-09-02", "2025-07-31"])
            try connection.query(marker, [ids[5], "eal", "B", "2020-01-01", String?.none])
            try connection.query(marker, [ids[5], "sen", "K", "2024-01-01", String?.none])
            try connection.query(marker, [ids[5], "smc_parental_occupation", "technical_and_craft", "2024-09-01", String?.none])
            try connection.query(marker, [ids[5], "imd_quintile", "1", "2024-09-01", String?.none])
            let date = "2024-10-03"
            let cohort = try connection.query("SELECT * FROM student_disadvantage($1, $2::date) ORDER BY student_id", [provider.id!, date]).rows
            let expectedDisadvantaged = [true, true, true, false, true, false]
            for (index, id) in ids.enumerated() {
                let row = cohort[index]
                #expect(try row.decode("student_id") == id)
                #expect(try row.decode("disadvantaged") == expectedDisadvantaged[index], "student \(index)")
                #expect(try row.decode("pupil_premium_eligible") == expectedDisadvantaged[index])
                let single = try connection.query("SELECT is_disadvantaged($1, $2::date) AS d, fsm_ever6($1, $2::date) AS e", [id, date]).single()
                #expect(try single.decode("d") == expectedDisadvantaged[index])
                #expect(try single.decode("e") == (index == 0 || index == 4))
                let one = try connection.query("SELECT * FROM student_disadvantage_of($1, $2::date)", [id, date]).single()
                for column in ["fsm_now", "fsm_ever6", "looked_after", "previously_looked_after", "service_child", "eal", "young_carer"] {
                    #expect(try one.decode(column) as Bool == row.decode(column) as Bool, "\(column) of student \(index)")
                }
            }
            #expect(try cohort[3].decode("service_child") == true)
            #expect(try cohort[5].decode("eal_band") == "B")
            #expect(try cohort[5].decode("sen") == "K")
            #expect(try cohort[5].decode("smc_group") == "lower_socio_economic")
            #expect(try cohort[5].decode("imd_quintile") == 1)
            #expect(try cohort[0].decode("fsm_now") == false)
            // Looked after from 1 January 2024: not yet on 31 December 2023.
            #expect(try connection.query("SELECT is_disadvantaged($1, '2023-12-31') AS d", [ids[1]]).single().decode("d") == false)
            // An unknown student is NULL, not false.
            #expect(try connection.query("SELECT fsm_ever6(999999, '2024-10-03') AS e").single().decode("e") as Bool? == nil)
        }
    }

    @Test func continuationCountsStudentsStillEnrolledAYearAndFifteenDaysOn() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let provider = try addProvider(connection, code: "test-uni", kind: .university)
            let insertStudent = "INSERT INTO students (provider_id, institution_id, legal_surname, forename, date_of_birth) VALUES ($1, $2, 'S', 'F', '2004-01-01') RETURNING student_id"
            let enrol = "INSERT INTO enrolments (student_id, academic_year, course, start_date, leave_date, leave_reason) VALUES ($1, $2, 'BSC', $3::date, $4::date, $5::leave_reason)"
            let stayed: Int = try connection.query(insertStudent, [provider.id!, "S1"]).single().decode("student_id")
            try connection.query(enrol, [stayed, "2023/24", "2023-09-25", String?.none, String?.none])
            try connection.query(enrol, [stayed, "2024/25", "2024-09-23", String?.none, String?.none])
            let left: Int = try connection.query(insertStudent, [provider.id!, "S2"]).single().decode("student_id")
            try connection.query(enrol, [left, "2023/24", "2023-09-25", "2024-03-01", "withdrawn"])
            let transferred: Int = try connection.query(insertStudent, [provider.id!, "S3"]).single().decode("student_id")
            try connection.query(enrol, [transferred, "2023/24", "2023-09-25", "2024-06-01", "transferred"])
            // Back on 1 October 2024 for the new year: 25 September 2023 + 1 year 15 days is 10 October 2024.
            let returnedLate: Int = try connection.query(insertStudent, [provider.id!, "S4"]).single().decode("student_id")
            try connection.query(enrol, [returnedLate, "2023/24", "2023-09-25", "2024-06-30", "other"])
            try connection.query(enrol, [returnedLate, "2024/25", "2024-10-01", String?.none, String?.none])
            let rows = try connection.query("SELECT student_id, continuation_date::text AS day, continued FROM student_continuation($1)", [provider.id!]).rows
            var continued: [Int: Bool] = [:]
            for row in rows {
                continued[try row.decode("student_id")] = try row.decode("continued")
                #expect(try row.decode("day") == "2024-10-10")
            }
            #expect(continued == [stayed: true, left: false, transferred: true, returnedLate: true])
        }
    }
}

extension SplitMix64 {
    /// A draw in 0..<upperBound (the remainder of the next value, as the random spells were made).
    mutating func next(_ upperBound: Int) -> Int { Int(next() % UInt64(upperBound)) }
}
