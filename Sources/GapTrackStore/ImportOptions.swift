import Foundation
import GapTrackDomain

/// How to run one import. The defaults are the safe ones: all-or-nothing, 20 errors shown.
public struct ImportOptions: Sendable {
    /// How the file's column names map onto gaptrack's (presets, `--map`, a mapping file).
    public var mapping: ColumnMapping
    /// Load the valid rows and write the invalid ones, with reasons, to `rejectsURL`.
    /// Without it, one invalid row means nothing is loaded.
    public var skipInvalid: Bool
    /// Where rejected rows go with `skipInvalid`; default `FILE.rejects.csv` beside the file.
    public var rejectsURL: URL?
    /// Lets an explicit `rejectsURL` replace a file that exists. The default path beside the file
    /// is gaptrack's own output and is always replaced; the input file itself never is.
    public var replaceRejects: Bool
    /// Validate and count everything inside the import's transaction, then roll it back: the
    /// summary holds the counts the real import would have, and nothing is written, not even
    /// the ledger or a rejects file.
    public var dryRun: Bool
    /// How many row errors an `ImportError.invalidRows` carries for display.
    public var maxErrorsShown: Int
    /// students.csv: the date as at which MIS snapshot columns (FSM, SEN, ...) hold; default
    /// each row's start_date.
    public var asOf: CalendarDate?
    /// The academic year of a file without an `academic_year` column (MIS exports have none);
    /// when nil it is inferred from the file's dates where they name one year
    /// (docs/import-formats.md, "The academic year").
    public var academicYear: AcademicYear?
    /// `.wide`: one row per pupil with a column per flag (markers) or per subject (assessments).
    public var layout: ImportLayout
    /// A wide marksheet's subject columns, when not every other column is one (`--subject`).
    public var subjectColumns: [String]
    /// Called now and then while a file is read (for a progress line on a terminal).
    public var progress: (@Sendable (ImportProgress) -> Void)?
    /// Recorded in the import ledger as who ran the import; default the operating-system user.
    public var operatingSystemUser: String?

    public init(mapping: ColumnMapping = ColumnMapping(), skipInvalid: Bool = false, rejectsURL: URL? = nil,
                replaceRejects: Bool = false, dryRun: Bool = false, maxErrorsShown: Int = 20, asOf: CalendarDate? = nil,
                academicYear: AcademicYear? = nil, layout: ImportLayout = .long, subjectColumns: [String] = [],
                progress: (@Sendable (ImportProgress) -> Void)? = nil, operatingSystemUser: String? = nil) {
        self.mapping = mapping
        self.skipInvalid = skipInvalid
        self.rejectsURL = rejectsURL
        self.replaceRejects = replaceRejects
        self.dryRun = dryRun
        self.maxErrorsShown = max(0, maxErrorsShown)
        self.asOf = asOf
        self.academicYear = academicYear
        self.layout = layout
        self.subjectColumns = subjectColumns
        self.progress = progress
        self.operatingSystemUser = operatingSystemUser
    }
}

/// How an import file's rows are shaped (docs/import-formats.md, "Wide files").
public enum ImportLayout: String, Sendable, Hashable, CaseIterable {
    /// One row per fact: a markers file's row is one spell.
    case long
    /// One row per pupil, a column per flag (markers) or per subject (assessments).
    case wide
}

/// How far an import has got: rows read so far and the time taken.
public struct ImportProgress: Sendable {
    public let fileName: String
    public let rowsRead: Int
    public let elapsedSeconds: Double

    public var rowsPerSecond: Double { elapsedSeconds > 0 ? Double(rowsRead) / elapsedSeconds : 0 }
}
