import Foundation
@testable import gaptrack
import GapTrackReports
import Testing

/// `gaptrack report students` and the drill-down sections of `report termly`, run in-process on
/// the small demo school (docs/methodology.md §7.7).
@Suite struct StudentsReportCommandTests {
    static let students = ["report", "students", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer"]

    @Test("report students lists a group's pupils in every format, the same twice over, and --omit-restricted drops restricted records")
    func listsAGroupInEveryFormat() throws {
        try ReportCommandTests.withLoadedDemo { database in
            let json = try GapTrackCommandLine.run(Self.students + ["--group", "disadvantaged", "--format", "json"] + database).joined(separator: "\n")
            let list = try JSONDecoder().decode(StudentDrillDown.self, from: Data(json.utf8))
            #expect(!list.pupils.isEmpty)
            #expect(list.list.group == "disadvantaged" && list.restrictedRecords == .included)
            let first = try #require(list.pupils.first)
            for format in ["table", "csv", "markdown", "html"] {
                let text = try GapTrackCommandLine.run(Self.students + ["--group", "disadvantaged", "--format", format] + database).joined(separator: "\n")
                #expect(text.contains(first.surname) && text.contains(first.identifier), "\(format)")
                #expect(try GapTrackCommandLine.run(Self.students + ["--group", "disadvantaged", "--format", format] + database).joined(separator: "\n") == text)
            }
            // Whoever is looked after is listed for the data lead, and not in the list a staff token would get.
            let lookedAfter = try GapTrackCommandLine.run(Self.students + ["--group", "looked-after", "--format", "json"] + database).joined(separator: "\n")
            let omitted = try GapTrackCommandLine.run(Self.students + ["--group", "looked-after", "--format", "json", "--omit-restricted"] + database)
                .joined(separator: "\n")
            let full = try JSONDecoder().decode(StudentDrillDown.self, from: Data(lookedAfter.utf8))
            let staff = try JSONDecoder().decode(StudentDrillDown.self, from: Data(omitted.utf8))
            #expect(staff.restrictedRecords == .omitted)
            // The small demo's looked-after pupils are in the group only through their restricted markers.
            #expect(!full.pupils.isEmpty && staff.pupils.isEmpty)
            #expect(full.pupils.allSatisfy { $0.markers.contains { $0.hasSuffix("looked_after") } })
            #expect(!staff.pupils.flatMap(\.markers).contains { $0.hasPrefix("looked_after") || $0.hasPrefix("previously_looked_after") })
        }
    }

    @Test("report students --type, --year and mistakes: an unknown group or type is refused with the choices, --term and --year together too")
    func typesYearsAndMistakes() throws {
        try ReportCommandTests.withLoadedDemo { database in
            let base = ["report", "students", "--provider", "demo-academy", "--cohort", "year-11"]
            let year = try GapTrackCommandLine.run(base + ["--year", "2024/25", "--type", "tutoring", "--format", "csv"] + database)
            #expect(year.first?.hasPrefix("provider,cohort,term,list") == true)
            #expect(year.count > 1 && year.dropFirst().allSatisfy { $0.contains("type:tutoring") && $0.contains("Tutoring 20") })
            let group = try #require(GapTrackCommandLine.failureMessage(Self.students + ["--group", "lac"] + database))
            #expect(group.contains("'lac'") && group.contains("looked-after"), "\(group)")
            let type = try #require(GapTrackCommandLine.failureMessage(Self.students + ["--type", "juggling"] + database))
            #expect(type.contains("juggling") && type.contains("tutoring"), "\(type)")
            let both = try #require(GapTrackCommandLine.failureMessage(base + ["--term", "2024/25-summer", "--year", "2024/25"] + database))
            #expect(both.contains("--term or --year"), "\(both)")
            let point = try #require(GapTrackCommandLine.failureMessage(Self.students + ["--before", "maths"] + database))
            #expect(point.contains("maths"), "\(point)")
        }
    }

    @Test("report termly lists the pupils behind small groups and each support type, unless --no-drill-down")
    func termlyDrillDownSections() throws {
        try ReportCommandTests.withLoadedDemo { database in
            let termly = ["report", "termly", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-summer", "--no-impact"]
            let with = try GapTrackCommandLine.run(termly + ["--format", "markdown"] + database).joined(separator: "\n")
            #expect(with.contains("## Pupils behind the figures (staff only)"))
            let without = try GapTrackCommandLine.run(termly + ["--format", "markdown", "--no-drill-down"] + database).joined(separator: "\n")
            #expect(!without.contains("Pupils behind the figures"))
            #expect(with.hasPrefix(without.components(separatedBy: "\n## Trend")[0]), "the sections are added, nothing else changes")
        }
    }
}
