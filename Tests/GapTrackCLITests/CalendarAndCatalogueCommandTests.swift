import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// `gaptrack import calendar`, `calendar show` and `catalogue add|list`, typed as a user would.
@Suite("Calendar and catalogue commands", .serialized)
struct CalendarAndCatalogueCommandTests {
    static func write(_ name: String, _ lines: [String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(name)
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// School days worked by hand: autumn 2 Sep to 20 Dec is 80 weekdays, less the half term
    /// (5), the INSET day and the closure: 73; spring 6 Jan to 4 Apr: 65 weekdays; summer 22 Apr
    /// to 18 Jul: 64 weekdays less the bank holidays of 5 and 26 May: 62. 73 + 65 + 62 = 200.
    @Test("import calendar loads term dates and calendar show counts the school days")
    func calendarImportAndShow() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["provider", "add", "--code", "st-marys", "--name", "St Mary's", "--kind", "school", "--urn", "123456"] + database)
            let file = try Self.write("calendar.csv", [
                "date_from,date_to,kind,description",
                "2024-09-02,2024-12-20,term,Autumn term", "2024-10-28,2024-11-01,holiday,Half term",
                "2024-09-02,,inset,Training", "2024-09-20,,closure,Polling station",
                "2025-01-06,2025-04-04,term,Spring term", "2025-04-22,2025-07-18,term,Summer term",
            ])
            let imported = try GapTrackCommandLine.run(["import", "calendar", file, "--provider", "st-marys"] + database)
            #expect(imported.first?.hasPrefix("calendar.csv: 6 rows read, 6 inserted") == true, "\(imported)")
            let shown = try GapTrackCommandLine.run(["calendar", "show", "--provider", "st-marys", "--year", "2024/25"] + database)
            #expect(shown.contains("  2024-09-20  closure: Polling station"))
            #expect(shown.contains("  2024-12-25  bank holiday: Christmas Day"))
            #expect(shown.contains("  2025-04-14  outside the terms"))
            #expect(shown.contains("  2025-04-18  bank holiday: Good Friday"))
            #expect(shown.last == "200 school days, 400 possible sessions for a pupil on roll all year.")
            let empty = try GapTrackCommandLine.run(["calendar", "show", "--provider", "st-marys", "--year", "2025/26"] + database)
            #expect(empty.contains { $0.hasPrefix("No term dates recorded for 2025/26: the default calendar applies") })
        }
    }

    @Test("catalogue add puts a provider's own support type beside the shared ones; import support accepts it; adding it again is refused")
    func catalogueAddAndList() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["provider", "add", "--code", "st-marys", "--name", "St Mary's", "--kind", "school", "--urn", "123456"] + database)
            let added = try GapTrackCommandLine.run(
                ["catalogue", "add", "--provider", "st-marys", "--kind", "support-type", "--code", "forest_school", "--name", "Forest school"] + database)
            #expect(added == ["Added support-type 'forest_school' (Forest school) to the catalogue of st-marys."])
            let listed = try GapTrackCommandLine.run(["catalogue", "list", "--provider", "st-marys"] + database)
            #expect(listed.contains { $0.hasPrefix("  forest_school") && $0.hasSuffix("Forest school (own)") })
            #expect(listed.contains { $0.hasPrefix("  tutoring") && $0.hasSuffix("(shared)") })
            #expect(GapTrackCommandLine.failureMessage(
                ["catalogue", "add", "--provider", "st-marys", "--kind", "support-type", "--code", "forest_school", "--name", "Again"] + database)?
                .contains("'forest_school' is already one of this provider's own support types") == true)
            #expect(GapTrackCommandLine.failureMessage(
                ["catalogue", "add", "--provider", "st-marys", "--kind", "fund", "--code", "x", "--name", "X"] + database)?
                .contains("'fund' is not a catalogue; expected support-type or funding-source") == true)

            let students = try Self.write("students.csv", studentsCSV)
            _ = try GapTrackCommandLine.run(["import", "students", students, "--provider", "st-marys"] + database)
            let support = try Self.write("support.csv", ["student,type,start_date", "\(Self.upn),forest_school,2025-02-03"])
            let loaded = try GapTrackCommandLine.run(["import", "support", support, "--provider", "st-marys"] + database)
            #expect(loaded.first?.contains("1 inserted") == true, "\(loaded)")
        }
    }

    static let upn = "B801200005001"
    var studentsCSV: [String] {
        ["upn,legal_surname,forename,date_of_birth,academic_year,year_group,start_date", "\(Self.upn),Ash,Ann,2013-01-15,2024/25,7,2024-09-02"]
    }
}
