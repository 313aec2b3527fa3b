import DemoData
import Foundation
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// `gaptrack demo generate` and `gaptrack demo load`, on a small demo (one Year 11 of a dozen
/// pupils, three days of registers, a dozen students per university intake).
@Suite("gaptrack demo", .serialized)
struct DemoCommandTests {
    static let smallDemo = ["--cohort-size", "12", "--year-groups", "11", "--no-leavers", "--attendance-days", "3"]
    static var smallDemoOptions: DemoOptions {
        DemoOptions(cohortSize: 12, yearGroups: [11], includeLeavers: false, attendanceDays: 3)
    }

    static func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-cli-tests-" + UUID().uuidString, isDirectory: true)
    }

    @Test("demo generate writes the same files as the generator, and says how many rows each has")
    func generate() throws {
        let folder = Self.temporaryFolder()
        let reference = Self.temporaryFolder()
        defer {
            try? FileManager.default.removeItem(at: folder)
            try? FileManager.default.removeItem(at: reference)
        }
        let output = try GapTrackCommandLine.run(["demo", "generate", "--out", folder.path] + Self.smallDemo)
        let expected = try DemoGenerator(options: Self.smallDemoOptions).write(to: reference)
        #expect(expected.providers.map(\.provider.code) == ["demo-academy", "demo-university"])
        for provider in expected.providers {
            #expect(output.contains { $0.hasPrefix("  \(provider.provider.code) (\(provider.provider.name), \(provider.studentCount) ") })
            for file in provider.files {
                let written = folder.appendingPathComponent(provider.provider.code).appendingPathComponent(file.file.fileName)
                #expect(try Data(contentsOf: written) == Data(contentsOf: file.url), "\(provider.provider.code)/\(file.file.fileName)")
                #expect(output.contains { $0.hasPrefix("    \(file.file.fileName) ") && $0.hasSuffix(" \(ImportSummary.grouped(file.rowCount)) rows") })
            }
        }
    }

    @Test("demo generate refuses an option out of range with the option's rule")
    func generateRefusesBadOption() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let message = try #require(GapTrackCommandLine.failureMessage(["demo", "generate", "--out", folder.path, "--attendance-days", "400"]))
        #expect(message.contains("--attendance-days"))
        #expect(message.contains("400"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("demo-academy/students.csv").path))
    }

    @Test("demo generate --only writes one provider's files; --only takes school or university, in any case")
    func generateOnly() throws {
        let folder = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try GapTrackCommandLine.run(["demo", "generate", "--out", folder.path, "--only", "University"] + Self.smallDemo)
        #expect(output.contains("  demo-university (Demo University, 60 students)"))
        #expect(!output.contains { $0.contains("demo-academy") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["demo-university"])

        let message = GapTrackCommandLine.failureMessage(["demo", "generate", "--out", folder.path, "--only", "college"])
        #expect(message == "The value 'college' is invalid for '--only <only>': "
            + DemoDataError.invalidOption(name: "--only", value: "college", expected: "school or university").description)
    }

    /// What the demo put in the database, counted per provider.
    struct Loaded: Equatable {
        var students: Int
        var studentsWithoutEnrolment: Int
        var enrolments: Int
        var markers: Int
        var assessments: Int
        var support: Int
        var attendanceMarks: Int
    }

    static func loaded(_ code: String, on connection: PostgresConnection) throws -> Loaded {
        let row = try connection.query(
            """
            SELECT (SELECT count(*)::int FROM students s WHERE s.provider_id = p.provider_id) AS students,
                   (SELECT count(*)::int FROM students s WHERE s.provider_id = p.provider_id
                       AND NOT EXISTS (SELECT 1 FROM enrolments e WHERE e.student_id = s.student_id)
                       AND NOT EXISTS (SELECT 1 FROM he_instances h WHERE h.student_id = s.student_id)) AS unenrolled,
                   (SELECT count(*)::int FROM enrolments e JOIN students s USING (student_id) WHERE s.provider_id = p.provider_id) AS enrolments,
                   (SELECT count(*)::int FROM student_markers m JOIN students s USING (student_id) WHERE s.provider_id = p.provider_id) AS markers,
                   (SELECT count(*)::int FROM assessment_results r JOIN students s USING (student_id) WHERE s.provider_id = p.provider_id) AS assessments,
                   (SELECT count(*)::int FROM support_records r JOIN students s USING (student_id) WHERE s.provider_id = p.provider_id) AS support,
                   (SELECT count(*)::int FROM attendance_marks a JOIN students s USING (student_id) WHERE s.provider_id = p.provider_id) AS marks
            FROM providers p WHERE p.code = $1
            """, [code]).single()
        return Loaded(
            students: try row.decode("students"), studentsWithoutEnrolment: try row.decode("unenrolled"),
            enrolments: try row.decode("enrolments"), markers: try row.decode("markers"), assessments: try row.decode("assessments"),
            support: try row.decode("support"), attendanceMarks: try row.decode("marks"))
    }

    /// One ledger row: which file, and what became of its rows.
    struct LedgerEntry: Equatable {
        var fileName: String
        var rowsRead: Int
        var inserted: Int
        var updated: Int
    }

    static func ledger(_ code: String, on connection: PostgresConnection) throws -> [LedgerEntry] {
        try connection.query(
            """
            SELECT i.file_name, i.rows_read, i.rows_inserted, i.rows_updated
            FROM imports i JOIN providers p USING (provider_id) WHERE p.code = $1 ORDER BY i.import_id
            """, [code]
        ).rows.map { row in
            LedgerEntry(fileName: try row.decode("file_name"), rowsRead: try row.decode("rows_read"),
                        inserted: try row.decode("rows_inserted"), updated: try row.decode("rows_updated"))
        }
    }

    @Test("demo load adds both providers and imports every file; loading it again changes nothing")
    func load() throws {
        let reference = Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: reference) }
        let expected = try DemoGenerator(options: Self.smallDemoOptions).write(to: reference)
        try TestDatabase.withMigratedDatabase { connection in
            let arguments = ["demo", "load"] + Self.smallDemo + CommandTests.databaseOption(connection)
            let first = try GapTrackCommandLine.run(arguments)
            #expect(first.contains("  demo-academy: added the provider"))
            #expect(first.contains("  demo-university: added the provider"))

            let providers = try Providers(connection: connection).list()
            #expect(providers.map(\.code) == ["demo-academy", "demo-university"])
            #expect(providers.map(\.kind) == [.school, .university])
            #expect(providers.first?.urn?.value == DemoProvider.academy.urn)
            #expect(providers.last?.ukprn?.value == DemoProvider.university.ukprn)

            var firstLoad: [String: Loaded] = [:]
            for generated in expected.providers {
                let code = generated.provider.code
                let loaded = try Self.loaded(code, on: connection)
                firstLoad[code] = loaded
                #expect(loaded.students == generated.studentCount, "\(code)")
                #expect(loaded.studentsWithoutEnrolment == 0, "\(code)")
                #expect(loaded.enrolments > 0, "\(code)")
                #expect(loaded.markers > 0, "\(code)")
                #expect(loaded.assessments > 0, "\(code)")
                // Every file is in the ledger once, with every row read and none updated; the school's
                // form groups (forms.csv, SchoolFormGroups) follow as a students import that only
                // updates the enrolments with their forms.
                let forms = code == DemoProvider.academy.code ? 1 : 0
                let ledger = try Self.ledger(code, on: connection)
                let files = Array(ledger.prefix(generated.files.count))
                #expect(files.map(\.fileName) == generated.files.map(\.file.fileName), "\(code)")
                #expect(files.map(\.rowsRead) == generated.files.map(\.rowCount), "\(code)")
                #expect(files.allSatisfy { $0.updated == 0 && $0.inserted > 0 }, "\(code)")
                #expect(ledger.count == generated.files.count + forms, "\(code)")
                if forms == 1, let form = ledger.last {
                    #expect(form.fileName == SchoolFormGroups.fileName)
                    #expect(form.rowsRead == generated.files.first { $0.file == .students }?.rowCount)
                }
                let attendanceRows = generated.files.first { $0.file == .attendance }?.rowCount ?? 0
                #expect(loaded.attendanceMarks == attendanceRows, "\(code)")
            }
            // 12 pupils in Year 11 on 3 days, two sessions a day.
            #expect(firstLoad["demo-academy"]?.attendanceMarks == 12 * 3 * 2)
            // --year-groups 11: this year's pupils are all in Year 11 (last year, in Year 10).
            let yearGroups: [String] = try connection.query(
                """
                SELECT e.academic_year || ' ' || e.year_group AS enrolled FROM enrolments e JOIN students s USING (student_id)
                JOIN providers p ON p.provider_id = s.provider_id WHERE p.code = 'demo-academy' GROUP BY 1 ORDER BY 1
                """).rows.map { try $0.decode("enrolled") }
            #expect(yearGroups == ["2023/24 10", "2024/25 11"])

            let second = try GapTrackCommandLine.run(arguments)
            #expect(second.contains("  demo-academy: provider already present"))
            #expect(second.contains("  demo-university: provider already present"))
            for generated in expected.providers {
                let code = generated.provider.code
                #expect(try Self.loaded(code, on: connection) == firstLoad[code], "\(code)")
                let ledger = try Self.ledger(code, on: connection)
                let again = ledger.dropFirst(generated.files.count + (code == DemoProvider.academy.code ? 1 : 0))
                #expect(again.allSatisfy { $0.inserted == 0 && $0.updated == 0 }, "\(code)")
            }
            #expect(try Providers(connection: connection).list().count == 2)
        }
    }

    @Test("demo load refuses a database where the demo's provider code is another kind of provider")
    func loadRefusesProviderOfAnotherKind() throws {
        try TestDatabase.withMigratedDatabase { connection in
            let database = CommandTests.databaseOption(connection)
            _ = try GapTrackCommandLine.run(
                ["provider", "add", "--code", "demo-academy", "--name", "Not a school", "--kind", "university", "--ukprn", "10000001"] + database)
            let message = try #require(GapTrackCommandLine.failureMessage(["demo", "load", "--only", "school"] + Self.smallDemo + database))
            #expect(message.contains("a provider with code 'demo-academy' already exists as a university, but the demo's 'demo-academy' is a school"))
            #expect(try connection.query("SELECT count(*)::int AS n FROM students").single().decode("n", as: Int.self) == 0)
        }
    }
}
