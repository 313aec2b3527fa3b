import Foundation

// libFuzzer harness for the service's strict JSON body reader (StrictJSON, in
// Sources/GapTrackService/StrictJSON.swift), compiled with it by Fuzz/run.sh. Whatever the
// input, the reader must not crash, and a document it accepts must
//  - hold no NUL, and no control character in a key, anywhere in the tree it returns;
//  - have no key twice in any object, as an independent parser below (RFC 8259, comparing keys
//    scalar by scalar) finds them;
//  - read back to the same value when the value is written out again with JSONSerialization.

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data(("invariant broken: " + message() + "\n").utf8))
        abort()
    }
}

func visit(_ value: JSONValue, _ body: (_ key: String?, _ string: String?) -> Void) {
    switch value {
    case .string(let text): body(nil, text)
    case .array(let items): for item in items { visit(item, body) }
    case .object(let object):
        for (key, item) in object {
            body(key, nil)
            visit(item, body)
        }
    case .null, .bool, .number: break
    }
}

func foundationObject(_ value: JSONValue) -> Any {
    switch value {
    case .null: return NSNull()
    case .bool(let flag): return flag
    case .number(let number): return number
    case .string(let text): return text
    case .array(let items): return items.map(foundationObject)
    case .object(let object): return object.mapValues(foundationObject)
    }
}

/// A deliberately separate JSON reader that reports whether any object repeats a key. It returns
/// nil for anything it does not parse, and is then not used as evidence.
struct DuplicateOracle {
    let bytes: [UInt8]
    var index = 0
    var duplicate = false

    static func hasDuplicate(_ bytes: [UInt8]) -> Bool? {
        var oracle = DuplicateOracle(bytes: bytes)
        guard oracle.value(depth: 0) else { return nil }
        oracle.whitespace()
        return oracle.index == bytes.count ? oracle.duplicate : nil
    }

    mutating func whitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func literal(_ word: String) -> Bool {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else { return false }
        index += expected.count
        return true
    }

    mutating func value(depth: Int) -> Bool {
        guard depth < 400 else { return false }
        whitespace()
        guard index < bytes.count else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var keys: Set<[UInt32]> = []
            whitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return true }
            while true {
                whitespace()
                guard let key = string() else { return false }
                if !keys.insert(key).inserted { duplicate = true }
                whitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                index += 1
                guard value(depth: depth + 1) else { return false }
                whitespace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return true }
                return false
            }
        case UInt8(ascii: "["):
            index += 1
            whitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return true }
            while true {
                guard value(depth: depth + 1) else { return false }
                whitespace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return true }
                return false
            }
        case UInt8(ascii: "\""):
            return string() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default:
            let start = index
            while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
            return index > start
        }
    }

    /// A string's scalars (escapes resolved, surrogate pairs joined), or nil if malformed.
    mutating func string() -> [UInt32]? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        var raw: [UInt8] = []
        var units: [UInt16] = []
        func flushRaw() {
            units.append(contentsOf: String(decoding: raw, as: UTF8.self).utf16)
            raw.removeAll()
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") {
                flushRaw()
                return String(decoding: units, as: UTF16.self).unicodeScalars.map(\.value)
            }
            if byte < 0x20 { return nil }
            guard byte == UInt8(ascii: "\\") else { raw.append(byte); continue }
            flushRaw()
            guard index < bytes.count else { return nil }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): units.append(0x22)
            case UInt8(ascii: "\\"): units.append(0x5C)
            case UInt8(ascii: "/"): units.append(0x2F)
            case UInt8(ascii: "b"): units.append(0x08)
            case UInt8(ascii: "f"): units.append(0x0C)
            case UInt8(ascii: "n"): units.append(0x0A)
            case UInt8(ascii: "r"): units.append(0x0D)
            case UInt8(ascii: "t"): units.append(0x09)
            case UInt8(ascii: "u"):
                guard bytes.count - index >= 4, let unit = UInt16(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else { return nil }
                index += 4
                units.append(unit)
            default: return nil
            }
        }
        return nil
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = count == 0 ? [] : Array(UnsafeBufferPointer(start: start, count: count))
    guard let object = try? StrictJSON.object(from: Data(bytes)) else { return 0 }
    let value = JSONValue.object(object)
    visit(value) { key, string in
        if let key {
            check(!key.unicodeScalars.contains { $0.properties.generalCategory == .control }, "accepted a control character in key \(key.debugDescription)")
        }
        if let string {
            check(!string.unicodeScalars.contains("\u{0}"), "accepted a NUL in \(string.debugDescription)")
        }
    }
    if let duplicate = DuplicateOracle.hasDuplicate(bytes) {
        check(!duplicate, "accepted a document with a key twice: \(String(decoding: bytes, as: UTF8.self).debugDescription)")
    }
    if let written = try? JSONSerialization.data(withJSONObject: foundationObject(value)) {
        let again = try? StrictJSON.object(from: written)
        check(again.map { JSONValue.object($0) } == value, "\(value) written as \(String(decoding: written, as: UTF8.self)) reads back as \(String(describing: again))")
    }
    return 0
}
