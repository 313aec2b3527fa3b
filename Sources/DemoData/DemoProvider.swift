import GapTrackDomain

/// A provider the demo creates, with the details `gaptrack` needs to register it.
///
/// The identifiers are made up but have real shapes: a six-digit URN in the range used for
/// academies, a DfE number under Bristol (LA 801), and an eight-digit UKPRN starting with 1.
public struct DemoProvider: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case school
        case university
    }

    /// The short handle people type (`--provider demo-academy`).
    public let code: String
    public let name: String
    public let kind: Kind
    public let urn: String?
    public let ukprn: String?
    /// The DfE local authority number, for schools.
    public let localAuthorityCode: String?
    /// The school's four-digit DfE establishment number (the second half of its DfE number).
    public let establishmentNumber: String?

    /// A secondary academy of about 1,000 pupils in years 7 to 11.
    public static let academy = DemoProvider(
        code: "demo-academy", name: "Demo Academy", kind: .school,
        urn: "149876", ukprn: nil, localAuthorityCode: "801", establishmentNumber: "4987")

    /// A university with five intakes of about 1,500 students (two in students.csv, all five in its student-record extract).
    public static let university = DemoProvider(
        code: "demo-university", name: "Demo University", kind: .university,
        urn: nil, ukprn: "10098765", localAuthorityCode: nil, establishmentNumber: nil)

    /// The files the generator writes for this provider, in the order they must be imported
    /// (the calendar, then students, since every other file refers to them).
    public var files: [DemoFile] {
        switch kind {
        case .school: return [.calendar, .students, .markers, .attendance, .assessments, .support]
        // University attendance is not recorded in sessions with DfE register codes.
        case .university: return [.students, .markers, .assessments, .support, .studentRecords, .supportHistory, .supportApplications]
        }
    }
}

/// The import files of docs/import-formats.md.
public enum DemoFile: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The school's term dates, holidays and closures (`SchoolCalendarFile`), which the
    /// attendance marks are checked against.
    case calendar
    case students
    case markers
    case attendance
    case assessments
    case support
    /// The university's student-record extract (`UniversityHistory`): every intake's instances and outcomes.
    case studentRecords = "student-records"
    /// Support of the intakes before 2023/24, which support.csv does not hold.
    case supportHistory = "support-history"
    /// Applications for cost-of-living support of every intake (`UniversitySupportApplications`).
    case supportApplications = "support-applications"

    public var fileName: String { rawValue + ".csv" }
    public var description: String { fileName }
}
