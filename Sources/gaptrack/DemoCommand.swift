import ArgumentParser
import CSVFormat
import DemoData
import Foundation
import GapTrackDomain
import GapTrackStore
import Postgres
import PrivateCluster
#if canImport(Glibc)
import Glibc
#endif

/// `gaptrack demo generate|load`: a realistic synthetic school and university, from a fixed seed.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Make a realistic synthetic data set (a secondary school and a university) and load it.",
        discussion: """
            The same seed and options always give the same files, byte for byte. Demo Academy has about 1,000 pupils \
            in Years 7-11 in 2024/25 (plus last year's Year 11), about 25% disadvantaged, with a full year of session \
            attendance, termly assessments, KS2 results and pupil premium support. Demo University has five intakes \
            of about 1,500 students (2020/21 to 2024/25) with IMD, POLAR4, TUNDRA and ABCS quintiles, tariff, SMC parental \
            occupation, first in family, care leavers, bursaries and hardship awards, module marks, withdrawals and, in its \
            student-record extract, continuation, completion, degree classes and progression. Nobody in it is real.
            Example: gaptrack demo load
            """,
        subcommands: [Generate.self, Load.self]
    )

    /// The options that decide what is generated.
    struct GenerationOptions: ParsableArguments {
        @Option(help: "The random seed: the same seed gives the same data.")
        var seed: UInt64 = DemoOptions.defaultSeed

        @Option(help: "Multiply every cohort: 200 pupils per school year group and 1,500 students per university intake, times this.")
        var scale: Int = 1

        @Option(name: .customLong("cohort-size"), help: ArgumentHelp(
            "Pupils in each school year group and students in each university intake (overrides --scale).",
            discussion: "With --year-groups 11 --no-leavers this is one cohort of exactly that many pupils (e.g. 600000 for the benchmark)."))
        var cohortSize: Int?

        @Option(name: .customLong("year-groups"), help: "The school's year groups in 2024/25, e.g. 7-11 (the default), 11 or 10,11.")
        var yearGroups = "7-11"

        @Flag(name: .customLong("no-leavers"), help: "Leave out last year's Year 11 (who left in July 2024 and give the 2023/24 KS4 results).")
        var noLeavers = false

        @Option(name: .customLong("attendance-days"), help: ArgumentHelp(
            "Write the register for only the first N school days of 2024/25 (of 190; 0 for none).",
            discussion: "Marks = pupils on roll x 2 sessions x days: e.g. 2,632 pupils x 190 days, or 500,000 pupils x 1 day, is about 1,000,000 marks."))
        var attendanceDays: Int?

        @Option(help: "Generate only the school or only the university.")
        var only: DemoOptions.ProviderChoice?

        func demoOptions() throws -> DemoOptions {
            let options = DemoOptions(
                seed: seed, scale: scale, cohortSize: cohortSize, yearGroups: try DemoOptions.yearGroups(parsing: yearGroups),
                includeLeavers: !noLeavers, attendanceDays: attendanceDays, providers: only.map { [$0] } ?? DemoOptions.ProviderChoice.allCases)
            try options.validate()
            return options
        }

        /// Generates into `folder` and prints what was written.
        func generate(into folder: URL) throws -> DemoDataSet {
            let options = try demoOptions()
            let clock = ContinuousClock()
            let start = clock.now
            let dataSet = try DemoGenerator(options: options).write(to: folder)
            let seconds = Self.seconds(start.duration(to: clock.now))
            print("Generated the demo data (seed \(options.seed)) in \(folder.path) in \(String(format: "%.1f", seconds)) s:")
            for provider in dataSet.providers {
                let noun = provider.provider.kind == .school ? "pupils" : "students"
                print("  \(provider.provider.code) (\(provider.provider.name), \(ImportSummary.grouped(provider.studentCount)) \(noun))")
                for file in provider.files {
                    let name = file.file.fileName.padding(toLength: max(16, file.file.fileName.count + 1), withPad: " ", startingAt: 0)
                    let rows = ImportSummary.grouped(file.rowCount)
                    print("    \(name)\(String(repeating: " ", count: max(0, 12 - rows.count)))\(rows) rows")
                }
            }
            return dataSet
        }

        static func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the demo data as import files: one folder per provider, in OUT.",
            discussion: "Example: gaptrack demo generate --out demo-data --seed 2024 --scale 2")

        @Option(help: "The folder to write into (created if needed; files of the same names are replaced).")
        var out: String

        @OptionGroup var generation: GenerationOptions

        @Option(help: "csv: the import files of every provider; ctf: Demo Academy's pupils as one Common Transfer File (XML).")
        var format: OutputFormat = .csv

        enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
            case csv, ctf
        }

        func run() throws {
            let folder = URL(fileURLWithPath: out, isDirectory: true)
            if format == .ctf {
                let written = try SchoolCTFWriter(options: try generation.demoOptions())
                    .write(into: folder.appendingPathComponent(DemoProvider.academy.code))
                print("Wrote \(ImportSummary.grouped(written.pupils)) pupils of \(DemoProvider.academy.name) as a Common Transfer File: \(written.url.path)")
                print("Load it with 'gaptrack import ctf \(written.url.path) --provider \(DemoProvider.academy.code)'.")
                return
            }
            _ = try generation.generate(into: folder)
            print("Load it with 'gaptrack demo load' (same options), or file by file with 'gaptrack import KIND FILE --provider CODE'.")
        }
    }

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate the demo data and load it: applies pending migrations, adds the demo providers, imports every file.",
            discussion: """
                Loading the same data again changes nothing. Without --out the files go to a temporary folder that is \
                removed afterwards.
                Example: gaptrack demo load --seed 2024
                """)

        @Option(help: "Keep the generated files in this folder instead of a temporary one.")
        var out: String?

        @OptionGroup var generation: GenerationOptions

        @OptionGroup var database: DatabaseOptions

        @Option(name: .customLong("as-provider"), help: ArgumentHelp(
            "Load the demo school under this provider code instead of demo-academy (with --only school and --urn).",
            discussion: "For many schools in one database: a trust's group report, or the many-schools benchmark (give each a --seed of its own)."))
        var asProvider: ProviderCode?

        @Option(help: "The URN of the school loaded with --as-provider (6 digits, unique in the database).")
        var urn: String?

        func validate() throws {
            guard asProvider != nil || urn == nil else { throw ValidationError("--urn goes with --as-provider") }
            if asProvider != nil, generation.only != .school || urn == nil {
                throw ValidationError("--as-provider loads the demo school alone: give --only school and --urn too")
            }
        }

        func run() throws {
            let temporary = out == nil
            let folder = out.map { URL(fileURLWithPath: $0, isDirectory: true) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("gaptrack-demo-" + UUID().uuidString, isDirectory: true)
            defer { if temporary { try? FileManager.default.removeItem(at: folder) } }
            let dataSet = try generation.generate(into: folder)

            let connection = try database.connect()
            let applied = try MigrationRunner(folder: ProjectFolder.locate().migrationsFolder()).apply(on: connection)
            if !applied.isEmpty { print("Applied \(applied.count) pending migration(s).") }
            print("Loading into database \(connection.databaseName) on \(database.location):")
            let loader = DemoLoader(connection: connection, progress: isatty(STDERR_FILENO) == 1 ? Self.showProgress : nil)
            do {
                for provider in dataSet.providers {
                    let created = try asProvider.map { try loader.ensureSchool($0, urn: urn ?? "") } ?? loader.ensureProvider(provider.provider)
                    print("  \(asProvider?.value ?? provider.provider.code): \(created ? "added the provider" : "provider already present")")
                    try loader.importFiles(of: provider, as: asProvider) { summary in
                        if isatty(STDERR_FILENO) == 1 { Self.writeError("\r\u{1B}[K") }
                        print("    " + summary.line)
                    }
                }
            } catch let error as ImportError {
                if isatty(STDERR_FILENO) == 1 { Self.writeError("\r\u{1B}[K") }
                Self.writeError(error.description + "\n")
                throw ExitCode.failure
            }
            print("Done. Try: gaptrack report termly --provider demo-academy --cohort year-11 --term 2024/25-summer")
        }

        @Sendable static func showProgress(_ progress: ImportProgress) {
            writeError("\r\u{1B}[K    \(progress.fileName): \(ImportSummary.grouped(progress.rowsRead)) rows read")
        }

        static func writeError(_ text: String) {
            FileHandle.standardError.write(Data(text.utf8))
        }
    }
}

