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
            // Twelve pupils: every group of the comparison is under 10, so at least one figure is suppressed.
            #expect(text.contains("\"c\""))
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
