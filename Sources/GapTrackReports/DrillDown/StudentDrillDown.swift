import Foundation
import GapTrackDomain
import GapTrackStore

/// The pupils behind a report's figures, for the staff who work with them (docs/methodology.md §7.7):
/// who is in a group or received a type of support, with their markers, support, attendance and
/// results before and after. Never part of a governors' or public report.
///
/// A plain value, built once (`StudentDrillDownQueries`) and rendered by any `ReportFormat`
/// (`DrillDownRenderers`); the same data gives the same bytes.
public struct StudentDrillDown: Sendable, Equatable, Codable {
    public var provider: ReportProvider
    public var cohort: ReportCohort
    /// The term whose census day places pupils in groups.
    public var term: AcademicTerm
    /// "2024/25 summer", or "2024/25 (the academic year)" with `--year`.
    public var period: String
    public var list: DrillDownList
    /// Whether restricted records (care and safeguarding context) are in the lists.
    public var restrictedRecords: RestrictedRecords
    public var pupils: [DrillDownPupil]
    /// How entry and exit results were chosen, in words.
    public var resultsRule: String
    public var notes: [String]

    public init(
        provider: ReportProvider, cohort: ReportCohort, term: AcademicTerm, period: String, list: DrillDownList,
        restrictedRecords: RestrictedRecords, pupils: [DrillDownPupil], resultsRule: String, notes: [String]
    ) {
        self.provider = provider
        self.cohort = cohort
        self.term = term
        self.period = period
        self.list = list
        self.restrictedRecords = restrictedRecords
        self.pupils = pupils
        self.resultsRule = resultsRule
        self.notes = notes
    }

    /// "Pupils: FSM Ever 6 and Tutoring, Demo Academy, Year 11, 2024/25 summer" ("Students" at a
    /// college or university).
    public var title: String {
        "\(people.capitalized): \(list.label), \(provider.name), \(cohort.label), \(period)"
    }

    /// "pupils" at a school, "students" elsewhere.
    public var people: String { provider.kind == .school ? "pupils" : "students" }
}

/// Which pupils a list holds: the members of a report group, those who received a type of
/// support, or both at once.
public struct DrillDownList: Sendable, Equatable, Codable {
    /// The `ReportGroup` id, e.g. `fsm_ever_6`.
    public var group: String?
    public var groupLabel: String?
    /// The intervention type code, e.g. `tutoring`.
    public var type: String?
    public var typeLabel: String?

    public init(group: ReportGroup? = nil, type: String? = nil, typeLabel: String? = nil) {
        self.group = group?.id
        self.groupLabel = group?.label
        self.type = type
        self.typeLabel = typeLabel
    }

    /// A stable id for CSV and HTML anchors: `group:fsm_ever_6`, `type:tutoring`, or both.
    public var id: String {
        [group.map { "group:" + $0 }, type.map { "type:" + $0 }].compactMap { $0 }.joined(separator: "+")
    }

    /// "FSM Ever 6 and Tutoring", "Whole cohort".
    public var label: String {
        let parts = [groupLabel, typeLabel].compactMap { $0 }
        return parts.isEmpty ? ReportGroup.cohort.label : parts.joined(separator: " and ")
    }
}

/// Whether a list holds restricted records: those a staff token may not see are left out of its
/// lists, and a pupil is not listed in a group only restricted records put them in; no count
/// changes (docs/methodology.md §7.7).
public enum RestrictedRecords: String, Sendable, Equatable, Codable {
    case included
    case omitted

    var note: String {
        switch self {
        case .included:
            "Includes restricted records (looked-after and other care and safeguarding markers, restricted support): share only with staff who may see them."
        case .omitted:
            "Restricted records (looked-after and other care and safeguarding markers, restricted support) are left out, with any pupil only they place in the list; the report's counts include them."
        }
    }
}

/// One pupil of a list.
public struct DrillDownPupil: Sendable, Equatable, Codable {
    public var forename: String
    public var surname: String
    public var upn: String?
    public var uln: String?
    /// Markers in force on the census day: `fsm`, `sen: K`, `eal: B`.
    public var markers: [String]
    public var support: [DrillDownSupport]
    /// Nil when the pupil had no possible session in the period.
    public var attendance: DrillDownAttendance?
    public var results: [DrillDownResult]

    /// "Baker, Olivia".
    public var name: String { surname + ", " + forename }

    /// The UPN, else the ULN, else nothing.
    public var identifier: String { upn ?? uln ?? "" }
}

/// A support record that counts in the period, whole.
public struct DrillDownSupport: Sendable, Equatable, Codable {
    public var type: String
    public var typeLabel: String
    public var startsOn: CalendarDate
    public var endsOn: CalendarDate?
    public var hours: Decimal?
    public var sessions: Int?
    public var spend: PoundsAndPence?
    public var fundingSource: String?
    public var fundingLabel: String?
    public var reference: String?
    /// The record's reviews, oldest first: what the staff who work with the pupil recorded
    /// (docs/methodology.md §6.6); staff only, like every row here.
    public var reviews: [DrillDownReview] = []

