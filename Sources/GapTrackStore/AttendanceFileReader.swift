import CSVFormat
import GapTrackDomain

/// Reads and validates an attendance file at byte level into `AttendanceRows`. The common case
/// (the same student or date as the row before, `YYYY-MM-DD` dates, `AM`/`PM`, a one- or
/// two-character code) touches no `String` and no dictionary; anything unusual falls back to the
/// domain types, which also write the error messages.
struct AttendanceFileReader {
    struct Reading {
        var rows: AttendanceRows
        var errors: RowErrors
        var rowsRead: Int
        var ignoredColumns: [String]
        /// The date column as the file names it, for errors found after reading.
        var dateColumn: String
    }

    let context: ImportContext
    let directory: StudentDirectory

    func read() throws -> Reading {
        let scanner: CSVByteScanner
        do {
            scanner = try CSVByteScanner(path: context.url.path)
        } catch {
            throw ImportError.unreadable(fileName: context.fileName, error)
        }
        let fileSize = (try? context.url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
        var rows = try AttendanceRows(studentCount: directory.studentIDs.count, expectedRows: fileSize / 28 + 16)
        var errors = RowErrors(fileName: context.fileName)
        var rowsRead = 0
        var ticker = ProgressTicker(options: context.options, fileName: context.fileName)
        var columns: ResolvedColumns?
        var fieldIndex = (student: 0, date: 0, session: 0, code: 0)
        var headerCount = 0
        var names = (student: "", date: "", session: "", code: "")
        var state = ReaderState()
        do {
            try scanner.forEachRecord { line, fields, bytes, unescaped in
                guard let resolved = columns else {
                    let header = fields.map { $0.string(in: bytes, unescaped: unescaped) }
                    let found = try context.options.mapping.resolve(header: header, kind: .attendance)
                    try found.requireColumns(of: .attendance, fileName: context.fileName)
                    columns = found
                    headerCount = header.count
                    fieldIndex = (found.index["student"]!, found.index["date"]!, found.index["session"]!, found.index["code"]!)
                    names = (found.fileName(of: "student"), found.fileName(of: "date"), found.fileName(of: "session"), found.fileName(of: "code"))
                    return true
                }
                _ = resolved
                rowsRead += 1
                ticker.tick(rowsRead)
                guard fields.count == headerCount else {
                    errors.add(line: line, column: nil, "has \(fields.count) field\(fields.count == 1 ? "" : "s") but the header has \(headerCount); check for an unquoted comma or a missing value")
                    return true
                }
                var valid = true
                let student = trimmed(fields[fieldIndex.student].bytes(in: bytes, unescaped: unescaped))
                let rank = state.studentRank(student, directory: directory)
                if rank < 0 {
                    valid = false
                    errors.add(line: line, column: names.student, studentProblem(student))
                }
                let dateBytes = trimmed(fields[fieldIndex.date].bytes(in: bytes, unescaped: unescaped))
                let day = state.day(dateBytes)
                var term: (term: AttendanceTerm, dayInTerm: Int)?
                switch day {
                case .some(let value):
                    term = state.term(of: value)
                    if term == nil {
                        valid = false
                        errors.add(line: line, column: names.date, AttendanceMarkRules.outsideHeldYears(text(dateBytes)))
                    }
                case .none:
                    valid = false
                    errors.add(line: line, column: names.date, dateProblem(dateBytes))
                }
                let sessionBytes = trimmed(fields[fieldIndex.session].bytes(in: bytes, unescaped: unescaped))
                var isAfternoon = false
                if sessionBytes.count == 2, sessionBytes[1] | 0x20 == UInt8(ascii: "m"),
                   sessionBytes[0] | 0x20 == UInt8(ascii: "a") || sessionBytes[0] | 0x20 == UInt8(ascii: "p") {
                    isAfternoon = sessionBytes[0] | 0x20 == UInt8(ascii: "p")
                } else {
                    valid = false
                    errors.add(line: line, column: names.session, sessionBytes.isEmpty ? "is empty; expected AM or PM" : AttendanceSessionError.notASession(text(sessionBytes)).description)
                }
                let codeBytes = trimmed(fields[fieldIndex.code].bytes(in: bytes, unescaped: unescaped))
                let code = AttendanceCodeTable.index(codeBytes)
                if let code {
                    if let day, day >= AttendanceCodeTable.withdrawnFromDay[Int(code)] {
                        valid = false
                        let error = AttendanceCodeError.withdrawnCode(code: AttendanceCodeTable.codes[Int(code)], date: CalendarDate(daysSinceEpoch: day))
                        errors.add(line: line, column: names.code, error.description)
                    }
                } else {
                    valid = false
                    errors.add(line: line, column: names.code, codeBytes.isEmpty ? "is empty; expected a national attendance code such as / \\ L I N"
                        : AttendanceCodeError.unknownCode(text(codeBytes)).description)
                }
                if valid, let term, let code {
                    guard rows.count < rows.maximumRows else {
                        throw ImportError.notForProvider("\(context.fileName) has more than \(rows.maximumRows) marks; split it into smaller files")
                    }
                    rows.append(term: term.term.index, studentRank: rank, dayInTerm: term.dayInTerm, isAfternoon: isAfternoon,
                                code: code, line: line)
                }
                return true
            }
        } catch let error as CSVError {
            throw ImportError.unreadable(fileName: context.fileName, error)
        }
        ticker.finish(rowsRead)
        guard let columns else { throw ImportError.unreadable(fileName: context.fileName, .missingHeader) }
        return Reading(rows: rows, errors: errors, rowsRead: rowsRead, ignoredColumns: columns.ignored, dateColumn: names.date)
    }

    private func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// Why a student identifier was not found: a bad check character, or simply unknown.
    private func studentProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let value = text(bytes)
        if value.isEmpty { return "is empty; expected the student's identifier (UPN, ULN or student id)" }
        do {
            let normalised = try StudentIdentifiers.normalise(value, providerKind: context.provider.kind)
            return directory.lookUp(normalised).problem(value) ?? StudentLookup.unknownMessage(value)
        } catch {
            return error.message
        }
    }