/// Puts generated demo files into the database through the same importer as `gaptrack import`:
/// registers each demo provider if it is missing, then imports its files in dependency order
/// (students first).
struct DemoLoader {
    let connection: PostgresConnection
    var progress: (@Sendable (ImportProgress) -> Void)? = nil

    /// Adds the provider unless a provider with its code exists; returns whether it was added.
    /// An existing provider of another kind is refused, since the files would not fit it.
    func ensureProvider(_ demo: DemoProvider) throws -> Bool {
        let repository = Providers(connection: connection)
        let kind: ProviderKind = demo.kind == .school ? .school : .university
        if let existing = try repository.find(code: try ProviderCode(parsing: demo.code)) {
            guard existing.kind == kind else {
                throw DemoLoadError.providerKindDiffers(code: demo.code, existing: existing.kind.rawValue, expected: kind.rawValue)
            }
            return false
        }
        try repository.create(Provider(
            code: demo.code, name: demo.name, kind: kind, urn: try demo.urn.map { try URN($0) },
            ukprn: try demo.ukprn.map { try UKPRN($0) }, laCode: demo.localAuthorityCode))
        return true
    }

    /// Adds a school under `code` (`demo load --as-provider`) unless it exists.
    func ensureSchool(_ code: ProviderCode, urn: String) throws -> Bool {
        let repository = Providers(connection: connection)
        if try repository.find(code: code) != nil { return false }
        try repository.create(Provider(
            code: code.value, name: "Demo School " + code.value, kind: .school, urn: try URN(urn), laCode: DemoProvider.academy.localAuthorityCode))
        return true
    }