    /// "2025-01-13 to 2025-04-03", or "from 2025-01-13" while it goes on.
    public var dates: String {
        endsOn.map { "\(startsOn.isoString) to \($0.isoString)" } ?? "from \(startsOn.isoString)"
    }
}

/// A review of a support record, as the reviewer recorded it.
public struct DrillDownReview: Sendable, Equatable, Codable {
    public var date: CalendarDate
    public var reviewer: String
    public var progressNote: String
    public var entryResult: String?
    public var exitResult: String?

    public init(date: CalendarDate, reviewer: String, progressNote: String, entryResult: String? = nil, exitResult: String? = nil) {
        self.date = date
        self.reviewer = reviewer
        self.progressNote = progressNote
        self.entryResult = entryResult
        self.exitResult = exitResult
    }

    /// "2025-02-10 Ms Khan (entry 4, exit 5): Secure on fractions.", on one line whatever the note holds.
    public var text: String {
        let results = [entryResult.map { "entry \($0)" }, exitResult.map { "exit \($0)" }].compactMap { $0 }
        let note = progressNote.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return "\(date.isoString) \(reviewer)" + (results.isEmpty ? "" : " (" + results.joined(separator: ", ") + ")") + ": " + note
    }
}

/// A pupil's sessions in the period (docs/methodology.md §3).
public struct DrillDownAttendance: Sendable, Equatable, Codable {
    public var possibleSessions: Int
    public var absentSessions: Int
    /// Attended sessions over possible, in per cent to one decimal place, as published.
    public var attendancePercent: Decimal
    /// 10% or more of possible sessions missed.
    public var persistentlyAbsent: Bool

    init(_ summary: AbsenceSummary) {
        possibleSessions = summary.possibleSessions
        absentSessions = summary.absentSessions
        let rate = Double(summary.attendedSessions) / Double(max(summary.possibleSessions, 1)) * 100
        attendancePercent = Decimal(string: String(format: "%.1f", rate)) ?? 0
        persistentlyAbsent = summary.isPersistentlyAbsent
    }

    /// "94.1%", with " (PA)" when persistently absent.
    public var text: String {
        String(format: "%.1f", NSDecimalNumber(decimal: attendancePercent).doubleValue) + "%" + (persistentlyAbsent ? " (PA)" : "")
    }
}

/// A subject's result at entry (before the support) and at exit (after).
public struct DrillDownResult: Sendable, Equatable, Codable {
    public var subject: String
    public var entry: Point?
    public var exit: Point?

    public struct Point: Sendable, Equatable, Codable {
        public var assessment: String
        public var term: AcademicTerm
        public var score: Decimal
        public var scale: String
    }

    /// "maths 4 → 6", "maths 4 → –".
    public var text: String {
        "\(subject) \(entry.map { "\($0.score)" } ?? "–") → \(exit.map { "\($0.score)" } ?? "–")"
    }
}

extension ReportAudience {
    /// Only staff reports list pupils; governors' and public outputs never hold a pupil-level row
    /// (docs/methodology.md §7.7).
    public var mayListPupils: Bool { self == .staff }
}

/// Who is asking for a drill-down: the report's audience, and whether the reader may see
/// restricted records (a data lead or admin may; a staff token may not).
public struct DrillDownAccess: Sendable, Equatable {
    public var audience: ReportAudience
    public var restrictedRecords: RestrictedRecords

    public init(audience: ReportAudience, restrictedRecords: RestrictedRecords) {
        self.audience = audience
        self.restrictedRecords = restrictedRecords
    }

    /// A staff report's drill-down sections: without restricted records whoever asks, so that a
    /// data lead and a staff member get the same report for the same data (docs/methodology.md §7.7).
    public static let staffReport = DrillDownAccess(audience: .staff, restrictedRecords: .omitted)
}

/// Why a drill-down was refused, in words a data lead can act on.
public enum DrillDownError: Error, Sendable, Equatable, CustomStringConvertible {
    case notForAudience(ReportAudience)
    case unknownGroup(String, valid: [String])
    case unknownType(String, valid: [String])

    public var description: String {
        switch self {
        case let .notForAudience(audience):
            "pupil-level lists are for staff only; a \(audience.rawValue) report never lists pupils (docs/methodology.md §7.7)"
        case let .unknownGroup(text, valid):
            "no report group '\(text)'; groups: " + valid.joined(separator: ", ")
        case let .unknownType(text, valid):
            "no intervention type '\(text)'; types: " + valid.joined(separator: ", ")
        }
    }
}

extension ReportGroup {
    /// The group a person names as the reports do, ignoring case and with `-` or `_` alike:
    /// `fsm-ever-6`, `looked-after`, `sen`.
    public static func named(_ text: String) -> ReportGroup? {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
        return standardOrder.first { $0.id == key }
    }

    /// How `named` is written for this group: `fsm-ever-6`.
    public var argument: String { id.replacingOccurrences(of: "_", with: "-") }
}
