import CSVFormat
import Foundation

/// One import file being written: a header, then rows streamed to disk through a buffered
/// `CSVFileWriter`, counted as they go.
final class DemoFileWriter {
    let file: DemoFile
    let url: URL
    private let writer: CSVFileWriter
    private(set) var rowCount = 0

    init(_ file: DemoFile, in folder: URL, header: [String]) throws(DemoDataError) {
        self.file = file
        url = folder.appendingPathComponent(file.fileName)
        do {
            writer = try CSVFileWriter(path: url.path)
            try writer.writeRow(header)
        } catch {
            throw .writeFailed(error)
        }
    }

    func write(_ fields: [String]) throws(DemoDataError) {
        do { try writer.writeRow(fields) } catch { throw .writeFailed(error) }
        rowCount += 1
    }

    func close() throws(DemoDataError) -> GeneratedFile {
        do { try writer.close() } catch { throw .writeFailed(error) }
        return GeneratedFile(file: file, url: url, rowCount: rowCount)
    }

    /// Creates `folder` (and its parents) if needed.
    static func makeFolder(_ folder: URL) throws(DemoDataError) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            var reason = error.localizedDescription
            while reason.hasSuffix(".") { reason.removeLast() }
            throw .cannotCreateFolder(path: folder.path, reason: reason)
        }
    }
}

/// Column headers, as docs/import-formats.md names them.
enum DemoHeaders {
    static let schoolStudents = ["upn", "legal_surname", "forename", "date_of_birth", "gender", "ethnicity",
                                 "academic_year", "year_group", "start_date", "leave_date", "leave_reason"]
    static let universityStudents = ["hesa_id", "institution_id", "uln", "legal_surname", "forename", "date_of_birth",
                                     "gender", "ethnicity", "academic_year", "course", "start_date", "leave_date",
                                     "leave_reason"]
    static let markers = ["student", "marker", "value", "start_date", "end_date"]
    static let attendance = ["student", "date", "session", "code"]
    static let assessments = ["student", "subject", "assessment", "scale", "academic_year", "term", "date", "result"]
    static let support = ["reference", "student", "type", "start_date", "end_date", "hours", "sessions", "amount",
                          "funding_source", "staff", "intended_outcome", "status", "review_date"]
    /// The school's support.csv also names each record's target (docs/methodology.md §6.6).
    static let schoolSupport = support + ["target"]
}

/// A file the generator wrote.
public struct GeneratedFile: Sendable, Hashable {
    public let file: DemoFile
    public let url: URL
    /// Data rows, not counting the header.
    public let rowCount: Int
}

/// The files written for one provider, in import order.
public struct GeneratedProvider: Sendable, Hashable {
    public let provider: DemoProvider
    public let folder: URL
    public let files: [GeneratedFile]
    /// Students generated (each may have several enrolment rows).
    public let studentCount: Int

    public func file(_ kind: DemoFile) -> GeneratedFile? { files.first { $0.file == kind } }
}

/// Everything one run of the generator wrote.
public struct DemoDataSet: Sendable, Hashable {
    public let options: DemoOptions
    public let folder: URL
    public let providers: [GeneratedProvider]
}
