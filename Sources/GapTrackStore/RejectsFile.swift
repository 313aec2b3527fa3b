import CSVFormat
import Foundation

/// With `--skip-invalid`: the rejected rows, exactly as they were in the file, after two columns
/// saying where they came from and why they were rejected. A data lead can correct the rows in
/// a spreadsheet, delete the two extra columns and import the rejects file on its own.
enum RejectsFile {
    static func write(source: URL, errors: RowErrors, to destination: URL) throws {
        var reasons: [Int: [String]] = [:]
        for error in errors.sorted {
            let reason = error.column.map { "column '\($0)': \(error.message)" } ?? error.message
            reasons[error.line, default: []].append(reason)
        }
        let reader = try CSVReader(path: source.path)
        let writer = try CSVFileWriter(path: destination.path)
        if let header = try reader.nextRow() {
            try writer.writeRow(["rejected_line", "rejected_because"] + header.fields)
        }
        var remaining = reasons.count
        while remaining > 0, let row = try reader.nextRow() {
            guard let rowReasons = reasons[row.lineNumber] else { continue }
            try writer.writeRow([String(row.lineNumber), rowReasons.joined(separator: "; ")] + row.fields)
            remaining -= 1
        }
        try writer.close()
    }
}
