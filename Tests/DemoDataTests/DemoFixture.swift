import CSVFormat
import DemoData
import Foundation
import GapTrackDomain

/// Demo data generated once per test run and read back from the CSV files, as the importer
/// would read them: the tests check what the files say, not what the generator meant.
struct GeneratedFiles: Sendable {
    let folder: URL
    let dataSet: DemoDataSet

    /// Generates into `folderName` in the temporary folder (a fresh one unless named).
    init(_ options: DemoOptions, folderName: String? = nil) throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent(folderName ?? "gaptrack-demo-tests-" + UUID().uuidString, isDirectory: true)
        dataSet = try DemoGenerator(options: options).write(to: folder)
    }

    func url(_ provider: DemoProvider, _ file: DemoFile) -> URL {
        folder.appendingPathComponent(provider.code).appendingPathComponent(file.fileName)
    }

    /// Every record of one file.
    func records(_ provider: DemoProvider, _ file: DemoFile) throws -> [CSVRecord] {
        var rows: [CSVRecord] = []
        try CSVRecordReader(path: url(provider, file).path).forEachRecord { rows.append($0) }
        return rows
    }

    /// Calls `body` with each record, without keeping them (for the large attendance file).
    func forEachRecord(_ provider: DemoProvider, _ file: DemoFile, _ body: (CSVRecord) throws -> Void) throws {
        try CSVRecordReader(path: url(provider, file).path).forEachRecord(body)
    }
}

/// The default data set (seed 2024, scale 1), shared by the tests that check its contents.
enum DefaultDemo {
    /// Written to the same folder every run (and replaced), so runs do not pile up copies.
    static let files: Result<GeneratedFiles, any Error> = Result {
        try GeneratedFiles(DemoOptions(), folderName: "gaptrack-demo-tests-default")
    }
    static func get() throws -> GeneratedFiles { try files.get() }

    static let springCensus2025 = CalendarDate(year: 2025, month: 1, day: 16)!
}

extension CSVRecord {
    /// A column that the format requires; a test failure names the line if it is missing.
    func value(_ column: String) throws -> String {
        try requiredValue(column)
    }

    func date(_ column: String) throws -> CalendarDate {
        try CalendarDate(parsing: try requiredValue(column))
    }

    func optionalDate(_ column: String) throws -> CalendarDate? {
        guard let text = optionalValue(column) else { return nil }
        return try CalendarDate(parsing: text)
    }
}

/// A pupil's markers as markers.csv records them, and the DfE definitions applied to them.
struct PupilMarkers {
    var fsm: [FSMSpell] = []
    var spells: [String: [(value: String, start: CalendarDate, end: CalendarDate?)]] = [:]

    func holds(_ marker: String, on day: CalendarDate) -> Bool {
        (spells[marker] ?? []).contains { $0.start <= day && ($0.end.map { day <= $0 } ?? true) }
    }

    func value(of marker: String, on day: CalendarDate) -> String? {
        (spells[marker] ?? []).first { $0.start <= day && ($0.end.map { day <= $0 } ?? true) }?.value
    }

    /// DfE disadvantaged: FSM Ever 6, looked after, or previously looked after.
    func isDisadvantaged(on day: CalendarDate) -> Bool {
        FSMEver6.isEver6(spells: fsm, on: day) || holds("looked_after", on: day) || holds("previously_looked_after", on: day)
    }

    static func read(from files: GeneratedFiles, provider: DemoProvider) throws -> [String: PupilMarkers] {
        var markers: [String: PupilMarkers] = [:]
        for record in try files.records(provider, .markers) {
            let student = try record.value("student")
            let marker = try record.value("marker")
            let start = try record.date("start_date")
            let end = try record.optionalDate("end_date")
            if marker == "fsm" { markers[student, default: PupilMarkers()].fsm.append(try FSMSpell(start: start, end: end)) }
            markers[student, default: PupilMarkers()].spells[marker, default: []]
                .append((record.optionalValue("value") ?? "", start, end))
        }
        return markers
    }
}

/// 20 x (P(O > D) + P(tie)/2 - 1/2): the DfE gap index through the identity in
/// docs/methodology.md §5 (mean rank of O minus mean rank of D = P(O > D) - 1/2), computed here by counting
/// pairs rather than by ranking, so it does not share code with GapStatistics.
func gapIndexByPairs(disadvantaged: [Double], others: [Double]) -> Double {
    let sortedOthers = others.sorted()
    var ahead = 0.0
    for score in disadvantaged {
        let below = lowerBound(sortedOthers, score)
        let notAbove = upperBound(sortedOthers, score)
        ahead += Double(sortedOthers.count - notAbove) + 0.5 * Double(notAbove - below)
    }
    let probability = ahead / (Double(disadvantaged.count) * Double(others.count))
    return 20 * (probability - 0.5)
}

private func lowerBound(_ sorted: [Double], _ value: Double) -> Int {
    var low = 0, high = sorted.count
    while low < high { let mid = (low + high) / 2; if sorted[mid] < value { low = mid + 1 } else { high = mid } }
    return low
}

private func upperBound(_ sorted: [Double], _ value: Double) -> Int {
    var low = 0, high = sorted.count
    while low < high { let mid = (low + high) / 2; if sorted[mid] <= value { low = mid + 1 } else { high = mid } }
    return low
}

func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }
