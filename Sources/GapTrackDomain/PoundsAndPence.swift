/// An amount of money in pounds sterling, held as a whole number of pence.
///
/// Never floating point: 0.1 + 0.2 is not 0.3 in binary floating point, and spend totals must
/// add up to the penny when a report is made again. Amounts are never negative: gaptrack records
/// spending and awards, not refunds. Encoded (Codable, and in the database) as integer pence.
public struct PoundsAndPence: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let pence: Int

    /// The largest amount accepted, £9,999,999,999.99: the most the database's amount column,
    /// numeric(12, 2), holds (sql/001_baseline.sql), so that an amount the type accepts is never
    /// refused by the database as an overflow; far beyond any school or university budget line,
    /// and small enough that sums of many amounts cannot overflow.
    public static let maximumPence = 999_999_999_999

    /// `maximumPence` as an amount.
    public static let largest = PoundsAndPence(uncheckedPence: maximumPence)

    public static let zero = PoundsAndPence(uncheckedPence: 0)

    private init(uncheckedPence: Int) {
        pence = uncheckedPence
    }

    public init(pence: Int) throws(MoneyError) {
        guard pence >= 0 else { throw .negative(String(pence) + "p") }
        guard pence <= Self.maximumPence else { throw .tooLarge(String(pence) + "p") }
        self.pence = pence
    }

    public init(pounds: Int, pence: Int = 0) throws(MoneyError) {
        guard (0...99).contains(pence) else { throw .unrecognisedFormat("\(pounds) pounds \(pence) pence") }
        guard pounds >= 0 else { throw .negative("£\(pounds)") }
        guard pounds <= Self.maximumPence / 100 else { throw .tooLarge("£\(pounds)") }
        try self.init(pence: pounds * 100 + pence)
    }

    /// Reads "£1,234.56", "1234.5", "1234", "£0.99" or ".50". Thousands separators must be in
    /// the right places ("1,234", not "12,34"). Negative amounts, written "-5" or "(5.00)", and
    /// more than two decimal places are rejected with a clear reason.
    public init(parsing text: String) throws(MoneyError) {
        let trimmed = text.trimmingWhitespace()
        var bytes = Array(trimmed.utf8)[...]
        guard !bytes.isEmpty else { throw .empty }
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "(") { throw .negative(trimmed) }
        let poundSign = Array("£".utf8)
        if bytes.starts(with: poundSign) {
            bytes = bytes.dropFirst(poundSign.count)
            while bytes.first == UInt8(ascii: " ") { bytes = bytes.dropFirst() }
        }
        if bytes.first == UInt8(ascii: "-") { throw .negative(trimmed) }
        let pointIndex = bytes.firstIndex(of: UInt8(ascii: "."))
        let wholePart = pointIndex.map { bytes[..<$0] } ?? bytes
        let fractionPart = pointIndex.map { bytes[bytes.index(after: $0)...] } ?? []
        guard !wholePart.isEmpty || !fractionPart.isEmpty else { throw .unrecognisedFormat(trimmed) }
        guard let pounds = Self.pounds(wholePart) else { throw .unrecognisedFormat(trimmed) }
        if pointIndex != nil, fractionPart.isEmpty { throw .unrecognisedFormat(trimmed) }
        guard fractionPart.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .unrecognisedFormat(trimmed)
        }
        guard fractionPart.count <= 2 else { throw .tooManyDecimalPlaces(trimmed) }
        var pence = 0
        for byte in fractionPart { pence = pence * 10 + Int(byte - UInt8(ascii: "0")) }
        if fractionPart.count == 1 { pence *= 10 }
        guard pounds <= Self.maximumPence / 100 else { throw .tooLarge(trimmed) }
        try self.init(pence: pounds * 100 + pence)
    }

    /// Whole pounds from digits with optional, correctly placed thousands separators; nil if malformed.
    private static func pounds(_ bytes: ArraySlice<UInt8>) -> Int? {
        if bytes.isEmpty { return 0 }
        let groups = bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        if groups.count > 1 {
            guard (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
        }
        var value = 0
        for group in groups {
            for byte in group {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                if value > maximumPence { return value } // stop growing; caller reports tooLarge
            }
        }
        return value
    }

    /// "£1,234.56".
    public var formatted: String {
        let pounds = pence / 100
        let remainder = pence % 100
        var digits = String(pounds)
        var grouped = ""
        while digits.count > 3 {
            grouped = "," + String(digits.suffix(3)) + grouped
            digits.removeLast(3)
        }
        return "£" + digits + grouped + "." + (remainder < 10 ? "0" : "") + String(remainder)
    }

    /// "1234.56": plain decimal pounds for CSV exports that spreadsheets will read as numbers.
    public var plainDecimal: String {
        let remainder = pence % 100
        return String(pence / 100) + "." + (remainder < 10 ? "0" : "") + String(remainder)
    }

    public var description: String { formatted }

    public static func < (lhs: PoundsAndPence, rhs: PoundsAndPence) -> Bool { lhs.pence < rhs.pence }

    /// Sum of two amounts (amounts are bounded, so the sum cannot overflow).
    public static func + (lhs: PoundsAndPence, rhs: PoundsAndPence) -> PoundsAndPence {
        PoundsAndPence(uncheckedPence: lhs.pence + rhs.pence)
    }

    /// The amount multiplied by a count (e.g. a per-pupil rate times the number of pupils).
    public static func * (lhs: PoundsAndPence, count: Int) -> PoundsAndPence {
        precondition(count >= 0, "a money amount cannot be multiplied by a negative count")
        return PoundsAndPence(uncheckedPence: lhs.pence * count)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let value = try container.decode(Int.self)
        do { try self.init(pence: value) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(pence)
    }
}

extension Sequence where Element == PoundsAndPence {
    /// The total of the amounts.
    public func total() -> PoundsAndPence { reduce(.zero, +) }
}

/// Why an amount of money was rejected.
public enum MoneyError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case negative(String)
    case tooManyDecimalPlaces(String)
    case unrecognisedFormat(String)
    case tooLarge(String)

    public var description: String {
        switch self {
        case .empty:
            return "the amount is empty; write an amount in pounds such as £1,234.56 or 1234.56"
        case .negative(let text):
            return "amount '\(text)' is negative; gaptrack records spending and awards as positive amounts (record a refund by correcting the original amount)"
        case .tooManyDecimalPlaces(let text):
            return "amount '\(text)' has more than two decimal places; write pounds and pence, e.g. 1234.56"
        case .unrecognisedFormat(let text):
            return "'\(text)' is not an amount of money; write it as £1,234.56, 1234.56 or 1234"
        case .tooLarge(let text):
            return "amount '\(text)' is more than the largest amount gaptrack holds, \(PoundsAndPence.largest.formatted); check for a missing decimal point"
        }
    }
}
