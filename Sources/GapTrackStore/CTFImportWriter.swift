import CommonTransferFile
import GapTrackDomain
import Postgres

/// The SQL that writes one CTF pupil: the student (found by UPN or former UPN), their FSM and
/// SEN spells, EAL and looked-after as at the file's date, and KS2 scaled scores. Every
/// statement touches only what differs, so importing the same file again changes nothing.
struct CTFImportWriter {
    let connection: PostgresConnection
    let providerID: Int
    let importID: Int
    /// The CTF's date: its snapshot facts (first language, in care) hold as at this day.
    let madeOn: CalendarDate
    /// KS2 assessment points already found or made, by subject and academic year.
    private var points: [String: Int] = [:]

    init(connection: PostgresConnection, providerID: Int, importID: Int, madeOn: CalendarDate) {
        self.connection = connection
        self.providerID = providerID
        self.importID = importID
        self.madeOn = madeOn
    }

    enum Outcome: Equatable { case inserted, updated, unchanged }

    enum Result {
        case written(studentID: Int, Outcome)
        /// What stops this pupil loading; nothing of theirs was written.
        case problems([String])
    }

    mutating func write(_ pupil: CTFPupil) throws -> Result {
        let identifiers = [pupil.upn.value] + (pupil.formerUPN.map { [$0.value] } ?? [])
        let matches = try connection.query(
            """
            SELECT student_id, upn FROM students
            WHERE provider_id = $1 AND (upn = ANY($2::text[]) OR former_upns && $2::text[])
            ORDER BY student_id
            """, [providerID, identifiers]).rows
        guard matches.count <= 1 else {
            let held = try matches.map { "student \(try $0.decode("student_id") as Int) (UPN \(try $0.decode("upn") as String? ?? "none"))" }
            return .problems(["\(pupil.path): UPN \(pupil.upn)\(pupil.formerUPN.map { " and former UPN \($0)" } ?? "") belong to different pupils already held (\(held.joined(separator: ", "))); one of them is probably on the wrong record: correct it in the MIS before importing"])
        }
        var problems: [String] = []
        for spell in pupil.fsmSpells { problems += try overlaps(spell, marker: "fsm", studentID: try matches.first?.decode("student_id")) }
        for spell in pupil.senSpells { problems += try overlaps(spell, marker: "sen", studentID: try matches.first?.decode("student_id")) }
        guard problems.isEmpty else { return .problems(problems) }

        let studentID: Int
        var outcome = Outcome.unchanged
        if let match = matches.first {
            studentID = try match.decode("student_id")
            if try updateStudent(studentID, pupil) { outcome = .updated }
        } else {
            studentID = try insertStudent(pupil)
            outcome = .inserted
        }
        var changed = false
        for spell in pupil.fsmSpells { changed = try writeSpell(spell, marker: "fsm", studentID: studentID) || changed }
        for spell in pupil.senSpells { changed = try writeSpell(spell, marker: "sen", studentID: studentID) || changed }
        if pupil.isEAL == true { changed = try writeSnapshot(marker: "eal", studentID: studentID) || changed }
        if pupil.inCare == true { changed = try writeSnapshot(marker: "looked_after", studentID: studentID) || changed }
        for score in pupil.ks2Scores {
            switch try writeScore(score, studentID: studentID) {
            case .some(let wrote): changed = wrote || changed
            case .none: problems.append("\(score.path): an assessment point KS2 \(score.subject) in summer \(score.academicYear) is already held on another scale than the KS2 scaled score; rename one of them")
            }
        }
        guard problems.isEmpty else { return .problems(problems) }
        if changed && outcome == .unchanged { outcome = .updated }
        return .written(studentID: studentID, outcome)
    }

