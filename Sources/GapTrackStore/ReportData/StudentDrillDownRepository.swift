import Foundation
import GapTrackDomain
import Postgres

/// The pupils behind a report's figures (sql/functions/report_drill_down.sql): who is in each group
/// of a cohort, the markers in force on the census day, the support that counts in the term,
/// attendance and results before and after. Staff only (docs/methodology.md §7.7).
///
/// Read inside `TermlyReportRepository.snapshot`, after `loadCohort` (and `useComparison`), then
/// `load`: membership comes from the provider's full records so that a list never contradicts a
/// count, and `includeRestricted` false leaves out restricted markers, restricted support and any
/// group membership that only restricted records give.
///
/// Not Sendable: it holds a connection, which is used by one thread at a time.
public struct StudentDrillDownRepository {
    public let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// A pupil of the cohort and what the report's groups say about them.
    public struct PupilRow: Sendable, Equatable {
        public var studentID: Int
        public var forename: String
        public var surname: String
        public var upn: String?
        public var uln: String?
        /// `ReportGroup` ids the pupil is listed in.
        public var groups: [String]
        /// Markers in force on the census day, `kind` or `kind: value` (`sen: K`).
        public var markers: [String]
        /// Sessions in the period; nil when none was possible.
        public var sessions: AbsenceSummary?
    }

    /// A period the drill-down counts support and attendance in: a term, or an academic year.
    public struct Period: Sendable, Equatable {
        public var from: CalendarDate
        public var to: CalendarDate

        public init(from: CalendarDate, to: CalendarDate) {
            self.from = from
            self.to = to
        }
    }

    /// A support record that counts in the term, whole.
    public struct SupportRow: Sendable, Equatable {
        public var studentID: Int
        public var supportID: Int
        public var type: String
        public var typeLabel: String
        public var startsOn: CalendarDate
        public var endsOn: CalendarDate?
        public var hours: Decimal?
        public var sessions: Int?
        public var amount: PoundsAndPence?
        public var fundingSource: String?
        public var fundingLabel: String?
        public var reference: String?
        public var restricted: Bool
    }

    /// A review of a support record (support_reviews), as the reviewer wrote it.
    public struct ReviewRow: Sendable, Equatable {
        public var supportID: Int
        public var date: CalendarDate
        public var reviewer: String
        public var progressNote: String
        public var entryResult: String?
        public var exitResult: String?
    }

    /// A result at the entry or exit point of a subject.
    public struct ResultRow: Sendable, Equatable {
        public enum Point: String, Sendable { case entry, exit }
        public var studentID: Int
        public var subject: String
        public var point: Point
        public var assessment: String
        public var term: AcademicTerm
        public var score: Decimal
        public var scale: String
    }

    /// An assessment point named as `report impact` names it (subject, optionally the name, term).
    public typealias AssessmentPoint = (subject: String, name: String?, term: AcademicTerm)

    /// Lists the loaded cohort's pupils by group for a caller who may (or may not) see restricted
    /// records; `comparisonKey` is the comparison the report uses (`report_use_comparison`).
    /// Returns the number of pupils.
    @discardableResult
    public func load(comparisonKey: String, includeRestricted: Bool) throws -> Int {
        try connection.query("SELECT report_drill_down_load($1, $2) AS n", [comparisonKey, includeRestricted]).single().decode("n")
    }

    /// Every pupil of the loaded cohort, by surname and forename, with their markers on the
    /// census day of `census` and their sessions in `period`.
    public func pupils(census: AcademicTerm, period: Period, includeRestricted: Bool) throws -> [PupilRow] {
        try connection.query(
            """
            SELECT student_id, forename, legal_surname, upn, uln, array_to_json(groups)::text AS groups, array_to_json(markers)::text AS markers,
                   possible, attended, authorised, unauthorised
            FROM report_drill_down_pupils($1, $2, $3::date, $4::date, $5)
            """, [census.year.description, census.term.rawValue, period.from.isoString, period.to.isoString, includeRestricted]
        ).rows.map { row in
            var sessions: AbsenceSummary?
            if let possible = try row.decode("possible", as: Int?.self) {
                sessions = try AbsenceSummary(
                    possible: possible, attended: try row.decode("attended"), authorised: try row.decode("authorised"),
                    unauthorised: try row.decode("unauthorised"))
            }
            return PupilRow(
                studentID: try row.decode("student_id"), forename: try row.decode("forename"), surname: try row.decode("legal_surname"),
                upn: try row.decode("upn"), uln: try row.decode("uln"), groups: try Self.strings(try row.decode("groups")),
                markers: try Self.strings(try row.decode("markers")), sessions: sessions)
        }
    }

