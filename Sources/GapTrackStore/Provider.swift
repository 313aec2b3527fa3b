import GapTrackDomain

/// What kind of institution a provider is. It decides which identifier a student is known by
/// (UPN at a school, ULN at a college, HESA or institution id at a university) and whether an
/// enrolment has a year group or a course. Raw values are the database's `provider_kind`.
public enum ProviderKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case school
    case college
    case university

    public var description: String { rawValue }
}

/// A school, college or university: everything in gaptrack belongs to one.
public struct Provider: Sendable, Hashable, Codable {
    /// The database's id; nil for a provider not yet stored.
    public var id: Int?
    /// The short handle people type, e.g. `demo-academy` (lower case letters, digits, hyphens).
    public var code: String
    public var name: String
    public var kind: ProviderKind
    /// DfE unique reference number (schools, colleges).
    public var urn: URN?
    /// UK provider reference number (colleges, universities).
    public var ukprn: UKPRN?
    /// DfE local authority number, for schools.
    public var laCode: String?

    public init(id: Int? = nil, code: String, name: String, kind: ProviderKind, urn: URN? = nil,
                ukprn: UKPRN? = nil, laCode: String? = nil) {
        self.id = id
        self.code = code
        self.name = name
        self.kind = kind
        self.urn = urn
        self.ukprn = ukprn
        self.laCode = laCode
    }

    /// Checks what the database would reject, with messages a person can act on.
    public func validate() throws(ProviderError) {
        let codeBytes = Array(code.utf8)
        let allowed = codeBytes.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }
        guard (2...63).contains(codeBytes.count), allowed, codeBytes.first != 0x2D else {
            throw .invalidCode(code)
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw .emptyName }
        guard urn != nil || ukprn != nil else { throw .needsURNOrUKPRN(code: code) }
        if let laCode {
            guard laCode.utf8.count == 3, laCode.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                throw .invalidLocalAuthority(laCode)
            }
        }
    }
}

/// Why a provider could not be stored or found.
public enum ProviderError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidCode(String)
    case emptyName
    case needsURNOrUKPRN(code: String)
    case invalidLocalAuthority(String)
    case duplicate(field: String, value: String)
    case notFound(code: String, known: [String])

    public var description: String {
        switch self {
        case .invalidCode(let code):
            return "provider code '\(code)' is not valid: use 2 to 63 lower-case letters, digits and hyphens, starting with a letter or digit (e.g. demo-academy)"
        case .emptyName:
            return "the provider's name is empty"
        case .needsURNOrUKPRN(let code):
            return "provider '\(code)' needs a URN (schools and colleges, 6 digits) or a UKPRN (8 digits starting with 1), or both"
        case .invalidLocalAuthority(let value):
            return "local authority code '\(value)' is not valid: it is the DfE's three-digit LA number, e.g. 801"
        case .duplicate(let field, let value):
            return "a provider with \(field) '\(value)' already exists"
        case .notFound(let code, let known):
            let list = known.isEmpty ? "there are no providers yet; add one with 'gaptrack provider add'"
                : "known providers: " + known.joined(separator: ", ")
            return "no provider with code '\(code)'; \(list)"
        }
    }
}
