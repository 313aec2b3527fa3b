/// The short handle of a trust or a local authority (`--group north-star-trust`, `?group=`): the
/// same rule as a provider's code (`ProviderCode`), and the same CHECK on `provider_groups.code`.
public struct ProviderGroupCode: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let value: String

    public init(parsing text: String) throws(ProviderGroupCodeError) {
        do {
            value = try ProviderCode(parsing: text).value
        } catch {
            throw .invalid(text)
        }
    }

    public var description: String { value }

    public static func < (lhs: ProviderGroupCode, rhs: ProviderGroupCode) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws { self = try decodeValidated(decoder, ProviderGroupCode.init(parsing:)) }
    public func encode(to encoder: any Encoder) throws { try encodeString(value, to: encoder) }
}

public enum ProviderGroupCodeError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let text):
            return "'\(text.prefix(80))' is not a provider group code: use 2 to 63 lower-case letters, digits and hyphens, "
                + "not starting with a hyphen (e.g. north-star-trust)"
        }
    }
}

/// What kind of body groups the providers (docs/methodology.md §7.10).
public enum ProviderGroupKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// A multi-academy trust.
    case trust
    /// A local authority and its maintained schools.
    case localAuthority = "local-authority"

    public var description: String { rawValue }

    /// In words, for report headings.
    public var label: String {
        switch self {
        case .trust: "multi-academy trust"
        case .localAuthority: "local authority"
        }
    }
}