    /// The support records of the loaded cohort's pupils that count in `period`.
    public func support(providerID: Int, period: Period, includeRestricted: Bool) throws -> [SupportRow] {
        try connection.query(
            """
            SELECT student_id, support_id, type, type_label, starts_on::text AS starts_on, ends_on::text AS ends_on, hours, sessions,
                   round(amount * 100)::bigint AS amount_pence, funding_source, funding_label, reference, restricted
            FROM report_drill_down_support($1, $2::date, $3::date, $4)
            """, [providerID, period.from.isoString, period.to.isoString, includeRestricted]
        ).rows.map { row in
            SupportRow(
                studentID: try row.decode("student_id"), supportID: try row.decode("support_id"), type: try row.decode("type"),
                typeLabel: try row.decode("type_label"), startsOn: try CalendarDate(parsing: try row.decode("starts_on")),
                endsOn: try row.decode("ends_on", as: String?.self).map { try CalendarDate(parsing: $0) },
                hours: try row.decode("hours"), sessions: try row.decode("sessions"),
                amount: try row.decode("amount_pence", as: Int?.self).map { try PoundsAndPence(pence: $0) },
                fundingSource: try row.decode("funding_source"), fundingLabel: try row.decode("funding_label"),
                reference: try row.decode("reference"), restricted: try row.decode("restricted"))
        }
    }

    /// The reviews of the support records `supportIDs` (those the caller may see), oldest first.
    public func reviews(providerID: Int, supportIDs: [Int]) throws -> [ReviewRow] {
        if supportIDs.isEmpty { return [] }
        return try connection.query(
            """
            SELECT support_id, reviewed_on::text AS reviewed_on, reviewer, progress_note, entry_result, exit_result
            FROM support_reviews WHERE provider_id = $1 AND support_id = ANY($2::bigint[])
            ORDER BY support_id, reviewed_on, review_id
            """, [providerID, supportIDs]
        ).rows.map { row in
            ReviewRow(
                supportID: try row.decode("support_id"), date: try CalendarDate(parsing: try row.decode("reviewed_on")),
                reviewer: try row.decode("reviewer"), progressNote: try row.decode("progress_note"),
                entryResult: try row.decode("entry_result"), exitResult: try row.decode("exit_result"))
        }
    }

    /// Each pupil's entry and exit results: at `before` and `after` when given, otherwise per
    /// subject the first and the latest assessment of the term's academic year up to the term.
    public func results(providerID: Int, term: AcademicTerm, before: AssessmentPoint?, after: AssessmentPoint?) throws -> [ResultRow] {
        let parameters: [any PostgresEncodable] = [
            providerID, term.year.description, term.term.rawValue,
            before?.subject, before?.name, before?.term.year.description, before?.term.term.rawValue,
            after?.subject, after?.name, after?.term.year.description, after?.term.term.rawValue,
        ]
        return try connection.query(
            """
            SELECT student_id, subject, point_role, assessment, academic_year || '-' || term AS term, score, scale
            FROM report_drill_down_results($1, $2, $3::term_name, $4, $5, $6, $7::term_name, $8, $9, $10, $11::term_name)
            """, parameters
        ).rows.compactMap { row in
            guard let point = ResultRow.Point(rawValue: try row.decode("point_role")) else { return nil }
            return ResultRow(
                studentID: try row.decode("student_id"), subject: try row.decode("subject"), point: point,
                assessment: try row.decode("assessment"), term: try AcademicTerm(parsing: try row.decode("term")),
                score: try row.decode("score"), scale: try row.decode("scale"))
        }
    }

    /// The intervention types the provider may record, code and label: what an unknown
    /// `--type` is told to choose from.
    public func interventionTypes() throws -> [(type: String, label: String)] {
        try connection.query("SELECT type, display_name FROM intervention_types ORDER BY type").rows.map {
            (try $0.decode("type"), try $0.decode("display_name"))
        }
    }

    /// A JSON array of text, as `array_to_json` writes it.
    private static func strings(_ json: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(json.utf8))
    }
}
