import Foundation
import GapTrackService
import GapTrackStore
import HummingbirdTesting
import Postgres
import Testing

/// A mark the school calendar or the pupil's on-roll dates rule out is refused by
/// POST /v1/attendance-marks with the message attendance.csv gives (docs/methodology.md §3.3).
@Suite struct SchoolCalendarDoorsTests {
    @Test func marksOnNonSchoolDaysGetTheSameMessagesFromTheImportAndTheAPI() async throws {
        try await MarkAndResultDoorsTests.withService { conninfo, fixture, token, client in
            let base: [(column: String, value: String)] = [
                ("student", fixture.studentA), ("date", "2025-01-06"), ("session", "AM"), ("code", "/"),
            ]
            let expected = [
                "2025-01-11": "2025-01-11 is a Saturday; registers are taken on school days only",
                "2024-12-25": "2024-12-25 is a bank holiday (Christmas Day); registers are taken on school days only",
                "2024-08-12": "2024-08-12 is in August, the summer holiday in gaptrack's default calendar; if the school was open, import its term dates with gaptrack import calendar",
                "2023-10-02": "the pupil has no enrolment in 2023/24, so cannot have a mark on 2023-10-02; import their enrolment for that year first",
            ]
            for (date, message) in expected.sorted(by: { $0.key < $1.key }) {
                let imported = try #require(try CSVDoor.importing(.attendance, CSVDoor.row(base, "date", date), conninfo: conninfo), "\(date) was imported")
                #expect(imported.column == "date")
                #expect(imported.message == message)
                let posted = try await client.call(.post, "/v1/attendance-marks", token: token, json: json([
                    "marks": [["student": fixture.studentA, "date": date, "session": "AM", "code": "/"]],
                ]))
                #expect(posted.status == .unprocessableContent, "\(posted.text)")
                #expect(CSVDoor.problems(posted) == ["marks[0].date": message], "\(date)")
            }
            // A school day is accepted by both.
            #expect(try CSVDoor.importing(.attendance, base, conninfo: conninfo) == nil)
            let posted = try await client.call(.post, "/v1/attendance-marks", token: token, json: json([
                "marks": [["student": fixture.studentA, "date": "2025-01-07", "session": "AM", "code": "/"]],
            ]))
            #expect(posted.status == .ok, "\(posted.text)")
        }
    }
}
