/// A unique pupil number (UPN): the 13-character identifier the DfE gives every pupil in a
/// state school in England (and Wales), kept for life.
///
/// Structure (docs/methodology.md §2.1, from the DfE's UPN guidance and the school census
/// validation rule 1510 "UPN invalid (wrong check letter at character 1)"; the check-letter
/// method below is also published in MIS help pages such as Juniper Education's):
/// - character 1: check letter;
/// - characters 2-4: the DfE number of the local authority that allocated it (see `LocalAuthority`);
/// - characters 5-8: the establishment number of the allocating school;
/// - characters 9-10: the last two digits of the year of allocation;
/// - characters 11-13: a serial number. A *temporary* UPN ends in a letter instead of a digit.
///
/// Check letter: multiply characters 2-13 by the weights 2, 3, ..., 13, add the products, and
/// take the sum modulo 23; the remainder 0-22 indexes `ABCDEFGHJKLMNPQRTUVWXYZ` (no I, O or S).
/// A letter in position 13 (temporary UPN) counts as its index in that same alphabet.
///
/// Worked example, `B801200005001`: 2x8 + 3x0 + 4x1 + 5x2 + 6x0 + 7x0 + 8x0 + 9x0 + 10x5 +
/// 11x0 + 12x0 + 13x1 = 16 + 4 + 10 + 50 + 13 = 93; 93 = 4x23 + 1, and index 1 is B.
///
/// Beware a widely copied MIS help-page example (e.g. Juniper Education, "Census Error 1510 -
/// UPN Invalid", pupilasset.support.junipereducation.org), which corrects `B207000016049` to
/// `Q207000016049` from a sum of 267: the products are 2x2 + 4x7 + 9x1 + 10x6 + 12x4 + 13x9 =
/// 4 + 28 + 9 + 60 + 48 + 117 = 266, not 267; 266 = 11x23 + 13, and index 13 is P, so the
/// correct UPN is `P207000016049`. The tests pin this.
public struct UPN: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 13 characters, upper case.
    public let value: String

    /// The check-letter alphabet: 23 letters, without I, O and S.
    public static let checkAlphabet: [Character] = Array("ABCDEFGHJKLMNPQRTUVWXYZ")

    /// Validates a UPN. Surrounding spaces are ignored and lower-case letters are accepted
    /// (and stored in upper case), since both come from hand-typed spreadsheets.
    public init(_ text: String) throws(UPNError) {
        let upn = text.trimmingWhitespace().uppercased()
        let characters = Array(upn)
        guard characters.count == 13 else { throw .wrongLength(upn: upn, length: characters.count) }
        guard Self.checkAlphabet.contains(characters[0]) else {
            throw .invalidCharacter(upn: upn, position: 1, found: characters[0],
                                    expected: "a check letter (A-Z except I, O and S)")
        }
        for position in 2...12 where !characters[position - 1].isASCIIDigitCharacter {
            throw .invalidCharacter(upn: upn, position: position, found: characters[position - 1], expected: "a digit")
        }
        let last = characters[12]
        guard last.isASCIIDigitCharacter || Self.checkAlphabet.contains(last) else {
            throw .invalidCharacter(upn: upn, position: 13, found: last,
                                    expected: "a digit, or for a temporary UPN a letter A-Z except I, O and S")
        }
        let expected = Self.checkLetter(forCharacters2to13: characters[1...])!
        guard expected == characters[0] else {
            throw .wrongCheckLetter(upn: upn, expected: expected, found: characters[0])
        }
        let laCode = String(characters[1...3])
        guard LocalAuthority.withCode(laCode) != nil else {
            throw .unrecognisedLocalAuthority(upn: upn, code: laCode)
        }
        self.value = upn
    }

    /// The check letter for characters 2-13 of a UPN (12 characters: 11 digits, then a digit
    /// or a temporary-UPN letter), or nil if they are not of that form.
    public static func checkLetter(forCharacters2to13 body: some Collection<Character>) -> Character? {
        guard body.count == 12 else { return nil }
        var sum = 0
        for (offset, character) in body.enumerated() {
            let weight = offset + 2
            let value: Int
            if let digit = character.wholeNumberValue, character.isASCIIDigitCharacter {
                value = digit
            } else if offset == 11, let index = checkAlphabet.firstIndex(of: character) {
                value = index
            } else {
                return nil
            }
            sum += weight * value
        }
        return checkAlphabet[sum % 23]
    }

    public var checkLetter: Character { value.first! }
    /// Characters 2-4: the DfE number of the allocating local authority.
    public var localAuthorityCode: String { String(Array(value)[1...3]) }
    public var localAuthority: LocalAuthority { LocalAuthority.withCode(localAuthorityCode)! }
    /// Characters 5-8: the allocating school's establishment number.
    public var establishmentNumber: String { String(Array(value)[4...7]) }
    /// Characters 9-10: the last two digits of the year of allocation.
    public var yearOfAllocation: String { String(Array(value)[8...9]) }
    /// Characters 11-13: the serial number (ending in a letter for a temporary UPN).
    public var serial: String { String(Array(value)[10...12]) }
    /// A temporary UPN ends in a letter; schools replace it with the permanent UPN when known.
    public var isTemporary: Bool { !Array(value)[12].isASCIIDigitCharacter }

    public var description: String { value }

    public static func < (lhs: UPN, rhs: UPN) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do { self = try UPN(text) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

/// Why a UPN was rejected.
public enum UPNError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongLength(upn: String, length: Int)
    case invalidCharacter(upn: String, position: Int, found: Character, expected: String)
    case wrongCheckLetter(upn: String, expected: Character, found: Character)
    case unrecognisedLocalAuthority(upn: String, code: String)

    public var description: String {
        switch self {
        case .wrongLength(let upn, let length):
            return "UPN '\(upn)' has \(length) characters; a UPN has exactly 13 (a check letter, then 12 digits, the last of which may be a letter for a temporary UPN)"
        case .invalidCharacter(let upn, let position, let found, let expected):
            return "UPN '\(upn)' has '\(found)' at character \(position), where it should have \(expected)"
        case .wrongCheckLetter(let upn, let expected, let found):
            return "UPN '\(upn)' has a wrong check letter: expected '\(expected)', found '\(found)'; one of its characters is probably mistyped, so check it against the pupil's record or the common transfer file"
        case .unrecognisedLocalAuthority(let upn, let code):
            return "UPN '\(upn)' has '\(code)' in characters 2-4, which is not a DfE local authority number; check the UPN against the pupil's record"
        }
    }
}

extension Character {
    /// 0-9 only (not other Unicode digits, which `isNumber` would accept).
    var isASCIIDigitCharacter: Bool {
        guard let ascii = asciiValue else { return false }
        return ascii >= UInt8(ascii: "0") && ascii <= UInt8(ascii: "9")
    }
}