    private func dateProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        if bytes.isEmpty { return "is empty; expected the session's date" }
        do {
            _ = try CalendarDate(parsing: text(bytes))
            return "'\(text(bytes))' is not a date gaptrack can use"
        } catch {
            return error.description
        }
    }
}

/// Caches that make the common row cost a few comparisons: files repeat the same student (or
/// the same date) on row after row.
private struct ReaderState {
    private var lastStudent = SmallBytes()
    private var lastRank = -1
    private var lastDate = SmallBytes()
    private var lastDay: Int?
    private var lastTermDay = Int.min
    private var lastTerm: (term: AttendanceTerm, dayInTerm: Int)?

    /// The student's rank, or -1 when unknown or ambiguous.
    @inline(__always)
    mutating func studentRank(_ bytes: UnsafeBufferPointer<UInt8>, directory: StudentDirectory) -> Int {
        if lastStudent.equals(bytes) { return lastRank }
        lastStudent.set(bytes)
        lastRank = directory.rank(of: bytes)
        return lastRank
    }

    /// Days since 1970-01-01, or nil for a date that cannot be read.
    @inline(__always)
    mutating func day(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if lastDate.equals(bytes) { return lastDay }
        lastDate.set(bytes)
        lastDay = Self.parseDay(bytes)
        return lastDay
    }

    @inline(__always)
    mutating func term(of day: Int) -> (term: AttendanceTerm, dayInTerm: Int)? {
        if day == lastTermDay { return lastTerm }
        lastTermDay = day
        lastTerm = AttendanceTerm.containing(daysSinceEpoch: day)
        return lastTerm
    }

    private static func parseDay(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
           let year = digits(bytes, 0, 4), let month = digits(bytes, 5, 7), let day = digits(bytes, 8, 10) {
            return CalendarDate(year: year, month: month, day: day)?.daysSinceEpoch
        }
        return (try? CalendarDate(parsing: String(decoding: bytes, as: UTF8.self)))?.daysSinceEpoch
    }

    @inline(__always)
    private static func digits(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        var value = 0
        for index in from..<to {
            let digit = Int(bytes[index]) &- 48
            guard digit >= 0 && digit <= 9 else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}

/// Up to 32 bytes held inline (two identifiers or dates never need more), compared word by
/// word; longer values are never equal, so they are simply looked up every time.
private struct SmallBytes {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    private var length = -1

    @inline(__always)
    func equals(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == length else { return false }
        var other: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &other) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
        return other == words
    }

    @inline(__always)
    mutating func set(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= 32 else {
            length = -1
            return
        }
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
        length = bytes.count
    }
}

/// The bytes without surrounding spaces and tabs.
@inline(__always)
private func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
    var start = 0
    var end = bytes.count
    while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
    while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
    return UnsafeBufferPointer(rebasing: bytes[start..<end])
}
