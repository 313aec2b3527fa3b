import Foundation
import Testing
import CSVFormat
#if canImport(Glibc)
import Glibc
#endif

/// Reads a generated 1,000,000-row, 6-column file and reports the time. Off by default (it
/// writes about 60 MB to the temporary folder); run it in release with
/// `GAPTRACK_CSV_BENCHMARK=1 swift test -c release --filter CSVBenchmark`.
@Suite("CSV benchmark", .enabled(if: ProcessInfo.processInfo.environment["GAPTRACK_CSV_BENCHMARK"] == "1"))
struct CSVBenchmark {
    @Test("a million rows of attendance-like data")
    func millionRows() throws {
        let rowCount = 1_000_000
        let file = TemporaryFile(contents: [])
        let writer = try CSVFileWriter(path: file.path)
        try writer.writeRow(["upn", "date", "session", "code", "note", "minutes_late"])
        for index in 0..<rowCount {
            let note = index % 10 == 0 ? "arrived at 9:05, \"bus\" late" : (index % 7 == 0 ? "Zoë's appointment" : "")
            try writer.writeRow(["B801200005001", "2024-09-\(10 + index % 20)", index % 2 == 0 ? "AM" : "PM",
                                 index % 13 == 0 ? "N" : "/", note, String(index % 30)])
        }
        try writer.close()
        let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int ?? 0

        let peakBefore = peakResidentMegabytes()
        let clock = ContinuousClock()
        var count = 0
        var lastLine = 0
        let elapsed = try clock.measure {
            let reader = try CSVReader(path: file.path)
            while let row = try reader.nextRow() {
                count += 1
                lastLine = row.lineNumber
                precondition(row.fields.count == 6)
            }
        }
        let peakAfter = peakResidentMegabytes()
        print("CSV benchmark: \(count) rows, \(size / 1_000_000) MB in \(elapsed); peak memory \(peakBefore) MB before reading, \(peakAfter) MB after")
        #expect(peakAfter - peakBefore < 32, "reading should not hold the file in memory")
        #expect(count == rowCount + 1)
        #expect(lastLine == rowCount + 1)
    }
}

/// The process's peak resident memory so far, in megabytes.
private func peakResidentMegabytes() -> Int {
    #if canImport(Glibc)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) / 1024 // kilobytes on Linux
    #else
    return 0
    #endif
}
