/// The kinds of import file (docs/import-formats.md). Raw values are the database's
/// `import_kind` and the word after `gaptrack import`.
public enum ImportKind: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case students
    case markers
    case attendance
    case assessments
    case support
    /// The DfE Common Transfer File (XML): pupils, markers and KS2 results in one file.
    case ctf
    /// The school calendar: term dates, holidays, closures, INSET days.
    case calendar
    /// A university's student-record extract (HESA / SITS): courses, instances and outcomes.
    case studentRecords = "student-records"
    /// Applications for cost-of-living support and their decisions (a university's funnel).
    case supportApplications = "support-applications"

    public var description: String { rawValue }

    /// The file's columns, in the order the format document lists them.
    public var columns: [ImportColumn] {
        switch self {
        case .students: return StudentsImport.columns
        case .markers: return MarkersImport.columns
        case .attendance: return AttendanceImport.columns
        case .assessments: return AssessmentsImport.columns
        case .support: return SupportImport.columns
        case .ctf: return []
        case .calendar: return SchoolCalendarImport.columns
        case .studentRecords: return StudentRecordsImport.columns
        case .supportApplications: return SupportApplicationsImport.columns
        }
    }
}

/// One column of an import format: its canonical name, and whether every file must have it.
public struct ImportColumn: Sendable, Hashable {
    public let name: String
    public let isRequired: Bool

    public init(_ name: String, required: Bool = false) {
        self.name = name
        self.isRequired = required
    }
}
