import Foundation
import Postgres

/// Finding pupils by name, UPN or ULN, narrowed by year group, marker and pupil group: the web pages' pupil
/// list and the list pupils are ticked from when support is recorded for a group.
///
/// It runs inside the caller's scoped transaction, so row-level security decides which pupils and
/// which markers exist (a staff session sees no restricted marker); the provider is named as well so
/// that the query plans on the provider's index.
public struct PupilSearch {
    let connection: PostgresConnection
    let providerID: Int

    public init(connection: PostgresConnection, providerID: Int) {
        self.connection = connection
        self.providerID = providerID
    }

    public struct Criteria: Sendable, Equatable {
        /// Part of a name, or a whole UPN or ULN.
        public var text: String?
        /// A year group as enrolments hold it (`7`, `11`, `R`).
        public var yearGroup: String?
        /// A marker kind (`fsm`, `sen_support`, ...) that applies today.
        public var marker: String?
        /// One of the provider's own pupil groups (`PupilGroups`), by code.
        public var group: String?
        public var limit: Int

        public init(text: String? = nil, yearGroup: String? = nil, marker: String? = nil, group: String? = nil, limit: Int = 200) {
            self.text = text
            self.yearGroup = yearGroup
            self.marker = marker
            self.group = group
            self.limit = limit
        }
    }

    public struct Pupil: Sendable, Equatable {
        public let studentID: Int
        /// The identifier pages link by: the UPN, else the ULN, else the institution's own number.
        public let identifier: String
        public let forename: String
        public let surname: String
        public let yearGroup: String?
        public let markers: [String]
    }

    /// Pupils matching every criterion given, by surname then forename; at most `limit`.
    public func find(_ criteria: Criteria) throws -> [Pupil] {
        try connection.query(
            """
            SELECT s.student_id, coalesce(s.upn, s.uln, s.institution_id, s.hesa_id) AS identifier, s.forename, s.legal_surname,
                   e.year_group,
                   array_to_string(array(SELECT DISTINCT m.marker::text FROM student_markers m
                         WHERE m.provider_id = s.provider_id AND m.student_id = s.student_id AND m.starts_on <= current_date
                           AND (m.ends_on IS NULL OR m.ends_on >= current_date) ORDER BY 1), ' ') AS markers
            FROM students s
            LEFT JOIN LATERAL (
                SELECT n.year_group FROM enrolments n WHERE n.provider_id = s.provider_id AND n.student_id = s.student_id
                ORDER BY n.academic_year DESC, n.start_date DESC LIMIT 1) e ON true
            WHERE s.provider_id = $1
              AND ($2::text IS NULL OR upper(s.upn) = upper($2) OR s.uln = $2
                   OR (s.forename || ' ' || s.legal_surname) ILIKE '%' || $2 || '%'
                   OR (s.legal_surname || ', ' || s.forename) ILIKE '%' || $2 || '%')
              AND ($3::text IS NULL OR e.year_group = $3)
              AND ($4::text IS NULL OR EXISTS (
                    SELECT FROM student_markers m WHERE m.provider_id = s.provider_id AND m.student_id = s.student_id AND m.marker::text = $4
                      AND m.starts_on <= current_date AND (m.ends_on IS NULL OR m.ends_on >= current_date)))
              AND ($6::text IS NULL OR EXISTS (
                    SELECT FROM student_group_members g WHERE g.provider_id = s.provider_id AND g.student_id = s.student_id AND g.code = $6))
            ORDER BY s.legal_surname, s.forename, s.student_id
            LIMIT $5
            """,
            [providerID, criteria.text, criteria.yearGroup, criteria.marker, criteria.limit, criteria.group]
        ).rows.map { row in
            Pupil(
                studentID: try row.decode("student_id"), identifier: try row.decode("identifier"),
                forename: try row.decode("forename"), surname: try row.decode("legal_surname"),
                yearGroup: try row.decode("year_group", as: String?.self), markers: (try row.decode("markers", as: String.self)).split(separator: " ").map(String.init))
        }
    }

    /// The provider's own pupil groups a filter may name: code and name.
    public func groups() throws -> [(code: String, name: String)] {
        try PupilGroups(connection: connection).list(providerID: providerID).map { ($0.code, $0.name) }
    }

    /// The marker kinds a filter may name, as the marker_kinds catalogue lists them.
    public func markerKinds() throws -> [String] {
        try connection.query("SELECT marker::text AS marker FROM marker_kinds ORDER BY marker").rows.map { try $0.decode("marker") }
    }
}
