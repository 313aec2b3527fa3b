import CSVFormat
import Foundation
import GapTrackDomain
@testable import GapTrackReports
import GapTrackStore
import Postgres
import TestDatabase
import TestSupport
import Testing

/// A Year 11 of twelve pupils, made to test drill-down (docs/methodology.md §7.7):
///   Able, Ada   FSM and looked after (restricted marker); tutoring, 10 h, £250.00
///   Brook, Ben  looked after only (restricted): disadvantaged only through a restricted record;
///               tutoring recorded as restricted, and a care-experienced transition programme
///               (always restricted)
///   Cole, Cat   FSM; mentoring from 1 May, still going; 10 sessions, 2 missed
///   Dunn, Dev … nine others without markers; Dunn has SEN support
/// Maths: Autumn mock (Able 3, Cole 4), GCSE in the summer (Able 5, Cole 4).
enum DrillDownFixture {
    static let provider: ProviderCode = "drill-school"
    static let summer: AcademicTerm = "2024/25-summer"

    static func load(on connection: PostgresConnection) throws {
        let providerID: Int = try connection.query(
            "INSERT INTO providers (code, name, kind, urn, la_code) VALUES ('drill-school', 'Drill School', 'school', '100777', '801') RETURNING provider_id"
        ).single().decode("provider_id")
        let names = [("Ada", "Able"), ("Ben", "Brook"), ("Cat", "Cole"), ("Dev", "Dunn")] + (5...12).map { ("Pupil", "Other\($0)") }
        var ids = [String: Int]()
        for (index, (forename, surname)) in names.enumerated() {
            let body = "801777705" + String(format: "%03d", index + 1)
            let upn = String(UPN.checkLetter(forCharacters2to13: Array(body))!) + body
            let id: Int = try connection.query(
                """
                INSERT INTO students (provider_id, upn, legal_surname, forename, date_of_birth) VALUES ($1, $2, $3, $4, '2009-03-01')
                RETURNING student_id
                """, [providerID, upn, surname, forename]
            ).single().decode("student_id")
            try connection.query(
                "INSERT INTO enrolments (student_id, academic_year, year_group, start_date) VALUES ($1, '2024/25', '11', '2024-09-02')", [id])
            ids[surname] = id
        }
        func marker(_ surname: String, _ kind: String, _ value: String? = nil) throws {
            try connection.query(
                "INSERT INTO student_markers (student_id, marker, value, starts_on, source) VALUES ($1, $2::marker_kind, $3, '2022-09-01', 'spell')",
                [ids[surname]!, kind, value])
        }
        try marker("Able", "fsm")
        try marker("Able", "looked_after")
        try marker("Brook", "looked_after")
        try marker("Cole", "fsm")
        try marker("Dunn", "sen", "K")
        func support(_ surname: String, _ type: String, _ from: String, _ to: String?, hours: Int?, amount: String?, restricted: Bool = false) throws {
            try connection.query(
                """
                INSERT INTO support_records (student_id, provider_id, type, starts_on, ends_on, hours, amount, funding_source, restricted)
                VALUES ($1, $2, $3, $4::date, $5::date, $6, $7::numeric, 'pupil_premium', $8)
                """, [ids[surname]!, providerID, type, from, to, hours, amount, restricted])
        }
        try support("Able", "tutoring", "2025-04-07", "2025-06-27", hours: 10, amount: "250.00")
        try support("Brook", "tutoring", "2025-04-07", "2025-06-27", hours: 8, amount: "200.00", restricted: true)
        try support("Brook", "care_experienced_transition", "2025-04-10", nil, hours: 6, amount: nil)
        try support("Cole", "mentoring", "2025-05-01", nil, hours: 4, amount: "80.00")
        for day in 1...5 {
            let date = String(format: "2025-05-%02d", day + 4)
            try connection.query(
                "INSERT INTO attendance_marks (student_id, session_date, session, code) VALUES ($1, $2::date, 'AM', '/'), ($1, $2::date, 'PM', $3::attendance_code)",
                [ids["Cole"]!, date, day <= 2 ? "N" : "/"])
        }
        for (term, name, scores) in [("autumn", "Autumn mock", ["Able": 3, "Cole": 4]), ("summer", "GCSE", ["Able": 5, "Cole": 4])] {
            let point: Int = try connection.query(
                """
                INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term)
                VALUES ($1, 'maths', $2, 'gcse', '2024/25', $3::term_name) RETURNING assessment_point_id
                """, [providerID, name, term]
            ).single().decode("assessment_point_id")
            for (surname, score) in scores {
                try connection.query(
                    """
                    INSERT INTO assessment_results (assessment_point_id, scale, student_id, score, result_text, assessed_on)
                    VALUES ($1, 'gcse', $2, $3, $4, $5::date)
                    """, [point, ids[surname]!, score, String(score), term == "autumn" ? "2024-11-20" : "2025-06-10"])
            }
        }
    }

