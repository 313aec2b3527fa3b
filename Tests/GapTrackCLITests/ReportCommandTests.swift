import Foundation
import GapTrackDomain
import Postgres
import TestDatabase
import Testing

/// `gaptrack report termly` on a small loaded demo: the file it writes, and the messages for
/// mistyped arguments.
@Suite("gaptrack report termly", .serialized)
struct ReportCommandTests {
    /// Loads the small demo into a fresh database and runs `body` with its --database option.
    static func withLoadedDemo(_ body: ([String]) throws -> Void) throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load", "--only", "school"] + DemoCommandTests.smallDemo + database)
            try body(database)
        }
    }

    static let termly = ["report", "termly", "--provider", "demo-academy", "--cohort", "year-11", "--term", "2024/25-autumn", "--no-impact"]

    @Test("report termly --format json --output FILE writes the report as JSON, the same twice over")
    func termlyJSONToFile() throws {
        let folder = DemoCommandTests.temporaryFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("report.json")
        try Self.withLoadedDemo { database in
            let printed = try GapTrackCommandLine.run(Self.termly + ["--format", "json", "--output", file.path] + database)
            #expect(printed.isEmpty)
            let bytes = try Data(contentsOf: file)
            let json = try #require(try JSONSerialization.jsonObject(with: bytes) as? [String: Any])
            let text = String(decoding: bytes, as: UTF8.self)
            // The report names whose it is, the cohort and the term it was asked for.
            #expect(text.contains("\"demo-academy\""))
            #expect(text.contains("\"year-11\""))
            #expect(text.contains("\"2024/25-autumn\""))
            #expect(!json.isEmpty)
            // Twelve pupils: the staff report (the default) shows every group and marks those under 10.
            #expect(text.contains("\"audience\" : \"staff\""))
            #expect(text.contains("\"treatWithCare\" : true"))
            #expect(!text.contains("\"suppressed\" : \"c\""))
            #expect(text.contains("12"))

            // Asked again (from the stored data) and computed afresh, byte for byte the same.
            let again = folder.appendingPathComponent("again.json")
            _ = try GapTrackCommandLine.run(Self.termly + ["--format", "json", "--output", again.path] + database)
            #expect(try Data(contentsOf: again) == bytes)
            let recomputed = folder.appendingPathComponent("recomputed.json")
            _ = try GapTrackCommandLine.run(Self.termly + ["--format", "json", "--output", recomputed.path, "--recompute"] + database)
            #expect(try Data(contentsOf: recomputed) == bytes)
        }
    }

    @Test("--audience governors withholds what staff see, each audience is stored under its own key, and a mistyped audience is refused")
    func audiences() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(["demo", "load", "--only", "school"] + DemoCommandTests.smallDemo + database)
            func report(_ extra: [String]) throws -> String {
                try GapTrackCommandLine.run(Self.termly + extra + database).joined(separator: "\n")
            }
            let staff = try report(["--format", "json"])
            let governors = try report(["--format", "json", "--audience", "governors"])
            let publicReport = try report(["--format", "json", "--audience", "public"])
            #expect(staff.contains("\"audience\" : \"staff\"") && !staff.contains("\"suppressed\" : \"c\""))
            #expect(governors.contains("\"audience\" : \"governors\"") && governors.contains("\"suppressed\" : \"c\""))
            #expect(!governors.contains("treatWithCare"))
            #expect(publicReport.contains("\"audience\" : \"public\""))
            // Asked again, each from its own stored entry: the same bytes.
            #expect(try report(["--format", "json", "--audience", "governors"]) == governors)
            #expect(try report(["--audience", "governors"]).contains("Audience: governors."))
            let audiences: [String] = try connection.query("SELECT DISTINCT audience FROM report_snapshots ORDER BY audience").rows.map { try $0.decode("audience") }
            #expect(audiences == ["governors", "public", "staff"])

            let error = try #require(GapTrackCommandLine.failureMessage(Self.termly + ["--audience", "parents"] + database))
            #expect(error.contains("'parents' is not an audience; use staff"), "\(error)")
        }
    }

    @Test("a mistyped --term, --cohort or --provider is refused with a message naming the value, and no file is written")
    func mistypedArguments() throws {
        let folder = DemoCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("report.json")
        try Self.withLoadedDemo { database in
            func failure(replacing option: String, with value: String) throws -> String {
                var arguments = Self.termly
                let index = try #require(arguments.firstIndex(of: option))
                arguments[index + 1] = value
                return try #require(GapTrackCommandLine.failureMessage(arguments + ["--format", "json", "--output", file.path] + database))
            }
            let term = try failure(replacing: "--term", with: "2024-autumn")
            #expect(term.contains(AcademicYearError.unrecognisedTermFormat("2024-autumn").description))

            let cohort = try failure(replacing: "--cohort", with: "year-19")
            #expect(cohort.contains("'year-19'"))
            #expect(cohort.contains("cohort") || cohort.contains("year group"))

            let provider = try failure(replacing: "--provider", with: "St Marys!")
            #expect(provider.contains("'St Marys!'"))
            #expect(provider.contains("provider"))
        }
        #expect(!FileManager.default.fileExists(atPath: file.path))
    }
}
