import Postgres

/// The set-based SQL that writes staged students.csv rows: new students, changed students,
/// enrolments, then the MIS snapshot markers. Each step marks the staging lines it inserted or
/// changed, so the summary can count rows.
struct StudentsMerge {
    let connection: PostgresConnection
    let providerID: Int
    let importID: Int

    func run() throws {
        try giveNewStudentsIDs()
        try writeStudents()
        try writeEnrolments()
        try writeSnapshotMarkers()
    }

    /// Groups that matched nobody become new students; their ids come from the students
    /// sequence up front, so every row of the group knows its student without a join back.
    /// The representatives are analysed: unanalysed, the planner guessed 110 of them and read
    /// them all once for each held student, 0.27 s of a 1,200-pupil school's load once the
    /// database held 200 schools (BENCHMARKS.md, many schools).
    private func giveNewStudentsIDs() throws {
        try connection.execute(
            """
            UPDATE staged_students s SET student_id = n.student_id, new_student = true
            FROM (SELECT grp, nextval(pg_get_serial_sequence('students', 'student_id')) AS student_id
                  FROM (SELECT DISTINCT grp FROM staged_students WHERE student_id IS NULL) g) n
            WHERE n.grp = s.grp;
            CREATE TEMP TABLE student_representatives ON COMMIT DROP AS
            SELECT DISTINCT ON (r.student_id) r.*, i.upns, i.ulns, i.hesa_ids, i.institution_ids, i.former_upn_given
            FROM staged_students r
            JOIN (SELECT student_id, max(upn) AS upns, max(uln) AS ulns, max(hesa_id) AS hesa_ids,
                         max(institution_id) AS institution_ids, max(former_upn) AS former_upn_given
                  FROM staged_students GROUP BY student_id) i USING (student_id)
            ORDER BY r.student_id, r.academic_year DESC, r.line DESC;
            ANALYZE student_representatives;
            """)
    }

    /// Inserts the new students and updates held ones whose details changed. The row for the
    /// latest academic year speaks for the student; a blank optional field keeps what is held.
    private func writeStudents() throws {
        try connection.query(
            """
            INSERT INTO students
                (student_id, provider_id, upn, uln, hesa_id, institution_id, legal_surname, forename,
                 date_of_birth, gender, ethnicity, import_id, former_upns, admission_date)
            OVERRIDING SYSTEM VALUE
            SELECT student_id, $1, upns, ulns, hesa_ids, institution_ids, legal_surname, forename,
                   date_of_birth, gender, ethnicity, $2,
                   CASE WHEN former_upn_given IS NULL THEN '{}'::text[] ELSE ARRAY[former_upn_given] END,
                   admission_date
            FROM student_representatives WHERE new_student
            """, [providerID, importID])
        try connection.query(
            """
            WITH identity AS (
                -- A permanent UPN replaces the one held, which joins former_upns; a UPN the pupil
                -- has since replaced never comes back (docs/methodology.md §2.4).
                SELECT r.student_id,
                       CASE WHEN st.former_upns @> ARRAY[r.upns] THEN st.upn ELSE coalesce(r.upns, st.upn) END AS upn,
                       st.upn AS old_upn, st.former_upns AS old_former
                FROM student_representatives r JOIN students st ON st.provider_id = $2 AND st.student_id = r.student_id WHERE NOT r.new_student
            ), next AS (
                SELECT i.student_id, i.upn,
                       ARRAY(SELECT DISTINCT f FROM unnest(i.old_former || ARRAY[i.old_upn, r.former_upn_given]) AS f
                             WHERE f IS NOT NULL AND f IS DISTINCT FROM i.upn ORDER BY f) AS former_upns
                FROM identity i JOIN student_representatives r USING (student_id)
            ), changed AS (
                UPDATE students st SET
                    upn = n.upn, former_upns = n.former_upns, uln = coalesce(r.ulns, st.uln),
                    hesa_id = coalesce(r.hesa_ids, st.hesa_id), institution_id = coalesce(r.institution_ids, st.institution_id),
                    legal_surname = r.legal_surname, forename = r.forename, date_of_birth = r.date_of_birth,
                    gender = coalesce(r.gender, st.gender), ethnicity = coalesce(r.ethnicity, st.ethnicity),
                    admission_date = coalesce(r.admission_date, st.admission_date),
                    import_id = $1, updated_at = now()
                FROM student_representatives r JOIN next n USING (student_id)
                WHERE NOT r.new_student AND st.provider_id = $2 AND st.student_id = r.student_id
                  AND (st.upn, st.former_upns, st.uln, st.hesa_id, st.institution_id, st.legal_surname, st.forename,
                       st.date_of_birth, st.gender, st.ethnicity, st.admission_date)
                      IS DISTINCT FROM
                      (n.upn, n.former_upns, coalesce(r.ulns, st.uln), coalesce(r.hesa_ids, st.hesa_id),
                       coalesce(r.institution_ids, st.institution_id), r.legal_surname, r.forename, r.date_of_birth,
                       coalesce(r.gender, st.gender), coalesce(r.ethnicity, st.ethnicity),
                       coalesce(r.admission_date, st.admission_date))
                RETURNING r.line
            )
            UPDATE staged_students s SET changed = true FROM changed c WHERE c.line = s.line
            """, [importID, providerID])
    }