    static func request(group: ReportGroup? = nil, type: String? = nil) -> StudentDrillDownRequest {
        StudentDrillDownRequest(provider: provider, cohort: "year-11", term: summer, group: group, type: type)
    }

    static let dataLead = DrillDownAccess(audience: .staff, restrictedRecords: .included)
}

@Suite struct DrillDownTests {
    @Test func aDataLeadsListHoldsRestrictedRecords() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try DrillDownFixture.load(on: connection)
            let queries = StudentDrillDownQueries(connection: connection)
            let lookedAfter = try queries.drillDown(DrillDownFixture.request(group: .lookedAfter), access: DrillDownFixture.dataLead)
            #expect(lookedAfter.pupils.map(\.name) == ["Able, Ada", "Brook, Ben"])
            #expect(lookedAfter.pupils.allSatisfy { $0.markers.contains("looked_after") })
            let tutoring = try queries.drillDown(DrillDownFixture.request(type: "tuition"), access: DrillDownFixture.dataLead)
            #expect(tutoring.list.type == "tutoring", "a staff spelling is read as the type")
            #expect(tutoring.pupils.map(\.name) == ["Able, Ada", "Brook, Ben"])
            let disadvantaged = try queries.drillDown(DrillDownFixture.request(group: .disadvantaged), access: DrillDownFixture.dataLead)
            #expect(disadvantaged.pupils.map(\.name) == ["Able, Ada", "Brook, Ben", "Cole, Cat"])
        }
    }

    @Test func aStaffListLeavesRestrictedRecordsOutWithoutChangingAnyFigure() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try DrillDownFixture.load(on: connection)
            let termly = TermlyReportQueries(connection: connection)
            let before = try TermlyReportQueries.$snapshotCache.withValue(.off) {
                try termly.report(provider: DrillDownFixture.provider, cohort: "year-11", term: DrillDownFixture.summer)
            }
            let queries = StudentDrillDownQueries(connection: connection)
            let staff = DrillDownAccess(audience: .staff, restrictedRecords: .omitted)
            func names(_ group: ReportGroup? = nil, type: String? = nil) throws -> [String] {
                try queries.drillDown(DrillDownFixture.request(group: group, type: type), access: staff).pupils.map(\.name)
            }
            // Brook is disadvantaged only because he is looked after: in neither list for staff.
            let lookedAfter = try queries.drillDown(DrillDownFixture.request(group: .lookedAfter), access: staff)
            #expect(lookedAfter.pupils.isEmpty)
            #expect(lookedAfter.notes.contains { $0.contains("counts 2 pupils") })
            #expect(try names(.disadvantaged) == ["Able, Ada", "Cole, Cat"])
            let others = try names(.others)
            #expect(others.count == 9 && !others.contains("Brook, Ben"))
            #expect(try names() .count == 12, "the whole cohort is listed: being in it rests on no restricted record")
            // Able stays, without the restricted marker; restricted support is gone, and with it Brook.
            let able = try #require(try queries.drillDown(DrillDownFixture.request(group: .fsmEver6), access: staff).pupils.first)
            #expect(able.markers == ["fsm"])
            #expect(try names(type: "tutoring") == ["Able, Ada"])
            #expect(try names(type: "care_experienced_transition").isEmpty)
            let cohort = try queries.drillDown(DrillDownFixture.request(), access: staff)
            #expect(!cohort.pupils.flatMap(\.markers).contains { $0.hasPrefix("looked_after") })
            #expect(!cohort.pupils.flatMap(\.support).contains { $0.type == "care_experienced_transition" || $0.spend?.pence == 20_000 })

            // No figure of the report moves: the drill-down reads the cohort in a snapshot of its own.
            var after = try TermlyReportQueries.$snapshotCache.withValue(.off) {
                try termly.report(provider: DrillDownFixture.provider, cohort: "year-11", term: DrillDownFixture.summer)
            }
            after.drillDown = try queries.sections(for: after, access: .staffReport)
            #expect(after.drillDown?.isEmpty == false)
            after.drillDown = nil
            #expect(after == before)
        }
    }

    @Test func eachPupilHasTheirOwnSupportAttendanceAndResults() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try DrillDownFixture.load(on: connection)
            let list = try StudentDrillDownQueries(connection: connection)
                .drillDown(DrillDownFixture.request(group: .fsmEver6), access: DrillDownFixture.dataLead)
            let able = try #require(list.pupils.first { $0.surname == "Able" })
            let cole = try #require(list.pupils.first { $0.surname == "Cole" })
            #expect(able.support == [DrillDownSupport(
                type: "tutoring", typeLabel: "Tutoring", startsOn: CalendarDate(year: 2025, month: 4, day: 7)!,
                endsOn: CalendarDate(year: 2025, month: 6, day: 27)!, hours: 10, sessions: nil, spend: try PoundsAndPence(pounds: 250),
                fundingSource: "pupil_premium", fundingLabel: "Pupil premium", reference: nil)])
            // Ten possible sessions, two missed: attendance 8/10 = 80.0%, persistently absent (2 × 10 ≥ 10).
            let attendance = try #require(cole.attendance)
            #expect(attendance.possibleSessions == 10 && attendance.absentSessions == 2 && attendance.attendancePercent == 80 && attendance.persistentlyAbsent)
            #expect(cole.attendance?.text == "80.0% (PA)")
            #expect(able.attendance == nil, "no marks, no attendance figure")
            // Entry: the year's first maths assessment; exit: the latest up to the summer.
            #expect(able.results.map(\.text) == ["maths 3 → 5"])
            #expect(able.results.first?.entry?.assessment == "Autumn mock" && able.results.first?.exit?.assessment == "GCSE")
            #expect(cole.results.map(\.text) == ["maths 4 → 4"])
            #expect(cole.support.first?.dates == "from 2025-05-01")

            // Named points, as `report impact` takes them.
            var named = DrillDownFixture.request(group: .fsmEver6)
            named.before = try AssessmentPointSelector(parsing: "maths@2024/25-autumn")
            named.after = try AssessmentPointSelector(parsing: "Maths:gcse@2024/25-summer")
            let pairs = try StudentDrillDownQueries(connection: connection).drillDown(named, access: DrillDownFixture.dataLead)
            #expect(pairs.pupils.map { $0.results.map(\.text) } == [["maths 3 → 5"], ["maths 4 → 4"]])
            #expect(pairs.resultsRule.contains("maths, 2024/25 autumn"))
        }
    }

    @Test func everyFormatListsThePupilsAndNoGovernorsOrPublicReportHasAny() throws {
        try TestDatabase.withMigratedDatabase { connection in
            try DrillDownFixture.load(on: connection)
            let queries = StudentDrillDownQueries(connection: connection)
            let list = try queries.drillDown(DrillDownFixture.request(type: "mentoring"), access: DrillDownFixture.dataLead)
            for format in ReportFormat.allCases {
                let text = try format.render(list)
                #expect(text.contains("Cole") && text.contains("Cat") && text.contains(list.pupils[0].upn!), "\(format)")
                #expect(try format.render(queries.drillDown(DrillDownFixture.request(type: "mentoring"), access: DrillDownFixture.dataLead)) == text,
                        "\(format): the same data, the same bytes")
            }
            let csv = try CSVReader(string: try ReportFormat.csv.render(list)).readAll()
            #expect(csv.map(\.fields.count) == [DrillDownRenderers.csvHeader.count, DrillDownRenderers.csvHeader.count])
            #expect(csv[1].fields[9...12] == ["10", "2", "80", "yes"])
            #expect(try JSONDecoder().decode(StudentDrillDown.self, from: Data(try ReportFormat.json.render(list).utf8)) == list)

            var report = try TermlyReportQueries(connection: connection)
                .report(provider: DrillDownFixture.provider, cohort: "year-11", term: DrillDownFixture.summer)
            report.drillDown = try queries.sections(for: report, access: .staffReport)
            let lists = try #require(report.drillDown)
            // Groups under 10 the report shows (disadvantaged 3, others 9, FSM 2, FSM Ever 6 2, looked after 2, SEN 1), then each
            // type delivered; never the whole cohort of 12.
            #expect(lists.map(\.list.id).contains("group:fsm_ever_6") && lists.map(\.list.id).contains("type:mentoring"))
            #expect(lists.map(\.list.id).contains("group:others") && !lists.map(\.list.id).contains("group:cohort"))
            for format in ReportFormat.allCases {
                #expect(try format.render(report).contains("Cole"), "\(format): a staff report lists the pupils")
            }
            #expect(try JSONReportRenderer.decode(try JSONReportRenderer.render(report)).drillDown == lists)

            for audience in [ReportAudience.governors, .public] {
                let access = DrillDownAccess(audience: audience, restrictedRecords: .included)
                #expect(throws: DrillDownError.notForAudience(audience)) { try queries.drillDown(DrillDownFixture.request(), access: access) }
                var governors = report
                governors.drillDown = try queries.sections(for: report, access: access)
                #expect(governors.drillDown == nil)
                for format in ReportFormat.allCases {
                    let text = try format.render(governors)
                    for surname in ["Able", "Brook", "Cole", "Dunn", "Other5"] { #expect(!text.contains(surname), "\(audience) \(format)") }
                }
                #expect(!(try JSONReportRenderer.render(governors)).contains("drillDown"))
            }
        }
    }
}