    private func insertStudent(_ pupil: CTFPupil) throws -> Int {
        try connection.query(
            """
            INSERT INTO students (provider_id, upn, former_upns, legal_surname, forename, date_of_birth, gender, ethnicity, import_id)
            VALUES ($1, $2, $3::text[], $4, $5, $6::date, $7, $8, $9)
            RETURNING student_id
            """, [providerID, pupil.upn.value, pupil.formerUPN.map { [$0.value] } ?? [], pupil.surname, pupil.forename,
                  pupil.dateOfBirth.isoString, pupil.gender, pupil.ethnicity, importID]).single().decode("student_id")
    }

    /// Updates the held pupil when the file says something new. A permanent UPN replaces the
    /// temporary or former one, which is kept in `former_upns`; a file that still carries a UPN
    /// the pupil has since replaced never puts it back (docs/methodology.md §2.4).
    private func updateStudent(_ studentID: Int, _ pupil: CTFPupil) throws -> Bool {
        try !connection.query(
            """
            WITH next AS (
                SELECT st.student_id,
                       CASE WHEN st.former_upns @> ARRAY[$2::text] THEN st.upn ELSE $2::text END AS upn,
                       st.upn AS old_upn, st.former_upns AS old_former
                FROM students st WHERE st.student_id = $1
            ), computed AS (
                SELECT n.student_id, n.upn,
                       ARRAY(SELECT DISTINCT f FROM unnest(n.old_former || ARRAY[n.old_upn, $3::text]) AS f
                             WHERE f IS NOT NULL AND f IS DISTINCT FROM n.upn ORDER BY f) AS former_upns
                FROM next n
            )
            UPDATE students st SET upn = c.upn, former_upns = c.former_upns, legal_surname = $4::text, forename = $5::text,
                   date_of_birth = $6::date, gender = $7::text, ethnicity = coalesce($8::text, st.ethnicity), import_id = $9, updated_at = now()
            FROM computed c
            WHERE st.student_id = c.student_id
              AND (st.upn, st.former_upns, st.legal_surname, st.forename, st.date_of_birth, st.gender, st.ethnicity)
                  IS DISTINCT FROM (c.upn, c.former_upns, $4::text, $5::text, $6::date, $7::text, coalesce($8::text, st.ethnicity))
            RETURNING st.student_id
            """, [studentID, pupil.upn.value, pupil.formerUPN?.value, pupil.surname, pupil.forename, pupil.dateOfBirth.isoString,
                  pupil.gender, pupil.ethnicity, importID]).rows.isEmpty
    }

    /// A spell that would overlap a held spell of the same marker starting on another day: the
    /// file and the store disagree, and the data lead must say which is right.
    private func overlaps(_ spell: CTFSpell, marker: String, studentID: Int?) throws -> [String] {
        guard let studentID else { return [] }
        let rows = try connection.query(
            """
            SELECT starts_on::text AS starts_on, coalesce(ends_on::text, 'open') AS ends_on, coalesce(import_id::text, 'none') AS import_id
            FROM student_markers
            WHERE student_id = $1 AND marker = $2::marker_kind AND overlap_key = ''
              AND spell && daterange($3::date, $4::date, '[]') AND starts_on <> $3::date
            ORDER BY starts_on
            """, [studentID, marker, spell.start.isoString, spell.end?.isoString]).rows
        return try rows.map { row in
            "\(spell.path): the \(marker.uppercased()) spell \(spell.start.isoString) to \(spell.end?.isoString ?? "open") overlaps the one held from \(try row.decode("starts_on") as String) to \(try row.decode("ends_on") as String) (import \(try row.decode("import_id") as String)); correct the dates in the MIS or in the held markers"
        }
    }

    /// Inserts the spell, or corrects the end and value of the held spell that starts the same day.
    private func writeSpell(_ spell: CTFSpell, marker: String, studentID: Int) throws -> Bool {
        try !connection.query(
            """
            INSERT INTO student_markers AS m (provider_id, student_id, marker, value, starts_on, ends_on, source, import_id)
            VALUES ($7, $1, $2::marker_kind, $3, $4::date, $5::date, 'spell', $6)
            ON CONFLICT ON CONSTRAINT student_markers_natural_key DO UPDATE
                SET ends_on = EXCLUDED.ends_on, value = EXCLUDED.value, import_id = EXCLUDED.import_id, updated_at = now()
                WHERE (m.ends_on, m.value) IS DISTINCT FROM (EXCLUDED.ends_on, EXCLUDED.value)
            RETURNING m.marker_id
            """, [studentID, marker, spell.value, spell.start.isoString, spell.end?.isoString, importID, providerID]).rows.isEmpty
    }