    /// One enrolment per student per academic year; the row replaces the enrolment's fields.
    private func writeEnrolments() throws {
        try connection.query(
            """
            WITH written AS (
                INSERT INTO enrolments AS e (provider_id, student_id, academic_year, year_group, course, start_date, leave_date,
                                             leave_reason, intake_year, form_group, import_id)
                SELECT $2, student_id, academic_year, year_group, course, start_date, leave_date, leave_reason, intake_year, form_group, $1
                FROM staged_students
                ON CONFLICT (provider_id, student_id, academic_year) DO UPDATE SET
                    year_group = EXCLUDED.year_group, course = EXCLUDED.course, start_date = EXCLUDED.start_date,
                    leave_date = EXCLUDED.leave_date, leave_reason = EXCLUDED.leave_reason,
                    intake_year = EXCLUDED.intake_year, form_group = coalesce(EXCLUDED.form_group, e.form_group),
                    import_id = EXCLUDED.import_id, updated_at = now()
                WHERE (e.year_group, e.course, e.start_date, e.leave_date, e.leave_reason, e.intake_year, e.form_group)
                      IS DISTINCT FROM
                      (EXCLUDED.year_group, EXCLUDED.course, EXCLUDED.start_date, EXCLUDED.leave_date,
                       EXCLUDED.leave_reason, EXCLUDED.intake_year, coalesce(EXCLUDED.form_group, e.form_group))
                RETURNING e.student_id, e.academic_year, (e.xmax = 0) AS was_inserted
            )
            UPDATE staged_students s SET inserted = s.inserted OR w.was_inserted, changed = true
            FROM written w WHERE w.student_id = s.student_id AND w.academic_year = s.academic_year
            """, [importID, providerID])
    }

    /// The snapshot columns of the staged pupils as markers: one row per tick, with its line and date.
    static let snapshotColumns = """
        SELECT line, student_id, academic_year, as_of, 'fsm'::marker_kind AS marker, NULL::text AS value, '' AS overlap_key
        FROM staged_students WHERE fsm
        UNION ALL
        SELECT line, student_id, academic_year, as_of, 'fsm_ever_6', NULL, '' FROM staged_students WHERE fsm_ever_6
        UNION ALL
        SELECT line, student_id, academic_year, as_of, 'looked_after', NULL, '' FROM staged_students WHERE looked_after
        UNION ALL
        SELECT line, student_id, academic_year, as_of, 'pupil_premium', 'eligible', 'eligible' FROM staged_students WHERE pupil_premium
        UNION ALL
        SELECT line, student_id, academic_year, as_of, 'sen', sen, '' FROM staged_students WHERE sen IN ('E', 'K')
        UNION ALL
        SELECT line, student_id, academic_year, as_of, 'eal', eal_band, '' FROM staged_students WHERE eal
        """

