/// A unique learner number (ULN): the 10-digit number the Learning Records Service gives each
/// learner aged 14 and over, used by colleges (the ILR) and carried into higher education.
///
/// Rule (docs/methodology.md §2.2, from HESA's ULN field definition, which gives this checksum
/// test and the example below): ten digits, the first not zero; multiply the digits by the
/// weights 10, 9, ..., 1 and add; the sum modulo 11 must be 10. (Equivalently: weights 10..2
/// on digits 1-9, r = sum mod 11, r = 0 is invalid, and the check digit is 10 - r.)
///
/// Worked example, `9276308686`: 10x9 + 9x2 + 8x7 + 7x6 + 6x3 + 5x0 + 4x8 + 3x6 + 2x8 + 1x6 =
/// 90 + 18 + 56 + 42 + 18 + 0 + 32 + 18 + 16 + 6 = 296; 296 = 26x11 + 10, so it is valid.
/// `9999999999`, the ILR's placeholder for a learner without a ULN, fails on purpose:
/// 9 x (10 + 9 + ... + 1) = 9 x 55 = 495 = 45x11 + 0.
public struct ULN: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: String

    /// The ILR's placeholder ULN for a learner who has none; it is deliberately not valid.
    public static let placeholder = "9999999999"

    public init(_ text: String) throws(ULNError) {
        let uln = text.trimmingWhitespace()
        let characters = Array(uln)
        guard characters.count == 10 else { throw .wrongLength(uln: uln, length: characters.count) }
        for (offset, character) in characters.enumerated() where !character.isASCIIDigitCharacter {
            throw .notADigit(uln: uln, position: offset + 1, found: character)
        }
        guard characters[0] != "0" else { throw .startsWithZero(uln: uln) }
        if uln == Self.placeholder { throw .placeholder }
        let remainder = Self.weightedSum(characters) % 11
        guard remainder == 10 else { throw .failsCheck(uln: uln) }
        self.value = uln
    }

    /// Sum of digit x weight, with weights 10 down to 1.
    static func weightedSum(_ digits: [Character]) -> Int {
        var sum = 0
        for (offset, character) in digits.enumerated() {
            sum += (10 - offset) * character.wholeNumberValue!
        }
        return sum
    }

    public var description: String { value }

    public static func < (lhs: ULN, rhs: ULN) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try ULN(text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// Why a ULN was rejected.
public enum ULNError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongLength(uln: String, length: Int)
    case notADigit(uln: String, position: Int, found: Character)
    case startsWithZero(uln: String)
    case placeholder
    case failsCheck(uln: String)

    public var description: String {
        switch self {
        case .wrongLength(let uln, let length):
            return "ULN '\(uln)' has \(length) characters; a ULN has exactly 10 digits"
        case .notADigit(let uln, let position, let found):
            return "ULN '\(uln)' has '\(found)' at character \(position); a ULN is digits only"
        case .startsWithZero(let uln):
            return "ULN '\(uln)' starts with 0; a ULN never does, so a digit is probably missing or a leading zero was added"
        case .placeholder:
            return "ULN '\(ULN.placeholder)' is the ILR placeholder for a learner without a ULN, not a real ULN; leave the ULN empty or look it up in the Learning Records Service"
        case .failsCheck(let uln):
            return "ULN '\(uln)' fails the ULN check digit test; a digit is probably mistyped, so check it in the Learning Records Service"
        }
    }
}
