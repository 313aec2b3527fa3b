import Foundation
import GapStatistics
import GapTrackDomain
import GapTrackStore

/// The termly gap report for one cohort of one provider (docs/methodology.md §7): group sizes,
/// the attainment gap per subject, attendance by group, support delivered and its spend, the
/// trend over earlier terms, the comparison with national figures, the data cut it rests on and
/// the method, with every small-group figure suppressed.
///
/// A report is a plain value: built once from the database (`TermlyReportQueries`,
/// `TermlyGapReportBuilder`), then rendered by any `ReportFormat`. Nothing in it depends on the
/// clock or the machine, so the same data always gives the same bytes.
public struct TermlyGapReport: Sendable, Equatable, Codable {
    public var provider: ReportProvider
    /// Who the report is shaped for (`TermlyReportShaping`); printed in every format's header.
    public var audience: ReportAudience
    public var cohort: ReportCohort
    public var term: AcademicTerm
    public var dataCut: DataCut
    public var method: [MethodNote]
    /// Students of each group in the cohort this term.
    public var groupSizes: [GroupSize]
    /// One row per subject and assessment point taken this term.
    public var attainment: [SubjectGap]
    public var attendance: AttendanceSection
    public var support: SupportSection
    /// Earlier terms' figures, oldest first, ending with this term.
    public var trend: [TrendSeries]
    public var nationalComparison: [NationalComparison]
    /// National pairs printed as context without a local figure (docs/methodology.md §8.3, §8.4):
    /// the latest of each KS4 headline measure and of absence by free-school-meal eligibility.
    /// Nil in reports made before these were printed (their JSON has no such key) and where none suits the cohort.
    public var nationalContext: [NationalPairFigure]?
    /// Year 10 and 11 reports: grade 4+/5+ in English and maths (and Attainment 8 where the results
    /// cover its slots) from the school's own GCSE-scale results at each assessment of the term
    /// (docs/methodology.md §8.3); nil where there are none, and in reports made before these existed.
    public var keyStage4: [KeyStage4Section]?
    /// The suppression threshold applied (10: the Social Mobility Commission's guidance).
    public var suppressionThreshold: Int
    /// What was withheld and why, in words, one line each.
    public var suppressionNotes: [String]
    /// Who the "disadvantaged" side of every gap is (the `disadvantaged` group id is kept in CSV
    /// and JSON whatever the definition; its label and this field say which it is).
    public var comparison: ComparisonGroup
    /// Intervention impact sections, in the order asked for, or by intervention type.
    public var impact: [ImpactReport]
    /// A report over several year groups (a key stage, the whole school): each year group on its
    /// own, in order; nil for a one-year cohort, and in governors' and public reports, whose
    /// year-group counts would add up to the whole-school ones (docs/methodology.md §7.2).
    public var yearGroups: [YearGroupSection]?
    /// Staff reports only: the pupils behind the small groups and each support type
    /// (docs/methodology.md §7.7); nil in every governors' and public report.
    public var drillDown: [StudentDrillDown]?

    public init(
        provider: ReportProvider, cohort: ReportCohort, term: AcademicTerm, dataCut: DataCut, method: [MethodNote],
        groupSizes: [GroupSize], attainment: [SubjectGap], attendance: AttendanceSection, support: SupportSection,
        trend: [TrendSeries], nationalComparison: [NationalComparison], suppressionThreshold: Int, suppressionNotes: [String],
        comparison: ComparisonGroup = .dfeDisadvantaged, impact: [ImpactReport] = [], audience: ReportAudience = .staff
    ) {
        self.provider = provider
        self.audience = audience
        self.cohort = cohort
        self.term = term
        self.dataCut = dataCut
        self.method = method
        self.groupSizes = groupSizes
        self.attainment = attainment
        self.attendance = attendance
        self.support = support
        self.trend = trend
        self.nationalComparison = nationalComparison
        self.suppressionThreshold = suppressionThreshold
        self.suppressionNotes = suppressionNotes
        self.comparison = comparison
        self.impact = impact
    }

    /// Adds an impact section, and the impact report's method notes that the report does not
    /// already have (topics prefixed "Impact: ", so that they do not read as the termly report's
    /// own attendance or suppression notes).
    public mutating func addImpact(_ report: ImpactReport) {
        impact.append(report)
        for note in report.method {
            let prefixed = MethodNote(topic: "Impact: " + note.topic, text: note.text)
            if !method.contains(prefixed) { method.append(prefixed) }
        }
    }

    /// "Termly gap report: Demo Academy, Year 11, 2024/25 autumn".
    public var title: String {
        "Termly gap report: \(provider.name), \(cohort.label), \(term.year) \(term.term)"
    }

    /// The group-size row of `group`, if the report has one.
    public func groupSize(_ group: ReportGroup) -> GroupSize? {
        groupSizes.first { $0.group.id == group.id }
    }

    /// The attainment row for `subject` (and `assessment`, if given).
    public func attainment(subject: String, assessment: String? = nil) -> SubjectGap? {
        attainment.first { $0.subject == subject && (assessment == nil || $0.assessment == assessment) }
    }
}

/// The school, college or university a report is about.
public struct ReportProvider: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        case school, college, university
    }

    /// The handle users type, e.g. `demo-academy`.
    public var code: String
    public var name: String
    public var kind: Kind

    public init(code: String, name: String, kind: Kind) {
        self.code = code
        self.name = name
        self.kind = kind
    }
}

/// The cohort a report covers: a year group at a school (`year-11`), an intake year or course
/// at a college or university (`intake-2024`, `course-BSC-CS`).
public struct ReportCohort: Sendable, Equatable, Codable {
    /// The handle users type (`--cohort year-11`).
    public var code: String
    /// As a reader sees it: "Year 11", and for a filtered report what it is filtered to
    /// ("Year 11, filtered to girls, form 11B").
    public var label: String
    /// The filter the report is computed under (docs/methodology.md §7.8); nil for none.
    public var filter: CohortFilter?

    public init(code: String, label: String, filter: CohortFilter? = nil) {
        self.code = code
        self.filter = filter.flatMap { $0.isEmpty ? nil : $0 }
        self.label = self.filter.map { "\(label), filtered to \($0)" } ?? label
    }

    /// The code read by the one cohort grammar (nil for a code it does not read, which the
    /// database's own codes never are): what the national figures are chosen by.
    public var cohortCode: CohortCode? { try? CohortCode(parsing: code) }
}

/// The imports a report rests on. Its time is the latest import's time, taken from the data,
/// never the clock, so that a report made twice from the same data is identical.
public struct DataCut: Sendable, Equatable, Codable {
    public var imports: [ImportRecord]

    public init(imports: [ImportRecord]) {
        self.imports = imports
    }

    /// When the data was cut: the time of the most recent import; nil if there were none.
    public var cutAt: Date? { imports.map(\.importedAt).max() }
}

/// One paragraph of the method: what was computed and how, with its source.
public struct MethodNote: Sendable, Equatable, Codable {
    public var topic: String
    public var text: String

    public init(topic: String, text: String) {
        self.topic = topic
        self.text = text
    }
}