    /// Imports every file of one generated provider, in import order, calling `imported` as
    /// each one finishes. Each file is its own transaction, as with `gaptrack import`.
    func importFiles(of generated: GeneratedProvider, as code: ProviderCode? = nil, imported: (ImportSummary) -> Void) throws {
        let importer = Importer(connection: connection)
        for file in generated.files {
            imported(try importer.importFile(kind: Self.importKind(of: file.file), url: file.url,
                                             provider: try code ?? ProviderCode(parsing: generated.provider.code), options: ImportOptions(progress: progress)))
        }
        try importFormGroups(of: generated, as: code, imported: imported)
        try importPupilPremiumPlan(of: generated, as: code)
        try importSupportReviews(of: generated, as: code)
        try importPupilGroups(of: generated, as: code)
    }

    /// The school's form groups (`SchoolFormGroups`), where the generator wrote them: a students
    /// import of the same enrolments with their forms.
    func importFormGroups(of generated: GeneratedProvider, as code: ProviderCode? = nil, imported: (ImportSummary) -> Void) throws {
        let file = generated.folder.appendingPathComponent(SchoolFormGroups.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        imported(try Importer(connection: connection).importFile(
            kind: .students, url: file, provider: try code ?? ProviderCode(parsing: generated.provider.code), options: ImportOptions(progress: progress)))
    }

    /// Each demo file is written in the format of one import kind (docs/import-formats.md).
    static func importKind(of file: DemoFile) -> ImportKind {
        switch file {
        case .students: .students
        case .markers: .markers
        case .attendance: .attendance
        case .assessments: .assessments
        case .support, .supportHistory: .support
        case .studentRecords: .studentRecords
        case .supportApplications: .supportApplications
        case .calendar: .calendar
        }
    }
}

/// Why the demo data could not be loaded.
enum DemoLoadError: Error, CustomStringConvertible {
    case providerKindDiffers(code: String, existing: String, expected: String)
    case reviewOfNoRecord(file: String, line: Int, reference: String)

