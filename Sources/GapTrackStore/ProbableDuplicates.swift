import Postgres

/// Pupils an import wrote who share their name and date of birth with another student of the
/// provider under a different identifier: probably one pupil recorded twice (a temporary UPN and
/// later the permanent one, with no former UPN to link them). Reported, never merged: only the
/// school can tell twins with the same name from one pupil twice (docs/methodology.md §2.4).
enum ProbableDuplicates {
    /// Which students to look at.
    enum Candidates {
        /// These students (a CTF's pupils).
        case students([Int])
        /// Every student of the students file being imported (its staging table).
        case stagedStudents
    }

    /// At most this many pairs are named; the rest are counted, so a large file with many
    /// namesakes does not bury the summary.
    static let named = 20

    static func find(_ candidates: Candidates, providerID: Int, connection: PostgresConnection) throws -> [String] {
        let source: String
        var parameters: [any PostgresEncodable] = [providerID]
        switch candidates {
        case .students(let ids):
            guard !ids.isEmpty else { return [] }
            source = "SELECT unnest($2::bigint[]) AS student_id"
            parameters.append(ids)
        case .stagedStudents:
            source = "SELECT DISTINCT student_id FROM staged_students"
        }
        let rows = try connection.query(
            """
            WITH candidates AS (\(source)),
            -- Namesakes found by grouping the provider's students (a sort or hash, whatever the
            -- planner believes about rows just written), not by joining students to students,
            -- which it may plan as a nested loop over every pair of the provider's students.
            namesakes AS (
                SELECT array_agg(s.student_id) AS ids
                FROM students s
                WHERE s.provider_id = $1
                GROUP BY lower(s.legal_surname), lower(s.forename), s.date_of_birth
                HAVING count(*) > 1
            ), pairs AS (
                SELECT DISTINCT ON (least(a.student_id, b.student_id), greatest(a.student_id, b.student_id))
                       a.forename || ' ' || a.legal_surname AS name, a.date_of_birth::text AS born,
                       coalesce(a.upn, a.uln, a.hesa_id, a.institution_id) AS this_identifier,
                       coalesce(b.upn, b.uln, b.hesa_id, b.institution_id) AS other_identifier, b.student_id AS other_id,
                       least(a.student_id, b.student_id) AS first_id, greatest(a.student_id, b.student_id) AS second_id
                FROM namesakes n
                CROSS JOIN LATERAL unnest(n.ids) AS this (student_id)
                CROSS JOIN LATERAL unnest(n.ids) AS other (student_id)
                JOIN students a ON a.provider_id = $1 AND a.student_id = this.student_id
                JOIN students b ON b.provider_id = $1 AND b.student_id = other.student_id
                WHERE this.student_id <> other.student_id
                  AND this.student_id IN (SELECT student_id FROM candidates)
                ORDER BY least(a.student_id, b.student_id), greatest(a.student_id, b.student_id), a.student_id
            )
            SELECT *, count(*) OVER () AS total FROM pairs ORDER BY first_id, second_id LIMIT \(named)
            """, parameters).rows
        var notices = try rows.map { row in
            "Probable duplicate, not merged: \(try row.decode("name") as String) (born \(try row.decode("born") as String)) is held as "
                + "\(try row.decode("this_identifier") as String) and as \(try row.decode("other_identifier") as String) (student \(try row.decode("other_id") as Int)); "
                + "if they are one pupil, give the old identifier as former_upn (or FormerUPN in a CTF) and import again"
        }
        if let total: Int = try rows.first?.decode("total"), total > rows.count {
            notices.append("\(total - rows.count) more probable duplicates (same name and date of birth, another identifier) not shown")
        }
        return notices
    }
}
