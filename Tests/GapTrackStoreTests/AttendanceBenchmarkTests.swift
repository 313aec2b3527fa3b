import CSVFormat
import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase
import Testing

/// A million attendance marks: the import against a plain COPY of the same file into an
/// unindexed table with the same columns (what `psql -c "\copy ..."` does), on the same server
/// in the same run. Off by default (it writes 30 MB and takes a few seconds); run it in release:
/// `GAPTRACK_IMPORT_BENCHMARK=1 swift test -c release --filter AttendanceBenchmark`.
@Suite("Attendance import benchmark", .enabled(if: ProcessInfo.processInfo.environment["GAPTRACK_IMPORT_BENCHMARK"] == "1"))
struct AttendanceBenchmarkTests {
    @Test("a million marks, against COPY into an unindexed table")
    func millionMarks() throws {
        let students = 2_632
        let days = 190
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-benchmark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let studentsFile = folder.appendingPathComponent("students.csv")
        try (studentLines(students).joined(separator: "\n") + "\n").write(to: studentsFile, atomically: true, encoding: .utf8)
        let attendanceFile = folder.appendingPathComponent("attendance.csv")
        let writer = try CSVFileWriter(path: attendanceFile.path)
        try writer.writeRow(["student", "date", "session", "code"])
        let codes = Array(repeating: "/", count: 80) + ["L", "L", "I", "I", "I", "M", "C", "O", "N", "G", "U", "E", "V", "B", "#"]
        var date = CalendarDate(year: 2024, month: 9, day: 2)!
        var schoolDays = 0
        var state: UInt64 = 1
        let upns = (0..<students).map(testUPN)
        while schoolDays < days {
            if date.isoWeekday <= 5 {
                for upn in upns {
                    for half in ["AM", "PM"] {
                        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                        var code = codes[Int(state >> 33) % codes.count]
                        if code == "/" && half == "PM" { code = "\\" }
                        try writer.writeRow([upn, date.isoString, half, code])
                    }
                }
                schoolDays += 1
            }
            date = date.adding(days: 1)
        }
        try writer.close()
        let marks = students * days * 2

        try TestDatabase.withMigratedDatabase { connection in
            try addProvider(connection)
            let importer = Importer(connection: connection)
            _ = try importer.importFile(kind: .students, url: studentsFile, provider: "test-school")
            try connection.execute("CHECKPOINT")
            let summary = try importer.importFile(kind: .attendance, url: attendanceFile, provider: "test-school")
            #expect((summary.rowsRead, summary.inserted) == (marks, marks))

            try connection.execute("CHECKPOINT; CREATE TABLE copy_baseline (student text, date date, session text, code text)")
            let clock = ContinuousClock()
            let start = clock.now
            let bytes = try Data(contentsOf: attendanceFile)
            let copied = try connection.copyIn("COPY copy_baseline FROM STDIN (FORMAT csv, HEADER)") { writer in
                try writer.write(bytes)
            }
            let copySeconds = Self.seconds(start.duration(to: clock.now))
            #expect(copied == marks)

            let rerun = try importer.importFile(kind: .attendance, url: attendanceFile, provider: "test-school")
            #expect((rerun.inserted, rerun.updated, rerun.unchanged) == (0, 0, marks))

            print(String(format: "attendance benchmark: %d marks imported in %.3f s (%.0f marks/s); COPY into an unindexed table %.3f s (%.0f rows/s); import rate / COPY rate = %.2f; re-import (no changes) %.3f s",
                         marks, summary.elapsedSeconds, Double(marks) / summary.elapsedSeconds, copySeconds, Double(marks) / copySeconds,
                         copySeconds / summary.elapsedSeconds, rerun.elapsedSeconds))
            for phase in summary.phases { print(String(format: "  %7.3f s  %@", phase.seconds, phase.name)) }
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
