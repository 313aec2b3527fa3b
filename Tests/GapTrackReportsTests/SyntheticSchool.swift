import Foundation
import GapStatistics
import GapTrackDomain
import Postgres

/// A seeded synthetic school loaded into a real database through COPY, with every student's
/// facts kept in Swift so that the tests can compute each figure independently of the SQL.
///
/// Year 11 in 2024/25. Disadvantage comes from dated markers: a current FSM spell, an FSM spell
/// years ago (FSM Ever 6 only), looked after or previously looked after.
struct SyntheticSchool {
    struct Student {
        var number: Int
        var dateOfBirth: CalendarDate
        var fsmNow = false
        var fsmEarlier = false
        var lookedAfter = false
        var previouslyLookedAfter = false
        var eal = false
        var sen: String?
        var youngCarer = false
        /// Subject → score, autumn 2024 assessments.
        var scores: [String: Double] = [:]
        /// Maths in the Year 10 summer exam (2023/24 summer), for the trend.
        var earlierMaths: Double?
        /// One code per session in the autumn term (empty: no marks).
        var sessions: [AttendanceCode] = []

        var isDisadvantaged: Bool { fsmNow || fsmEarlier || lookedAfter || previouslyLookedAfter }
        var institutionID: String { "S" + String(number) }
    }

    struct Support {
        var student: Int
        var type: String
        var startsOn: CalendarDate
        /// nil: still going on.
        var endsOn: CalendarDate?
        var sessions: Int?
        var hours: Double?
        var pence: Int?
        var fundingSource: String?
        var status: String
    }

    static let term = try! AcademicTerm(parsing: "2024/25-autumn")
    static let assessedOn = CalendarDate(year: 2024, month: 11, day: 20)!
    static let earlierAssessedOn = CalendarDate(year: 2024, month: 6, day: 20)!
    static let firstSchoolDay = CalendarDate(year: 2024, month: 9, day: 2)!

    var providerCode = "synthetic-school"
    var providerName = "Synthetic School"
    /// Unique per provider: several schools can be loaded into one database.
    var urn = "123456"
    var students: [Student] = []
    var support: [Support] = []

    /// - Parameters:
    ///   - shift: how far disadvantaged students' maths is below others', in standard deviations.
    ///   - withAttendance: days of register marks per student in the autumn term (0: none).
    static func generate(count: Int, seed: UInt64, shift: Double = 0.5, schoolDays: Int = 30, supportShare: Double = 0.3) -> SyntheticSchool {
        var generator = SeededGenerator(seed: seed)
        var school = SyntheticSchool()
        let firstBirthday = CalendarDate(year: 2008, month: 9, day: 1)!
        let codes: [(AttendanceCode, Double)] = [(.illness, 0.45), (.absentOtherUnauthorised, 0.25), (.lateAfterRegisterClosed, 0.1), (.leaveOfAbsenceMedicalOrDentalAppointment, 0.2)]
        for number in 1...count {
            var student = Student(number: number, dateOfBirth: firstBirthday.adding(days: generator.index(below: 365)))
            let draw = generator.unitInterval()
            if draw < 0.25 { student.fsmNow = true } else if draw < 0.30 { student.fsmEarlier = true } else if draw < 0.32 {
                student.lookedAfter = true
            } else if draw < 0.33 { student.previouslyLookedAfter = true }
            student.eal = generator.unitInterval() < 0.15
            let sen = generator.unitInterval()
            student.sen = sen < 0.03 ? "E" : (sen < 0.15 ? "K" : nil)
            student.youngCarer = generator.unitInterval() < 0.04
            let ageAtTest = Double(Self.completedMonths(from: student.dateOfBirth, to: assessedOn))
            let behind = student.isDisadvantaged ? 1.0 : 0.0
            let maths = 100 + 15 * Normal.sample(using: &generator) - 15 * shift * behind + 1.5 * (ageAtTest - 188)
            student.scores["maths"] = min(145, max(55, maths.rounded()))
            let english = 5 + 1.8 * Normal.sample(using: &generator) - 1.0 * behind + 0.06 * (ageAtTest - 188)
            student.scores["english"] = min(9, max(0, english.rounded()))
            student.earlierMaths = min(145, max(55, (100 + 15 * Normal.sample(using: &generator) - 18 * shift * behind).rounded()))
            if schoolDays > 0, generator.unitInterval() > 0.02 {
                let risk = student.isDisadvantaged ? 0.12 : 0.05
                let personal = risk * 2 * generator.unitInterval()
                for _ in 0..<(2 * schoolDays) {
                    let u = generator.unitInterval()
                    if u < 0.01 {
                        student.sessions.append(.plannedWholeOrPartialSchoolClosure)
                    } else if u < 0.01 + personal {
                        var pick = generator.unitInterval()
                        var chosen = codes[0].0
                        for (code, share) in codes {
                            if pick < share { chosen = code; break }
                            pick -= share
                        }
                        student.sessions.append(chosen)
                    } else {
                        student.sessions.append(generator.unitInterval() < 0.05 ? .lateBeforeRegisterClosed : (generator.unitInterval() < 0.5 ? .presentMorning : .presentAfternoon))
                    }
                }
            }
            if generator.unitInterval() < supportShare {
                let types = ["tutoring", "mentoring", "food_support", "bursary"]
                let type = types[generator.index(below: types.count)]
                let statuses = ["active", "ended", "ended", "planned", "cancelled"]
                let startsOn = generator.unitInterval() < 0.1
                    ? CalendarDate(year: 2025, month: 1, day: 13)!
                    : firstSchoolDay.adding(days: 7 + generator.index(below: 60))
                // Teaching time often has an end date, sometimes in the spring term; the rest is open.
                let endsOn = (type == "tutoring" || type == "mentoring") && generator.unitInterval() < 0.6
                    ? startsOn.adding(days: 20 + generator.index(below: 120)) : nil
                school.support.append(Support(
                    student: number, type: type, startsOn: startsOn, endsOn: endsOn,
                    sessions: type == "tutoring" || type == "mentoring" ? 4 + generator.index(below: 10) : nil,
                    hours: type == "tutoring" ? Double(2 * (2 + generator.index(below: 8))) + 0.5 : nil,
                    pence: 1_000 * (5 + generator.index(below: 50)) + generator.index(below: 100),
                    fundingSource: generator.unitInterval() < 0.8 ? (type == "bursary" ? "bursary_fund" : "pupil_premium") : nil,
                    status: statuses[generator.index(below: statuses.count)]))
            }
            school.students.append(student)
        }
        return school
    }

