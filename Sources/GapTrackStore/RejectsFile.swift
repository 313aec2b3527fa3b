import CSVFormat
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// With `--skip-invalid`: the rejected rows, exactly as they were in the file, after two columns
/// saying where they came from and why they were rejected. A data lead can correct the rows in
/// a spreadsheet, delete the two extra columns and import the rejects file on its own.
enum RejectsFile {
    /// Refuses, before anything is read, a destination that is the input file (compared by
    /// device and inode, so a symlink or another path to it is caught), and an existing file
    /// unless `mayReplace`.
    static func checkDestination(_ destination: URL, source: URL, fileName: String, mayReplace: Bool) throws {
        var destinationStatus = stat()
        guard stat(destination.path, &destinationStatus) == 0 else { return }
        var sourceStatus = stat()
        if stat(source.path, &sourceStatus) == 0,
           sourceStatus.st_dev == destinationStatus.st_dev, sourceStatus.st_ino == destinationStatus.st_ino {
            throw ImportError.rejectsIsInput(fileName: fileName, rejectsPath: destination.path)
        }
        if !mayReplace {
            throw ImportError.rejectsExists(fileName: fileName, rejectsPath: destination.path)
        }
    }

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
