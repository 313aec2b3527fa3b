import ArgumentParser
import DemoData
import GapTrackDomain
import GapTrackReports

/// A value a command takes on its command line that is parsed into its domain type where it is
/// typed, so that nothing below the command sees it as text, and a mistake is refused with the
/// domain type's own message (the rule and an example) rather than a generic "invalid value".
///
/// ArgumentParser's `init?(argument:)` cannot carry a reason, so the `Option` initialisers below
/// parse through `parse(argument:)` instead; `@Option var term: AcademicTerm` then reports
/// "The value '2024-autumn' is invalid for '--term <term>': '2024-autumn' is not a term; write
/// it as YYYY/YY-term ...".
public protocol TypedArgument: ExpressibleByArgument {
    static func parse(argument: String) throws -> Self
}

extension TypedArgument {
    public init?(argument: String) {
        guard let value = try? Self.parse(argument: argument) else { return nil }
        self = value
    }
}

extension ProviderCode: ExpressibleByArgument, TypedArgument {
    public static func parse(argument: String) throws -> ProviderCode { try ProviderCode(parsing: argument) }
}

extension CohortCode: ExpressibleByArgument, TypedArgument {
    public static func parse(argument: String) throws -> CohortCode { try CohortCode(parsing: argument) }
}

extension AcademicTerm: ExpressibleByArgument, TypedArgument {
    public static func parse(argument: String) throws -> AcademicTerm { try AcademicTerm(parsing: argument) }
}

extension AcademicYear: ExpressibleByArgument, TypedArgument {
    public static func parse(argument: String) throws -> AcademicYear { try AcademicYear(parsing: argument) }
}

extension ReportAudience: ExpressibleByArgument, TypedArgument {
    /// Its own, because ArgumentParser gives raw-value enums one that matches the case exactly.
    public init?(argument: String) {
        guard let audience = try? Self(parsing: argument) else { return nil }
        self = audience
    }

    public static func parse(argument: String) throws -> ReportAudience { try ReportAudience(parsing: argument) }

    /// `--audience`, the same on every report command.
    static let optionHelp = ArgumentHelp(
        "Who the report is for: staff (the default: true figures, a group of fewer than 10 marked), governors or public "
            + "(small groups and whatever would reveal them shown as c).",
        valueName: "audience")
}

extension DemoOptions.ProviderChoice: ExpressibleByArgument, TypedArgument {
    /// Its own, because ArgumentParser gives raw-value enums one that matches the case exactly.
    public init?(argument: String) {
        guard let choice = try? Self(parsing: argument) else { return nil }
        self = choice
    }

    public static func parse(argument: String) throws -> DemoOptions.ProviderChoice { try Self(parsing: argument) }
}

extension Option where Value: TypedArgument {
    /// A required option of a typed value.
    init(name: NameSpecification = .long, help: ArgumentHelp? = nil) {
        self.init(name: name, help: help, transform: Value.parse(argument:))
    }

    /// An option of a typed value with a default.
    init(wrappedValue: Value, name: NameSpecification = .long, help: ArgumentHelp? = nil) {
        self.init(wrappedValue: wrappedValue, name: name, help: help, transform: Value.parse(argument:))
    }
}

extension Option {
    /// An optional option of a typed value.
    init<Wrapped: TypedArgument>(name: NameSpecification = .long, help: ArgumentHelp? = nil) where Value == Wrapped? {
        self.init(name: name, help: help, transform: Wrapped.parse(argument:))
    }
}
