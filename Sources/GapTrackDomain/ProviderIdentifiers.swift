/// Identifiers that gaptrack stores as given and checks for shape only: none of them has a
/// published check digit that schools or universities can compute (docs/methodology.md §2.3).

/// A unique reference number (URN) of a school, college or other establishment in Get
/// Information about Schools: 6 digits (e.g. 100000 for Sir John Cass's Foundation Primary).
public struct URN: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(IdentifierShapeError) {
        let urn = text.trimmingWhitespace()
        guard urn.utf8.count == 6, urn.allSatisfy(\.isASCIIDigitCharacter) else {
            throw .urn(urn)
        }
        value = urn
    }

    public var description: String { value }
    public static func < (lhs: URN, rhs: URN) -> Bool { lhs.value < rhs.value }
    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder, URN.init) }
    public func encode(to encoder: any Encoder) throws { try encodeString(value, to: encoder) }
}

/// A UK provider reference number (UKPRN) from the UK Register of Learning Providers:
/// 8 digits, starting with 1 (e.g. 10007788).
public struct UKPRN: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(IdentifierShapeError) {
        let ukprn = text.trimmingWhitespace()
        guard ukprn.utf8.count == 8, ukprn.allSatisfy(\.isASCIIDigitCharacter), ukprn.first == "1" else {
            throw .ukprn(ukprn)
        }
        value = ukprn
    }

    public var description: String { value }
    public static func < (lhs: UKPRN, rhs: UKPRN) -> Bool { lhs.value < rhs.value }
    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder, UKPRN.init) }
    public func encode(to encoder: any Encoder) throws { try encodeString(value, to: encoder) }
}

/// A HESA unique student identifier (HUSID): 13 digits, kept by a student across providers.
///
/// Source: HESA Student Record field HUSID ("Length: 13"; hesa.ac.uk/collection/c15051/a/husid).
/// Since 2007/08 providers allocate HUSIDs with HESA's algorithm (which includes a check digit);
/// gaptrack checks only the shape, as for every identifier stored as given (docs/methodology.md §2.3).
public struct HESAStudentID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ text: String) throws(IdentifierShapeError) {
        let husid = text.trimmingWhitespace()
        guard husid.utf8.count == 13, husid.allSatisfy(\.isASCIIDigitCharacter) else {
            throw .husid(husid)
        }
        value = husid
    }

    public var description: String { value }
    public static func < (lhs: HESAStudentID, rhs: HESAStudentID) -> Bool { lhs.value < rhs.value }
    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder, HESAStudentID.init) }
    public func encode(to encoder: any Encoder) throws { try encodeString(value, to: encoder) }
}

/// An identifier that does not have the expected shape.
public enum IdentifierShapeError: Error, Equatable, Sendable, CustomStringConvertible {
    case urn(String)
    case ukprn(String)
    case husid(String)

    public var description: String {
        switch self {
        case .urn(let value):
            return "URN '\(value)' is not valid: it should be 6 digits, as shown in Get Information about Schools (e.g. 100000)"
        case .ukprn(let value):
            return "UKPRN '\(value)' is not valid: it should be 8 digits starting with 1, as shown in the UK Register of Learning Providers (e.g. 10007788)"
        case .husid(let value):
            return "HESA student identifier (HUSID) '\(value)' is not valid: it should be 13 digits"
        }
    }
}

func decodeValidated<T, E: Error & CustomStringConvertible>(_ decoder: any Decoder, _ make: (String) throws(E) -> T) throws -> T {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    do { return try make(text) } catch {
        throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
    }
}

func encodeString(_ value: String, to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(value)
}