    /// MIS snapshot columns ("FSM Eligible = Y" as at a date D) become marker spells:
    /// * a spell of the same marker already covering D with the same value (or a snapshot with
    ///   no value, such as EAL without a band): nothing changes;
    /// * a spell covering D with a different value (SEN K, now E): it ends on D - 1 and a new
    ///   spell starts on D (or, if it started on D, its value changes);
    /// * no spell covering D: a new spell from D to the end of D's academic year (or to the day
    ///   before the next spell), because a snapshot says nothing about later years.
    /// "N" and blank record nothing: the absence of a tick in one export is not evidence that a
    /// dated spell ended. Dates are processed in order, so rows for several years compose.
    func writeSnapshotMarkers() throws {
        try connection.execute(
            """
            CREATE TEMP TABLE snapshot_markers ON COMMIT DROP AS
            SELECT DISTINCT ON (student_id, marker, overlap_key, as_of)
                   line, student_id, marker, value, overlap_key, as_of,
                   make_date(extract(year FROM as_of)::int + CASE WHEN extract(month FROM as_of) >= 8 THEN 1 ELSE 0 END, 7, 31) AS year_end
            FROM (\(Self.snapshotColumns)) x
            ORDER BY student_id, marker, overlap_key, as_of, academic_year DESC, line DESC
            """)
        let dates = try connection.query("SELECT DISTINCT as_of::text AS as_of FROM snapshot_markers ORDER BY 1").rows
        for row in dates {
            let date: String = try row.decode("as_of")
            try connection.query(
                """
                WITH ended AS (
                    UPDATE student_markers m SET ends_on = s.as_of - 1, import_id = $1, updated_at = now()
                    FROM snapshot_markers s
                    WHERE s.as_of = $2::date AND s.value IS NOT NULL
                      AND m.provider_id = $3 AND m.student_id = s.student_id AND m.marker = s.marker AND m.overlap_key = s.overlap_key
                      AND m.spell @> s.as_of AND m.value IS DISTINCT FROM s.value AND m.starts_on < s.as_of
                    RETURNING s.line
                ), revalued AS (
                    UPDATE student_markers m SET value = s.value, import_id = $1, updated_at = now()
                    FROM snapshot_markers s
                    WHERE s.as_of = $2::date AND s.value IS NOT NULL
                      AND m.provider_id = $3 AND m.student_id = s.student_id AND m.marker = s.marker AND m.overlap_key = s.overlap_key
                      AND m.starts_on = s.as_of AND m.value IS DISTINCT FROM s.value
                    RETURNING s.line
                )
                UPDATE staged_students t SET changed = true
                WHERE t.line IN (SELECT line FROM ended UNION SELECT line FROM revalued)
                """, [importID, date, providerID])
            try connection.query(
                """
                WITH added AS (
                    INSERT INTO student_markers (provider_id, student_id, marker, value, starts_on, ends_on, source, import_id)
                    SELECT $3, s.student_id, s.marker, s.value, s.as_of,
                           least(s.year_end, (SELECT min(m.starts_on) - 1 FROM student_markers m
                                              WHERE m.provider_id = $3 AND m.student_id = s.student_id AND m.marker = s.marker
                                                AND m.overlap_key = s.overlap_key AND m.starts_on > s.as_of)),
                           'snapshot', $1
                    FROM snapshot_markers s
                    WHERE s.as_of = $2::date
                      AND NOT EXISTS (SELECT 1 FROM student_markers m
                                      WHERE m.provider_id = $3 AND m.student_id = s.student_id AND m.marker = s.marker
                                        AND m.overlap_key = s.overlap_key AND m.spell @> s.as_of)
                    RETURNING student_id, marker, overlap_key
                )
                UPDATE staged_students t SET changed = true
                FROM added a JOIN snapshot_markers s
                  ON s.student_id = a.student_id AND s.marker = a.marker AND s.overlap_key = a.overlap_key AND s.as_of = $2::date
                WHERE t.line = s.line
                """, [importID, date, providerID])
        }
    }
}
