import ArgumentParser
import Foundation
import GapTrackDomain
import GapTrackStore
#if canImport(Glibc)
import Glibc
#endif

/// `gaptrack import students|markers|attendance|assessments|support|ctf FILE --provider CODE`.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a CSV file of students, markers, attendance, assessments or support, or a Common Transfer File (ctf).",
        discussion: """
            The file's columns are described in docs/import-formats.md. A file loads completely or not at all; \
            with --skip-invalid the valid rows load and the rejected ones are written, with their reasons, to a \
            rejects file. Importing the same file again changes nothing. MIS exports with other column names \
            load through --preset, --map or --mapping; one-row-per-pupil files (a column per flag for markers, a \
            column per subject for assessments) through --layout wide, with --fill for columns the file lacks. --dry-run checks the whole file and prints what it would \
            insert, update and leave unchanged, writing nothing. A file with a header and no rows is an error.
            'gaptrack import ctf FILE.xml' reads the DfE Common Transfer File: pupils with their UPN and former UPN, \
            FSM and SEN history, EAL, looked-after status and KS2 scaled scores; it loads completely or not at all.
            'gaptrack import list --provider CODE' lists the provider's imports with their ids; \
            'gaptrack import undo ID --provider CODE' reverses one (docs/import-formats.md, "Undo and dry run").
            """)

    @OptionGroup var database: DatabaseOptions

    @Argument(help: "What the file holds: students, markers, attendance, assessments, support, calendar, student-records, support-applications or ctf; or list, or undo.")
    var kind: String

    @Argument(help: "The CSV file, with a header line (or, for ctf, the CTF's XML file); for undo, the import's id.", completion: .file(extensions: ["csv", "xml"]))
    var file: String?

    @Option(help: "The provider the file belongs to (see 'gaptrack provider list').")
    var provider: ProviderCode

    @Option(name: .customLong("preset"), help: "Column names of a typical export: sims, arbor, bromcom or scholarpack (MIS), hesa or sits (student records) (repeatable).")
    var presets: [String] = []

    @Option(name: .customLong("map"), help: ArgumentHelp("Map one of the file's columns onto gaptrack's (repeatable).", valueName: "Their Name=our_name"))
    var maps: [String] = []

    @Option(name: .customLong("map-values"), help: ArgumentHelp("Map one column's values onto gaptrack's, e.g. 'FSM:T=Y,F=N' (repeatable).", valueName: "Column:from=to,..."))
    var valueMaps: [String] = []

    @Option(name: .customLong("mapping"), help: "A file of 'Their Name=our_name' lines, then optionally sections: '[values]' with 'Column:from=to,...' lines, '[fill]' with 'our_name=value' lines, '[layout]' with 'wide' (# starts a comment).")
    var mappingFile: String?

    @Option(name: .customLong("fill"), help: ArgumentHelp("Give a column the file lacks one value for every row, e.g. 'term=autumn' (repeatable).", valueName: "our_name=value"))
    var fills: [String] = []

    @Option(name: .customLong("subject"), help: ArgumentHelp("Wide assessments: a subject column (repeatable); default every column that is not the pupil's.", valueName: "Their Column"))
    var subjects: [String] = []

    @Flag(help: "Load the valid rows, and write the invalid ones with their reasons to a rejects file.")
    var skipInvalid = false

    @Option(help: "Where --skip-invalid writes rejected rows (default: FILE.rejects.csv beside the file). Never the file being imported; an existing file only with --force.")
    var rejects: String?

    @Flag(help: "Let --rejects replace a file that exists.")
    var force = false

    @Flag(help: "Check the whole file and print the counts it would insert, update and leave unchanged, writing nothing.")
    var dryRun = false

    @Option(help: "How many row errors to show.")
    var maxErrors = 20

    @Option(help: "students.csv and wide markers files: the date as at which the MIS snapshot columns (fsm, sen_status, ...) hold; default each row's start_date (students) or as_of column (markers).")
    var asOf: String?

    @Option(help: ArgumentHelp("students and assessments: the academic year of rows without one (MIS exports have no academic_year column); default: inferred from the file's dates where they name one year.", valueName: "2025/26"))
    var academicYear: String?

    @Option(help: "markers: 'wide' for one row per pupil with a column per flag (FSM, FSM Ever 6, SEN, EAL, looked after, pupil premium) as at --as-of or an as_of column; assessments: 'wide' for one row per pupil with a column per subject. Default 'long' (or the mapping file's [layout]).")
    var layout: String?

    @Flag(help: "Also show how long each step took.")
    var timings = false

    func validate() throws {
        if let ledger = ImportLedgerCommand(kind: kind, file: file) {
            return try ledger.validate()
        }
        guard file != nil else { throw ValidationError("name the file to import") }
        guard ImportKind(rawValue: kind.lowercased()) != nil else {
            throw ValidationError("'\(kind)' is not a kind of import file; use one of: \(ImportKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        for preset in presets where ColumnMapping.Preset(rawValue: preset.lowercased()) == nil {
            throw ValidationError("'\(preset)' is not a preset; use one of: \(ColumnMapping.Preset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let asOf { _ = try CalendarDate(parsing: asOf) }
        if let academicYear { _ = try Self.parseAcademicYear(academicYear) }
        for map in valueMaps {
            do { _ = try ValueMap(parsing: map) } catch { throw ValidationError("--map-values: \(error)") }
        }
        for fill in fills {
            do { _ = try ColumnMapping.fill(parsing: fill) } catch { throw ValidationError("--fill: \(error)") }
        }
        if kind.lowercased() == ImportKind.ctf.rawValue {
            // A CTF is XML with fixed element names, and loads completely or not at all.
            let csvOnly = [("--skip-invalid", skipInvalid), ("--rejects", rejects != nil), ("--preset", !presets.isEmpty),
                           ("--map", !maps.isEmpty), ("--map-values", !valueMaps.isEmpty), ("--mapping", mappingFile != nil), ("--as-of", asOf != nil),
                           ("--academic-year", academicYear != nil), ("--fill", !fills.isEmpty), ("--subject", !subjects.isEmpty)]
            if let (option, _) = csvOnly.first(where: { $0.1 }) {
                throw ValidationError("\(option) is for CSV files; a Common Transfer File has fixed element names and loads completely or not at all")
            }
        }
        let yearKinds: [ImportKind] = [.students, .assessments]
        if academicYear != nil, kind.lowercased() != ImportKind.ctf.rawValue, !yearKinds.map(\.rawValue).contains(kind.lowercased()) {
            throw ValidationError("--academic-year is for students and assessments files; every row of a \(kind.lowercased()) file is dated (or, for student records, has its year from the commencement date and year of programme), and its dates name the year")
        }
        if let layout {
            guard let chosen = ImportLayout(rawValue: layout.lowercased()) else {
                throw ValidationError("--layout '\(layout)' is not a layout; use long or wide")
            }
            try Self.checkLayout(chosen, kind: kind)
        }
        if !subjects.isEmpty && layout?.lowercased() != ImportLayout.wide.rawValue && mappingFile == nil {
            throw ValidationError("--subject names a wide marksheet's subject columns; give --layout wide too")
        }
        guard maxErrors >= 0 else { throw ValidationError("--max-errors must be 0 or more") }
    }

    func run() throws {
        if let ledger = ImportLedgerCommand(kind: kind, file: file) {
            return try ledger.run(provider: provider, database: database)
        }
        let file = file!
        var pairs = try maps.map { try ColumnMapping.Pair(parsing: $0) }
        var values = try valueMaps.map { try ValueMap(parsing: $0) }
        var filled = try fills.map { try ColumnMapping.fill(parsing: $0) }
        var chosenLayout = layout.flatMap { ImportLayout(rawValue: $0.lowercased()) }
        if let mappingFile {
            let file = try ColumnMapping.read(fromFile: URL(fileURLWithPath: mappingFile))
            pairs = file.pairs + pairs
            values = file.valueMaps + values
            filled = file.fills + filled
            if chosenLayout == nil, let declared = file.layout {
                do { try Self.checkLayout(declared, kind: kind) } catch { throw ValidationError("\(mappingFile): \(error)") }
                chosenLayout = declared
            }
        }
        let mapping = ColumnMapping(presets: presets.compactMap { ColumnMapping.Preset(rawValue: $0.lowercased()) }, pairs: pairs,
                                    valueMaps: values, fills: filled)
        let showProgress = isatty(STDERR_FILENO) == 1
        let options = ImportOptions(
            mapping: mapping, skipInvalid: skipInvalid, rejectsURL: rejects.map { URL(fileURLWithPath: $0) },
            replaceRejects: force, dryRun: dryRun, maxErrorsShown: maxErrors, asOf: try asOf.map { try CalendarDate(parsing: $0) },
            academicYear: try academicYear.map(Self.parseAcademicYear), layout: chosenLayout ?? .long, subjectColumns: subjects,
            progress: showProgress ? Self.showProgress : nil)
        let connection = try database.connect()
        do {
            let summary = try Importer(connection: connection).importFile(
                kind: ImportKind(rawValue: kind.lowercased())!, url: URL(fileURLWithPath: file), provider: provider, options: options)
            if showProgress { Self.writeError("\r\u{1B}[K") }
            if let previous = summary.previousImport, !summary.dryRun {
                let when = previous.finishedAt.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: false))
                print(summary.changedNothing
                      ? "This exact file was imported before (import \(previous.importID), \(when)): no changes."
                      : "This exact file was imported before (import \(previous.importID), \(when)); it was applied again.")
            }
            print(summary.line)
            if let rejectsFile = summary.rejectsFile {
                print("\(ImportSummary.grouped(summary.rejected)) rejected row\(summary.rejected == 1 ? "" : "s") written, with reasons, to \(rejectsFile.path)")
            }
            if !summary.ignoredColumns.isEmpty {
                print("Columns not used: \(summary.ignoredColumns.map { "'\($0)'" }.joined(separator: ", "))")
            }
            for notice in summary.notices { print(notice) }
            if timings {
                for phase in summary.phases { print(String(format: "  %7.3f s  %@", phase.seconds, phase.name)) }
            }
        } catch let error as ImportError {
            if showProgress { Self.writeError("\r\u{1B}[K") }
            Self.writeError(error.description + "\n")
            throw ExitCode.failure
        }
    }

    /// Wide files are markers (a column per flag) and marksheets (a column per subject).
    static func checkLayout(_ layout: ImportLayout, kind: String) throws {
        let wideKinds: [ImportKind] = [.markers, .assessments]
        if layout == .wide && !wideKinds.map(\.rawValue).contains(kind.lowercased()) {
            throw ValidationError("--layout wide is for markers files (a column per flag) and assessments files (a column per subject); a students file's flag columns load as they are")
        }
    }

    static func parseAcademicYear(_ text: String) throws -> AcademicYear {
        do {
            return try AcademicYear(parsing: text)
        } catch {
            throw ValidationError("--academic-year: \(error)")
        }
    }

    /// "attendance.csv: 420,000 rows read (812,345 rows/s)", rewritten in place on stderr.
    @Sendable static func showProgress(_ progress: ImportProgress) {
        writeError("\r\u{1B}[K\(progress.fileName): \(ImportSummary.grouped(progress.rowsRead)) rows read (\(ImportSummary.grouped(Int(progress.rowsPerSecond))) rows/s)")
    }

    static func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
