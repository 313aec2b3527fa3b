import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackReports
import GapTrackStore

extension PupilPremiumTier: ExpressibleByArgument, TypedArgument {
    public init?(argument: String) {
        guard let tier = try? Self(parsing: argument) else { return nil }
        self = tier
    }

    public static func parse(argument: String) throws -> PupilPremiumTier { try PupilPremiumTier(parsing: argument) }
}

extension PoundsAndPence: ExpressibleByArgument, TypedArgument {
    public static func parse(argument: String) throws -> PoundsAndPence { try PoundsAndPence(parsing: argument) }
}

/// `gaptrack pupil-premium`: the school's pupil premium strategy: planned budget by EEF tier,
/// the statement's rows, and which tier each support type's spend counts in
/// (docs/methodology.md §6.5). The yearly review is `gaptrack report pupil-premium`.
struct PupilPremiumCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pupil-premium",
        abstract: "Record the pupil premium strategy: the planned budget by EEF tier, challenges, intended outcomes and activities.",
        subcommands: [Plan.self, Tier.self])

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set the planned budget of a tier, a statement row, or import a plan file.",
            subcommands: [SetBudget.self, Row.self, Import.self])
    }

    struct SetBudget: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set the planned budget of one EEF tier for an academic year.",
            discussion: "Example: gaptrack pupil-premium plan set --provider demo-academy --year 2024/25 --tier targeted-academic-support --amount 42000.00")

        @Option(help: "The school's code.") var provider: ProviderCode
        @Option(help: "The academic year, e.g. 2024/25.") var year: AcademicYear
        @Option(help: "high-quality-teaching, targeted-academic-support or wider-strategies.") var tier: PupilPremiumTier
        @Option(help: "The planned budget in pounds, e.g. 42000.00.") var amount: PoundsAndPence
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let connection = try database.connect()
            let school = try Providers(connection: connection).require(code: provider)
            try PupilPremiumStrategies(connection: connection).setBudget(provider: school, year: year, tier: tier, amount: amount)
            print("\(school.code) \(year): \(tier.label) budget set to \(amount.formatted).")
        }
    }

    struct Row: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set one row of the strategy statement: a challenge, an intended outcome or an activity (same section and number: replaced).",
            discussion: """
                Examples:
                  gaptrack pupil-premium plan row --provider demo-academy --year 2024/25 --section challenge --number 1 --text "Low attendance"
                  gaptrack pupil-premium plan row --provider demo-academy --year 2024/25 --section intended-outcome --number 1 \\
                    --text "Attendance of disadvantaged pupils improves" --success-criteria "Gap under 3 points by July"
                  gaptrack pupil-premium plan row --provider demo-academy --year 2024/25 --section activity --number 1 \\
                    --tier targeted-academic-support --text "Small-group maths tutoring" --evidence "EEF Toolkit: small group tuition, +4 months" --challenges 2
                """)

        @Option(help: "The school's code.") var provider: ProviderCode
        @Option(help: "The academic year, e.g. 2024/25.") var year: AcademicYear
        @Option(help: "challenge, intended-outcome or activity.") var section: String
        @Option(help: "The row's number within its section (1 to 999).") var number: Int
        @Option(help: "The challenge, outcome or activity in words.") var text: String
        @Option(help: "Activities: their tier.") var tier: PupilPremiumTier?
        @Option(help: "Activities: the evidence that supports the approach.") var evidence: String?
        @Option(help: "Activities: the challenge numbers addressed, e.g. 1;3.") var challenges: String?
        @Option(help: "Activities bought in: the programme's provider.") var externalProvider: String?
        @Option(help: "Intended outcomes: how success will be judged.") var successCriteria: String?
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            guard let section = PupilPremiumStatementRow.Section(rawValue: section.replacingOccurrences(of: "-", with: "_")) else {
                throw ValidationError("--section '\(section)' is not a section; use challenge, intended-outcome or activity")
            }
            guard (1...999).contains(number) else { throw ValidationError("--number \(number) must be from 1 to 999") }
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--text must not be empty") }
            if (section == .activity) != (tier != nil) { throw ValidationError("an activity needs --tier, and only an activity has one") }
            var numbers: [Int] = []
            for part in (challenges ?? "").split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }) {
                guard let challenge = Int(part), (1...999).contains(challenge) else {
                    throw ValidationError("--challenges '\(challenges ?? "")': write challenge numbers separated by ';', e.g. 1;3")
                }
                numbers.append(challenge)
            }
            if section != .activity, !numbers.isEmpty || evidence != nil || externalProvider != nil {
                throw ValidationError("--challenges, --evidence and --external-provider are for activities only")
            }
            if section != .intendedOutcome, successCriteria != nil { throw ValidationError("--success-criteria is for intended outcomes only") }
            let connection = try database.connect()
            let school = try Providers(connection: connection).require(code: provider)
            try PupilPremiumStrategies(connection: connection).setRow(provider: school, year: year, PupilPremiumStatementRow(
                section: section, number: number, text: text, tier: tier, evidence: evidence, challenges: numbers,
                externalProvider: externalProvider, successCriteria: successCriteria))
            print("\(school.code) \(year): \(section.rawValue.replacingOccurrences(of: "_", with: " ")) \(number) set.")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import a pupil premium plan file (docs/import-formats.md, \"Pupil premium plan\"): all rows or none.",
            discussion: "Example: gaptrack pupil-premium plan import plan.csv --provider demo-academy")

        @Argument(help: "The plan file (CSV).") var file: String
        @Option(help: "The school's code.") var provider: ProviderCode
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let connection = try database.connect()
            let school = try Providers(connection: connection).require(code: provider)
            let plan = try PupilPremiumStrategies(connection: connection).importPlan(provider: school, file: URL(fileURLWithPath: file))
            print("\(school.code): \(plan.budgets.count) budget row(s) and \(plan.rows.count) statement row(s) stored from \(file).")
        }
    }

    struct Tier: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Which EEF tier each support type's pupil premium spend counts in.",
            subcommands: [SetTier.self, ListTiers.self])
    }

    struct SetTier: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set", abstract: "Assign a support type to a tier for this school (overrides the default).",
            discussion: "Example: gaptrack pupil-premium tier set --provider demo-academy --type mentoring --tier targeted-academic-support")

        @Option(help: "The school's code.") var provider: ProviderCode
        @Option(help: "The support type, e.g. tutoring.") var type: String
        @Option(help: "high-quality-teaching, targeted-academic-support or wider-strategies.") var tier: PupilPremiumTier
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let connection = try database.connect()
            let school = try Providers(connection: connection).require(code: provider)
            try PupilPremiumStrategies(connection: connection).assignTier(provider: school, type: type, tier: tier)
            print("\(school.code): \(type) counts in \(tier.label).")
        }
    }

    struct ListTiers: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List each support type's tier.")

        @Option(help: "The school's code.") var provider: ProviderCode
        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let connection = try database.connect()
            let school = try Providers(connection: connection).require(code: provider)
            for assignment in try PupilPremiumStrategies(connection: connection).tierAssignments(providerID: school.id ?? 0) {
                print("\(assignment.type): \(assignment.tier?.label ?? "no tier") (\(assignment.isProvidersOwn ? "set by the school" : "default"))")
            }
        }
    }
}

/// `gaptrack report pupil-premium`: the yearly review in the DfE strategy statement's sections.
struct PupilPremiumReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pupil-premium",
        abstract: "The yearly pupil premium review, in the sections of the DfE's strategy statement template.",
        discussion: """
            Allocation at the January census of the year, planned budget and actual spend by EEF tier, challenges, intended outcomes, \
            activities with their evidence, externally provided programmes and the service pupil premium (docs/methodology.md §6.5).
            Example: gaptrack report pupil-premium --provider demo-academy --year 2024/25 --audience governors --format html --output pp.html
            """)

    @Option(help: "The school's code.") var provider: ProviderCode
    @Option(help: "The academic year, e.g. 2024/25.") var year: AcademicYear
    @Option(help: "Count pupils on this day instead of the year's January census (YYYY-MM-DD).") var censusDate: CalendarDate?
    @OptionGroup var out: ReportOutputOptions
    @OptionGroup var database: DatabaseOptions

    func run() throws {
        let connection = try database.connect()
        let review = try PupilPremiumReviewQueries(connection: connection).review(provider: provider, year: year, audience: out.audience, census: censusDate)
        try out.deliver(try review.render(out.format))
    }
}

