import Foundation

/// A Swift value that can be bound to a `$n` parameter. Values travel in PostgreSQL's text
/// format and the server parses them against the parameter's inferred type, so nothing is
/// ever spliced into SQL text.
public protocol PostgresEncodable: Sendable {
    /// The text form of the value, or nil to send SQL NULL.
    var postgresText: String? { get }
}

/// A Swift type a result column can be read as. `oid` is the column's type, checked so that
/// reading, say, a `date` as an `Int` is an error rather than a silent garbage value.
public protocol PostgresDecodable {
    static func decode(postgresText: String, oid: UInt32, column: String) throws(PostgresError) -> Self
}

extension String: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { self }
    public static func decode(postgresText: String, oid: UInt32, column: String) throws(PostgresError) -> String {
        guard PostgresType.texts.contains(oid) || oid == PostgresType.uuid else {
            throw .typeMismatch(column: column, swiftType: "String", postgresType: oid)
        }
        return postgresText
    }
}

extension Int: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { String(self) }
    public static func decode(postgresText: String, oid: UInt32, column: String) throws(PostgresError) -> Int {
        guard PostgresType.integers.contains(oid) else {
            throw .typeMismatch(column: column, swiftType: "Int", postgresType: oid)
        }
        guard let value = Int(postgresText) else {
            throw .malformedValue(column: column, value: postgresText, swiftType: "Int")
        }
        return value
    }
}

extension Int64: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Int32: PostgresEncodable {
    public var postgresText: String? { String(self) }
}

extension Double: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return "\(self)"
    }
    public static func decode(postgresText: String, oid: UInt32, column: String) throws(PostgresError) -> Double {
        guard PostgresType.floats.contains(oid) || PostgresType.integers.contains(oid) || oid == PostgresType.numeric else {
            throw .typeMismatch(column: column, swiftType: "Double", postgresType: oid)
        }
        switch postgresText {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        default:
            guard let value = Double(postgresText) else {
                throw .malformedValue(column: column, value: postgresText, swiftType: "Double")
            }
            return value
        }
    }
}

extension Bool: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { self ? "t" : "f" }
    public static func decode(postgresText: String, oid: UInt32, column: String) throws(PostgresError) -> Bool {
        guard oid == PostgresType.bool else {
            throw .typeMismatch(column: column, swiftType: "Bool", postgresType: oid)
        }
        switch postgresText {
        case "t": return true
        case "f": return false
        default: throw .malformedValue(column: column, value: postgresText, swiftType: "Bool")
        }
    }
}

/// Money and other exact quantities: `numeric` is read into `Decimal` without passing through
/// binary floating point, so £0.10 stays exactly ten pence.
extension Decimal: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { NSDecimalNumber(decimal: self).description(withLocale: Locale(identifier: "en_US_POSIX")) }
    public static func decode(postgresText: String, oid: UInt32, column: String) throws(PostgresError) -> Decimal {
        guard oid == PostgresType.numeric || PostgresType.integers.contains(oid) else {
            throw .typeMismatch(column: column, swiftType: "Decimal", postgresType: oid)
        }
        guard let value = Decimal(string: postgresText, locale: Locale(identifier: "en_US_POSIX")) else {
            throw .malformedValue(column: column, value: postgresText, swiftType: "Decimal")
        }
        return value
    }
}

extension UUID: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? { uuidString.lowercased() }
    public static func decode(postgresText: String, oid: UInt32, column: String) throws(PostgresError) -> UUID {
        guard oid == PostgresType.uuid else {
            throw .typeMismatch(column: column, swiftType: "UUID", postgresType: oid)
        }
        guard let value = UUID(uuidString: postgresText) else {
            throw .malformedValue(column: column, value: postgresText, swiftType: "UUID")
        }
        return value
    }
}

/// Instants. Every connection sets `TimeZone=UTC` and `DateStyle=ISO`, so the server's text is
/// ISO 8601 in UTC; a `date` column reads as midnight UTC of that day.
extension Date: PostgresEncodable, PostgresDecodable {
    public var postgresText: String? {
        PostgresDateFormat.timestamp(self)
    }
    public static func decode(postgresText: String, oid: UInt32, column: String) throws(PostgresError) -> Date {
        let parsed: Date?
        switch oid {
        case PostgresType.date: parsed = PostgresDateFormat.parseDate(postgresText)
        case PostgresType.timestamptz, PostgresType.timestamp: parsed = PostgresDateFormat.parseTimestamp(postgresText)
        default: throw .typeMismatch(column: column, swiftType: "Date", postgresType: oid)
        }
        guard let parsed else { throw .malformedValue(column: column, value: postgresText, swiftType: "Date") }
        return parsed
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresText: String? {
        switch self {
        case .none: return nil
        case .some(let wrapped): return wrapped.postgresText
        }
    }
}

/// A one-dimensional array, sent as PostgreSQL's array literal text (`{"a","b",NULL}`) and cast
/// in the statement (`$1::text[]`, `$1::integer[]`). Every element is double-quoted with `\` and
/// `"` escaped (PostgreSQL manual, "Array Value Input"), so text holding commas, braces, quotes or
/// the word NULL arrives verbatim, and a nil element is SQL NULL. Elements are scalars: an array
/// of arrays would be sent as an array of text.
extension Array: PostgresEncodable where Element: PostgresEncodable {
    public var postgresText: String? {
        "{" + map { element in
            guard let text = element.postgresText else { return "NULL" }
            return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }
}

/// The server's ISO text forms, parsed by hand: `ISO8601DateFormatter` is neither `Sendable`
/// nor tolerant of PostgreSQL's `+00` offset without minutes.
enum PostgresDateFormat {
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let micros = Int(((seconds - whole) * 1_000_000).rounded())
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d:%02d.%06d+00", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), micros)
    }

    static func parseDate(_ text: String) -> Date? {
        let fields = text.split(separator: "-")
        guard fields.count == 3, let year = Int(fields[0]), let month = Int(fields[1]), let day = Int(fields[2]) else {
            return nil
        }
        return utcDate(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        // "2024-09-03 08:45:12.123456+00" (offset optional for `timestamp`).
        let bytes = Array(text.utf8)
        guard bytes.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let base = utcDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            var scale = 0.1
            index += 1
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                fraction += Double(bytes[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        var offsetSeconds = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            let rest = String(decoding: bytes[(index + 1)...], as: UTF8.self).split(separator: ":")
            let hours = rest.first.flatMap { Int($0) } ?? 0
            let minutes = rest.count > 1 ? Int(rest[1]) ?? 0 : 0
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        return base.addingTimeInterval(fraction - Double(offsetSeconds))
    }

    static func utcDate(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Date? {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }
}
