/// The short handle people type for a provider (`--provider demo-academy`, `?provider=`):
/// 2 to 63 characters, lower-case letters, digits and hyphens, not starting with a hyphen.
/// The database holds the same rule as a CHECK on `providers.code`; parsing here means a
/// mistyped code is refused where it is typed, with the rule in the message.
public struct ProviderCode: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: String

    /// Parses a code as typed. Surrounding white space (including non-breaking spaces) is
    /// dropped and letters are lower-cased, since codes are case-insensitive for people.
    public init(parsing text: String) throws(ProviderCodeError) {
        let candidate = text.trimmingWhitespace().lowercased()
        let bytes = Array(candidate.utf8)
        let allowed = bytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        guard (2...63).contains(bytes.count), allowed, bytes.first != 0x2D else { throw .invalid(text) }
        value = candidate
    }

    public var description: String { value }

    public static func < (lhs: ProviderCode, rhs: ProviderCode) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder, ProviderCode.init(parsing:)) }
    public func encode(to encoder: any Encoder) throws { try encodeString(value, to: encoder) }
}

public enum ProviderCodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let text):
            return "'\(text.prefix(80))' is not a provider code: use 2 to 63 lower-case letters, digits and hyphens, "
                + "not starting with a hyphen (e.g. st-marys)"
        }
    }
}
