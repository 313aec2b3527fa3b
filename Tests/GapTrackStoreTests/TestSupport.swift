import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import TestDatabase

/// A valid UPN for a test pupil: LA 801, establishment 2000 + serial / 1000, year 24.
func testUPN(_ serial: Int) -> String {
    let body = "801" + String(format: "%04d", 2000 + serial / 1000) + "24" + String(format: "%03d", serial % 1000)
    return String(UPN.checkLetter(forCharacters2to13: Array(body))!) + body
}

/// The same UPN with its check letter replaced by a wrong one.
func upnWithWrongCheckLetter(_ serial: Int) -> String {
    let good = testUPN(serial)
    let wrong: Character = good.first == "A" ? "B" : "A"
    return String(wrong) + good.dropFirst()
}

/// A valid ULN: nine digits then the check digit (weights 10..2, check = 10 - sum mod 11).
func testULN(_ seed: Int) -> String {
    var candidate = 100_000_000 + seed * 7
    while true {
        let digits = String(candidate).compactMap(\.wholeNumberValue)
        let sum = zip(digits, stride(from: 10, through: 2, by: -1)).map(*).reduce(0, +)
        let remainder = sum % 11
        if remainder != 0 { return String(candidate) + String(10 - remainder) }
        candidate += 1
    }
}

/// Writes CSV text to a new temporary file and returns its URL; the name is kept (`students.csv`)
/// inside a fresh folder so that error messages can be checked.
func writeCSV(_ name: String, _ lines: [String]) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-store-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
    return url
}

/// Stores a provider and returns its code.
@discardableResult
func addProvider(_ connection: PostgresConnection, code: String = "test-school", kind: ProviderKind = .school) throws -> Provider {
    let stable = code.utf8.reduce(7) { ($0 &* 31 &+ Int($1)) % 899_999 }
    let urn = URN?.some(try URN(String(100_000 + stable)))
    let ukprn = kind == .school ? nil : try UKPRN("1" + String(format: "%07d", stable))
    return try Providers(connection: connection).create(
        Provider(code: code, name: "Test \(kind)", kind: kind, urn: kind == .university ? nil : urn, ukprn: ukprn, laCode: kind == .school ? "801" : nil))
}

/// students.csv lines for `count` pupils in year 7, 2024/25, serials from `first`.
func studentLines(_ count: Int, first: Int = 0, extraHeader: String = "", extra: (Int) -> String = { _ in "" }) -> [String] {
    ["upn,legal_surname,forename,date_of_birth,gender,academic_year,year_group,start_date" + extraHeader]
        + (first..<first + count).map { serial in
            "\(testUPN(serial)),Surname\(serial),Forename\(serial),2013-0\(1 + serial % 9)-15,\(serial % 2 == 0 ? "F" : "M"),2024/25,7,2024-09-02" + extra(serial)
        }
}

func count(_ connection: PostgresConnection, _ table: String) throws -> Int {
    try connection.query("SELECT count(*) AS n FROM \(table)").single().decode("n")
}

extension Importer {
    /// Imports and returns the summary, for tests that expect success.
    func load(_ kind: ImportKind, _ url: URL, provider: String = "test-school", options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        try importFile(kind: kind, url: url, provider: try ProviderCode(parsing: provider), options: options)
    }

    /// Imports a file that must be rejected, and returns the row errors.
    func rejected(_ kind: ImportKind, _ url: URL, provider: String = "test-school",
                  options: ImportOptions = ImportOptions(maxErrorsShown: 1000)) throws -> [RowError] {
        do {
            _ = try importFile(kind: kind, url: url, provider: try ProviderCode(parsing: provider), options: options)
        } catch ImportError.invalidRows(_, let shown, _, _, _) {
            return shown
        }
        throw TestFailure("the import of \(url.lastPathComponent) succeeded but should have been rejected")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A whole-database fingerprint of the tables imports write, to prove a failed import wrote nothing.
func databaseFingerprint(_ connection: PostgresConnection) throws -> String {
    let tables = ["imports", "students", "enrolments", "student_markers", "attendance_marks", "attendance_mark_history",
                  "assessment_points", "assessment_results", "support_records"]
    return try tables.map { table in
        let row = try connection.query("SELECT count(*) AS n, coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') AS h FROM \(table) t").single()
        return "\(table)=\(try row.decode("n") as Int):\(try row.decode("h") as String)"
    }.joined(separator: " ")
}
