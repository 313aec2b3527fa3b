import ArgumentParser
import GapTrackDomain
@testable import gaptrack
import Testing

/// Provider codes, cohorts and terms are parsed where they are typed, and a mistake is
/// refused with the domain type's own message.
@Suite("Typed command-line values")
struct ArgumentTypesTests {
    /// A command that takes the typed values the way gaptrack's commands declare them.
    struct Sample: ParsableCommand {
        @Option var provider: ProviderCode
        @Option(help: "A cohort.") var cohort: CohortCode?
        @Option(name: .customLong("term"), help: "A term.") var term: AcademicTerm = try! AcademicTerm(parsing: "2024/25-autumn")
        @Option var year: AcademicYear?
    }

    @Test("values are parsed into their types, as typed by people")
    func parsesValues() throws {
        let sample = try Sample.parse(["--provider", " St-Marys ", "--cohort", "Year 11", "--term", "2024/25-Summer", "--year", "2024-25"])
        #expect(sample.provider == (try ProviderCode(parsing: "st-marys")))
        #expect(sample.cohort == .yearGroup("11"))
        #expect(sample.term == AcademicTerm(year: AcademicYear(startYear: 2024), term: .summer))
        #expect(sample.year == AcademicYear(startYear: 2024))

        let defaults = try Sample.parse(["--provider", "st-marys"])
        #expect(defaults.cohort == nil)
        #expect(defaults.term == AcademicTerm(year: AcademicYear(startYear: 2024), term: .autumn))
        #expect(defaults.year == nil)
    }

    static func message(_ arguments: [String]) -> String {
        do {
            _ = try Sample.parse(arguments)
            return "parsed"
        } catch {
            return Sample.message(for: error)
        }
    }

    @Test("a mistyped value is refused with the rule and an example")
    func refusesWithTypedMessage() {
        #expect(Self.message(["--provider", "St Marys!"])
            == "The value 'St Marys!' is invalid for '--provider <provider>': " + ProviderCodeError.invalid("St Marys!").description)
        #expect(Self.message(["--provider", "st-marys", "--cohort", "year-19"])
            == "The value 'year-19' is invalid for '--cohort <cohort>': " + CohortCodeError.unknownYearGroup("year-19").description)
        #expect(Self.message(["--provider", "st-marys", "--term", "2024-autumn"])
            == "The value '2024-autumn' is invalid for '--term <term>': " + AcademicYearError.unrecognisedTermFormat("2024-autumn").description)
        #expect(Self.message(["--provider", "st-marys", "--year", "2024/26"])
            == "The value '2024/26' is invalid for '--year <year>': " + AcademicYearError.yearsNotConsecutive("2024/26").description)
    }

    @Test("ExpressibleByArgument agrees with the typed parse")
    func expressibleByArgument() {
        #expect(ProviderCode(argument: "Demo-Academy")?.value == "demo-academy")
        #expect(ProviderCode(argument: "-x") == nil)
        #expect(CohortCode(argument: "intake-2024") == .intake(2024))
        #expect(CohortCode(argument: "intake-24") == nil)
        #expect(AcademicTerm(argument: "2024/25-spring")?.description == "2024/25-spring")
        #expect(AcademicTerm(argument: "2024/25-winter") == nil)
    }
}