    var description: String {
        switch self {
        case .providerKindDiffers(let code, let existing, let expected):
            return "a provider with code '\(code)' already exists as a \(existing), but the demo's '\(code)' is a \(expected); load the demo into another database (--database)"
        case .reviewOfNoRecord(let file, let line, let reference):
            return "\(file), line \(line), reference: no support record '\(reference)' was loaded; load the demo's support file first"
        }
    }
}

extension DemoLoader {
    /// The school's pupil premium plan (`SchoolPupilPremiumPlan`), where the generator wrote one.
    /// Under `--as-provider`, into that school, not the demo's own code.
    func importPupilPremiumPlan(of generated: GeneratedProvider, as code: ProviderCode? = nil) throws {
        let plan = generated.folder.appendingPathComponent(SchoolPupilPremiumPlan.fileName)
        guard FileManager.default.fileExists(atPath: plan.path) else { return }
        let school = try Providers(connection: connection).require(code: try code ?? ProviderCode(parsing: generated.provider.code))
        try PupilPremiumStrategies(connection: connection).importPlan(provider: school, file: plan)
    }
}

extension DemoLoader {
    /// The reviews of the school's interventions (`SchoolSupportReviews`), where the generator wrote
    /// them, each added to its record by reference as `gaptrack support review add` adds one; a
    /// review already there is left as it is, so loading twice changes nothing.
    func importSupportReviews(of generated: GeneratedProvider, as code: ProviderCode? = nil) throws {
        let file = generated.folder.appendingPathComponent(SchoolSupportReviews.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        let school = try Providers(connection: connection).require(code: try code ?? ProviderCode(parsing: generated.provider.code))
        let reviews = SupportReviews(connection: connection, providerID: school.id!)
        let rows = try CSVReader(path: file.path).readAll().dropFirst()
        try connection.transaction { _ in
            for row in rows {
                let field = Dictionary(uniqueKeysWithValues: zip(SchoolSupportReviews.header, row.fields))
                guard let reference = field["reference"], let id = try reviews.recordID(reference: reference) else {
                    throw DemoLoadError.reviewOfNoRecord(file: file.lastPathComponent, line: row.lineNumber, reference: field["reference"] ?? "")
                }
                let review = NewSupportReview(
                    date: try CalendarDate(parsing: field["date"] ?? ""), reviewer: field["reviewer"] ?? "", progressNote: field["progress_note"] ?? "",
                    entryResult: field["entry_result"].flatMap { $0.isEmpty ? nil : $0 }, exitResult: field["exit_result"].flatMap { $0.isEmpty ? nil : $0 })
                _ = try reviews.add(supportID: id, review)
            }
        }
    }

    /// The school's own groups of pupils (`SchoolPupilGroups`), where the generator wrote them,
    /// each added with its members as `gaptrack pupil-group add` and `members` add them; loading
    /// twice changes nothing.
    func importPupilGroups(of generated: GeneratedProvider, as code: ProviderCode? = nil) throws {
        let file = generated.folder.appendingPathComponent(SchoolPupilGroups.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return }
        let school = try Providers(connection: connection).require(code: try code ?? ProviderCode(parsing: generated.provider.code))
        let groups = PupilGroups(connection: connection)
        let rows = try CSVReader(path: file.path).readAll().dropFirst().map { Dictionary(uniqueKeysWithValues: zip(SchoolPupilGroups.header, $0.fields)) }
        var names: [String: String] = [:], members: [String: [String]] = [:]
        for field in rows {
            guard let group = field["group"], let upn = field["upn"] else { continue }
            names[group] = field["name"] ?? group
            members[group, default: []].append(upn)
        }
        try connection.transaction { _ in
            for (group, name) in names.sorted(by: { $0.key < $1.key }) {
                _ = try groups.add(providerID: school.id!, code: group, name: name)
                _ = try groups.setMembers(providerID: school.id!, code: group, identifiers: members[group] ?? [])
            }
        }
    }
}
