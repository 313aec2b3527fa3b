import GapTrackDomain

// Provider codes, cohort codes and terms written as literals in tests, parsed as the CLI parses
// them; a literal that does not parse stops the test at once, naming it.

extension ProviderCode: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        do { self = try ProviderCode(parsing: value) } catch { fatalError("test literal: \(error)") }
    }
}

extension CohortCode: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        do { self = try CohortCode(parsing: value) } catch { fatalError("test literal: \(error)") }
    }
}

extension AcademicTerm: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        do { self = try AcademicTerm(parsing: value) } catch { fatalError("test literal: \(error)") }
    }
}
