import GapStatistics
import GapTrackDomain
import GapTrackStore

/// Attendance of one group over the term (docs/methodology.md §3).
public struct AttendanceRow: Sendable, Equatable, Codable {
    public var group: ReportGroup
    /// Students with at least one possible session in the term.
    public var students: ReportedFigure<Int>
    public var possibleSessions: ReportedFigure<Int>
    /// Attended ÷ possible sessions, percent, with a ratio-estimator interval over students.
    public var attendance: ReportedFigure<Estimate>
    /// Students missing 10% or more of their own possible sessions, percent, Wilson interval.
    public var persistentAbsence: ReportedFigure<Estimate>
    /// Students missing 50% or more, percent, Wilson interval.
    public var severeAbsence: ReportedFigure<Estimate>
    /// Staff reports: the row rests on a group under the threshold, shown and marked "fewer than
    /// 10 pupils: treat with care" (docs/methodology.md §7.6); nil otherwise.
    public var treatWithCare: Bool?

    public init(
        group: ReportGroup, students: ReportedFigure<Int>, possibleSessions: ReportedFigure<Int>,
        attendance: ReportedFigure<Estimate>, persistentAbsence: ReportedFigure<Estimate>, severeAbsence: ReportedFigure<Estimate>
    ) {
        self.group = group
        self.students = students
        self.possibleSessions = possibleSessions
        self.attendance = attendance
        self.persistentAbsence = persistentAbsence
        self.severeAbsence = severeAbsence
    }
}

public struct AttendanceSection: Sendable, Equatable, Codable {
    public var rows: [AttendanceRow]
    /// Attendance of others − attendance of disadvantaged students, percentage points.
    public var attendanceGap: ReportedFigure<Estimate>
    /// Persistent absence of disadvantaged students − of others, percentage points.
    public var persistentAbsenceGap: ReportedFigure<Estimate>

    public init(rows: [AttendanceRow], attendanceGap: ReportedFigure<Estimate>, persistentAbsenceGap: ReportedFigure<Estimate>) {
        self.rows = rows
        self.attendanceGap = attendanceGap
        self.persistentAbsenceGap = persistentAbsenceGap
    }

    public func row(_ group: ReportGroup) -> AttendanceRow? {
        rows.first { $0.group.id == group.id }
    }
}

/// Support of one type (or all support, when `type` is nil) delivered to the cohort in the
/// term: records that were active or ended, never planned or cancelled ones (docs/methodology.md §6).
///
/// Types are codes from the `intervention_types` catalogue (the `GapTrackDomain.InterventionType`
/// values, plus any a provider adds), so they are kept as text with their display name.
public struct SupportRow: Sendable, Equatable, Codable {
    /// The type's code, e.g. `tutoring`; nil for the row of all support.
    public var type: String?
    /// "Tutoring", "All support".
    public var label: String
    /// Distinct students supported.
    public var students: ReportedFigure<Int>
    /// Of whom disadvantaged.
    public var disadvantagedStudents: ReportedFigure<Int>
    public var sessions: ReportedFigure<Int>
    public var hours: ReportedFigure<Estimate>
    public var spend: ReportedFigure<PoundsAndPence>
    public var spendPerStudent: ReportedFigure<PoundsAndPence>
    /// Staff reports: the row rests on a group under the threshold, shown and marked "fewer than
    /// 10 pupils: treat with care" (docs/methodology.md §7.6); nil otherwise.
    public var treatWithCare: Bool?

    public init(
        type: String?, label: String, students: ReportedFigure<Int>, disadvantagedStudents: ReportedFigure<Int>,
        sessions: ReportedFigure<Int>, hours: ReportedFigure<Estimate>, spend: ReportedFigure<PoundsAndPence>,
        spendPerStudent: ReportedFigure<PoundsAndPence>
    ) {
        self.type = type
        self.label = label
        self.students = students
        self.disadvantagedStudents = disadvantagedStudents
        self.sessions = sessions
        self.hours = hours
        self.spend = spend
        self.spendPerStudent = spendPerStudent
    }
}

/// Spend from one funding source (a code from the `funding_sources` catalogue; nil: not recorded).
public struct FundingRow: Sendable, Equatable, Codable {
    public var source: String?
    public var label: String
    public var students: ReportedFigure<Int>
    public var spend: ReportedFigure<PoundsAndPence>
    /// Staff reports: the row rests on a group under the threshold, shown and marked "fewer than
    /// 10 pupils: treat with care" (docs/methodology.md §7.6); nil otherwise.
    public var treatWithCare: Bool?

    public init(source: String?, label: String, students: ReportedFigure<Int>, spend: ReportedFigure<PoundsAndPence>) {
        self.source = source
        self.label = label
        self.students = students
        self.spend = spend
    }
}

public struct SupportSection: Sendable, Equatable, Codable {
    public var byType: [SupportRow]
    public var byFundingSource: [FundingRow]
    public var total: SupportRow

    public init(byType: [SupportRow], byFundingSource: [FundingRow], total: SupportRow) {
        self.byType = byType
        self.byFundingSource = byFundingSource
        self.total = total
    }
}

extension ReportedFigure<PoundsAndPence> {
    /// "£1,234.56", or `c`.
    public var text: String { cell(\.formatted) }
}