    /// Whole months from one date to a later one, as PostgreSQL's age() counts them.
    static func completedMonths(from birth: CalendarDate, to date: CalendarDate) -> Int {
        (date.year - birth.year) * 12 + (date.month - birth.month) - (date.day < birth.day ? 1 : 0)
    }

    /// The weekday dates of the term's first `count` school days.
    static func schoolDays(_ count: Int) -> [CalendarDate] {
        var days = [CalendarDate]()
        var day = firstSchoolDay
        while days.count < count {
            if day.isoWeekday <= 5 { days.append(day) }
            day = day.adding(days: 1)
        }
        return days
    }

    /// Loads the school; returns the provider's id. Audit triggers and foreign-key triggers are
    /// switched off for the load (session_replication_role = replica), which only a superuser
    /// may do: the data is consistent by construction, and the tests are about reading it.
    @discardableResult
    func load(into connection: PostgresConnection, fastLoad: Bool = false) throws -> Int {
        if fastLoad { try connection.execute("SET session_replication_role = replica") }
        defer { if fastLoad { try? connection.execute("SET session_replication_role = DEFAULT") } }
        let providerID: Int = try connection.query(
            "INSERT INTO providers (code, name, kind, urn) VALUES ($1, $2, 'school', $3) RETURNING provider_id",
            [providerCode, providerName, urn]
        ).single().decode("provider_id")
        let importID: Int = try connection.query(
            """
            INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, rows_read, rows_inserted, skip_invalid,
                                 os_user, started_at, finished_at)
            VALUES ($1, 'students', 'students.csv', repeat('ab', 32), 1000, $2, $2, false, 'test',
                    '2025-01-10 09:00:00+00', '2025-01-10 09:00:05+00')
            RETURNING import_id
            """, [providerID, students.count]
        ).single().decode("import_id")
        try connection.copyIn("COPY students (provider_id, institution_id, legal_surname, forename, date_of_birth, import_id) FROM STDIN") { writer in
            for student in students {
                try writer.writeRow([String(providerID), student.institutionID, "Surname", "Forename", student.dateOfBirth.isoString, String(importID)])
            }
        }
        let base: Int = try connection.query("SELECT min(student_id) AS base FROM students WHERE provider_id = $1", [providerID]).single().decode("base")
        let misplaced: Int = try connection.query(
            "SELECT count(*) AS n FROM students WHERE provider_id = $1 AND student_id - $2 + 1 <> substr(institution_id, 2)::int",
            [providerID, base]
        ).single().decode("n")
        precondition(misplaced == 0, "COPY assigned student ids out of order")
        func id(_ number: Int) -> String { String(base + number - 1) }

        try connection.copyIn("COPY enrolments (student_id, academic_year, year_group, start_date) FROM STDIN") { writer in
            for student in students { try writer.writeRow([id(student.number), "2024/25", "11", "2024-09-01"]) }
        }
        try connection.copyIn("COPY student_markers (student_id, marker, value, starts_on, ends_on, source) FROM STDIN") { writer in
            for student in students {
                let s = id(student.number)
                if student.fsmNow { try writer.writeRow([s, "fsm", nil, "2023-09-01", nil, "spell"]) }
                if student.fsmEarlier { try writer.writeRow([s, "fsm", nil, "2019-09-01", "2021-07-31", "spell"]) }
                if student.lookedAfter { try writer.writeRow([s, "looked_after", nil, "2022-01-01", nil, "spell"]) }
                if student.previouslyLookedAfter { try writer.writeRow([s, "previously_looked_after", nil, "2021-05-01", nil, "spell"]) }
                if student.eal { try writer.writeRow([s, "eal", "C", "2020-09-01", nil, "spell"]) }
                if let sen = student.sen { try writer.writeRow([s, "sen", sen, "2022-09-01", nil, "spell"]) }
                if student.youngCarer { try writer.writeRow([s, "young_carer", nil, "2024-01-01", nil, "spell"]) }
            }
        }
        let points: [(subject: String, name: String, scale: String, year: String, term: String)] = [
            ("maths", "Autumn mock", "standardised_score", "2024/25", "autumn"),
            ("english", "Autumn mock", "gcse", "2024/25", "autumn"),
            ("maths", "Year 10 summer exam", "standardised_score", "2023/24", "summer"),
        ]
        var pointIDs = [Int]()
        for point in points {
            pointIDs.append(try connection.query(
                "INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term) VALUES ($1, $2, $3, $4::assessment_scale, $5, $6::term_name) RETURNING assessment_point_id",
                [providerID, point.subject, point.name, point.scale, point.year, point.term]
            ).single().decode("assessment_point_id"))
        }
        try connection.copyIn("COPY assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on) FROM STDIN") { writer in
            for student in students {
                let s = id(student.number)
                if let maths = student.scores["maths"] {
                    try writer.writeRow([String(pointIDs[0]), points[0].scale, s, String(Int(maths)), String(Int(maths)), Self.assessedOn.isoString])
                }
                if let english = student.scores["english"] {
                    try writer.writeRow([String(pointIDs[1]), points[1].scale, s, String(Int(english)), String(Int(english)), Self.assessedOn.isoString])
                }
                if let earlier = student.earlierMaths {
                    try writer.writeRow([String(pointIDs[2]), points[2].scale, s, String(Int(earlier)), String(Int(earlier)), Self.earlierAssessedOn.isoString])
                }
            }
        }
        let maxSessions = students.map(\.sessions.count).max() ?? 0
        if maxSessions > 0 {
            let days = Self.schoolDays((maxSessions + 1) / 2).map(\.isoString)
            try connection.copyIn("COPY attendance_marks (student_id, session_date, session, code) FROM STDIN") { writer in
                for student in students {
                    let s = id(student.number)
                    for (index, code) in student.sessions.enumerated() {
                        try writer.writeRow([s, days[index / 2], index % 2 == 0 ? "AM" : "PM", code.rawValue])
                    }
                }
            }
        }
        if !support.isEmpty {
            try connection.copyIn(
                "COPY support_records (student_id, provider_id, type, starts_on, ends_on, sessions, hours, amount, funding_source, status) FROM STDIN"
            ) { writer in
                for record in support {
                    try writer.writeRow([
                        id(record.student), String(providerID), record.type, record.startsOn.isoString, record.endsOn?.isoString,
                        record.sessions.map(String.init),
                        record.hours.map { String($0) }, record.pence.map { PoundsAndPenceText.plain($0) }, record.fundingSource, record.status,
                    ])
                }
            }
        }
        return providerID
    }
}

enum PoundsAndPenceText {
    /// 1234 pence → "12.34".
    static func plain(_ pence: Int) -> String { (try! PoundsAndPence(pence: pence)).plainDecimal }
}

extension SyntheticSchool.Support {
    /// The share of this record counted in `term`, by the rule of report_support, written out
    /// independently: nil when the record does not count in the term at all.
    func share(in term: CalendarDateRange) -> Double? {
        guard status == "active" || status == "ended", startsOn <= term.end else { return nil }
        let financial = type == "food_support" || type == "bursary"
        if financial { return term.contains(startsOn) ? 1 : nil }
        guard let endsOn else { return term.contains(startsOn) ? 1 : 0 }
        guard endsOn >= term.start else { return nil }
        let overlap = Swift.min(endsOn, term.end).daysSinceEpoch - Swift.max(startsOn, term.start).daysSinceEpoch + 1
        return Double(overlap) / Double(endsOn.daysSinceEpoch - startsOn.daysSinceEpoch + 1)
    }
}