    /// A fact the CTF gives only as at its date (first language, in care) becomes a spell from
    /// that day to the end of its academic year, as the students file's snapshot columns do,
    /// unless a spell already covers the day (docs/import-formats.md, "Common Transfer File").
    private func writeSnapshot(marker: String, studentID: Int) throws -> Bool {
        try !connection.query(
            """
            INSERT INTO student_markers (provider_id, student_id, marker, value, starts_on, ends_on, source, import_id)
            SELECT $6, $1, $2::marker_kind, NULL, $3::date,
                   least($4::date, (SELECT min(m.starts_on) - 1 FROM student_markers m
                                    WHERE m.student_id = $1 AND m.marker = $2::marker_kind AND m.starts_on > $3::date)),
                   'snapshot', $5
            WHERE NOT EXISTS (SELECT 1 FROM student_markers m
                              WHERE m.student_id = $1 AND m.marker = $2::marker_kind AND m.spell @> $3::date)
            RETURNING marker_id
            """, [studentID, marker, madeOn.isoString, AcademicYear(containing: madeOn).endDate.isoString, importID, providerID]).rows.isEmpty
    }

    /// Writes a KS2 scaled score on the point "KS2" of its subject in the summer term of the test
    /// year, as the assessments file names it. Nil when that point is held on another scale.
    private mutating func writeScore(_ score: CTFKS2Score, studentID: Int) throws -> Bool? {
        let key = "\(score.subject)|\(score.academicYear)"
        let pointID: Int
        if let known = points[key] {
            pointID = known
        } else {
            try connection.query(
                """
                INSERT INTO assessment_points (provider_id, subject, name, scale, academic_year, term, held_on, import_id)
                VALUES ($1, $2, 'KS2', 'ks2_scaled_score', $3, 'summer', $4::date, $5)
                ON CONFLICT (provider_id, academic_year, term, subject, name) DO NOTHING
                """, [providerID, score.subject, score.academicYear.description, score.date.isoString, importID])
            let point = try connection.query(
                """
                SELECT assessment_point_id, scale::text AS scale FROM assessment_points
                WHERE provider_id = $1 AND subject = $2 AND name = 'KS2' AND academic_year = $3 AND term = 'summer'
                """, [providerID, score.subject, score.academicYear.description]).single()
            guard try point.decode("scale") as String == "ks2_scaled_score" else { return nil }
            pointID = try point.decode("assessment_point_id")
            points[key] = pointID
        }
        // The point's first day is the earliest result's, as the assessments file sets it.
        try connection.query(
            "UPDATE assessment_points SET held_on = $2::date WHERE assessment_point_id = $1 AND (held_on IS NULL OR held_on > $2::date)",
            [pointID, score.date.isoString])
        return try !connection.query(
            """
            INSERT INTO assessment_results AS r (provider_id, assessment_point_id, scale, student_id, score, result_text, assessed_on, import_id)
            VALUES ($7, $1, 'ks2_scaled_score', $2, $3, $4, $5::date, $6)
            ON CONFLICT (provider_id, assessment_point_id, student_id) DO UPDATE
                SET score = EXCLUDED.score, result_text = EXCLUDED.result_text, assessed_on = EXCLUDED.assessed_on,
                    import_id = EXCLUDED.import_id, updated_at = now()
                WHERE (r.score, r.result_text, r.assessed_on) IS DISTINCT FROM (EXCLUDED.score, EXCLUDED.result_text, EXCLUDED.assessed_on)
            RETURNING r.student_id
            """, [pointID, studentID, score.score, String(score.score), score.date.isoString, importID, providerID]).rows.isEmpty
    }
}
