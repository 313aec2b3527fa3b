import Foundation

// libFuzzer harness for the one CSV parser (Sources/CSVFormat), compiled into one module with
// its sources by Fuzz/run.sh. Each input is checked three ways, and any difference stops the
// fuzzer with the input saved:
//  1. read from memory and read from a file four bytes at a time give the same rows or the same
//     error (a chunk boundary may fall anywhere: inside a quote, between CR and LF, in a BOM);
//  2. rows read successfully, written by CSVWriter and read back, are the same rows;
//  3. the input cut into rows and fields at the bytes 0x1E and 0x1F, as arbitrary text, survives
//     CSVWriter then CSVReader unchanged (quotes, commas, CR, LF, a BOM, empty fields).

enum Outcome: Equatable {
    case rows([CSVRow])
    case failed(CSVError)
}

func readAll(_ reader: CSVReader) -> Outcome {
    do { return .rows(try reader.readAll()) } catch { return .failed(error) }
}

let scratchPath = FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-fuzz-csv-\(getpid()).csv").path

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data(("invariant broken: " + message() + "\n").utf8))
        abort()
    }
}

/// Rows whose fields are exactly what CSVWriter must bring back.
func roundTrip(_ rows: [[String]]) {
    var writer = CSVWriter()
    writer.writeRows(rows)
    let back = readAll(CSVReader(bytes: writer.bytes))
    guard case .rows(let read) = back else {
        check(false, "written rows \(rows) do not read back: \(back)")
        return
    }
    // A row with no fields is written as an empty line, which a reader skips by design.
    let expected = rows.filter { !$0.isEmpty }
    check(read.map(\.fields) == expected, "wrote \(expected), read \(read.map(\.fields))")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: start, count: count))

    let inMemory = readAll(CSVReader(bytes: bytes))
    FileManager.default.createFile(atPath: scratchPath, contents: Data(bytes))
    let fromFile: Outcome
    do { fromFile = readAll(try CSVReader(path: scratchPath, chunkSize: 4)) } catch { fromFile = .failed(error) }
    check(inMemory == fromFile, "memory \(inMemory) but file in chunks of 4 \(fromFile)")

    if case .rows(let rows) = inMemory { roundTrip(rows.map(\.fields)) }

    let text = String(decoding: bytes, as: UTF8.self)
    let rows = text.split(separator: "\u{1E}", omittingEmptySubsequences: false).map { row in
        row.isEmpty ? [] : row.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
    }
    roundTrip(rows)
    return 0
}
