import Postgres

/// Writes a staged student-record extract into the higher-education tables: new students, then
/// courses, instances and their years, each an upsert that changes only what differs, so that the
/// same file again writes nothing. It marks each staged row `inserted` (its year is new) or
/// `changed` (its year, its instance or its course changed) for the import's counts.
struct StudentRecordsMerge {
    let connection: PostgresConnection
    let providerID: Int
    let importID: Int

    func run() throws {
        // Students not yet held: one per student of the file, named by its first row.
        try connection.query(
            """
            WITH added AS (
                INSERT INTO students (provider_id, hesa_id, institution_id, uln, legal_surname, forename, date_of_birth,
                                      gender, ethnicity, import_id)
                SELECT DISTINCT ON (student_key) $1, hesa_id, institution_id, uln, legal_surname, forename, date_of_birth,
                       gender, ethnicity, $2
                FROM staged_student_records WHERE student_id IS NULL
                ORDER BY student_key, line
                RETURNING student_id, hesa_id, institution_id, uln
            )
            UPDATE staged_student_records s SET student_id = a.student_id, inserted = true
            FROM added a
            WHERE s.student_id IS NULL
              AND (a.hesa_id = s.hesa_id OR a.institution_id = s.institution_id OR a.uln = s.uln)
            """, [providerID, importID])

        // Courses: new codes inserted; a title, level or CAH code the file gives replaces the held one.
        try connection.query(
            """
            WITH file AS (
                SELECT DISTINCT ON (course) course, course_title, course_level, cah_code
                FROM staged_student_records ORDER BY course, line DESC
            ), added AS (
                INSERT INTO he_courses (provider_id, course_code, title, level, cah_code, import_id)
                SELECT $1, course, course_title, coalesce(course_level, 'first_degree'), cah_code, $2 FROM file
                ON CONFLICT (provider_id, course_code) DO NOTHING
                RETURNING course_code
            ), changed AS (
                UPDATE he_courses c SET title = coalesce(f.course_title, c.title), level = coalesce(f.course_level, c.level),
                       cah_code = coalesce(f.cah_code, c.cah_code), import_id = $2
                FROM file f
                WHERE c.provider_id = $1 AND c.course_code = f.course
                  AND f.course NOT IN (SELECT course_code FROM added)
                  AND (c.title, c.level, c.cah_code) IS DISTINCT FROM
                      (coalesce(f.course_title, c.title), coalesce(f.course_level, c.level), coalesce(f.cah_code, c.cah_code))
                RETURNING c.course_code
            )
            UPDATE staged_student_records s SET changed = true
            WHERE s.course IN (SELECT course_code FROM added UNION ALL SELECT course_code FROM changed)
            """, [providerID, importID])

        // Instances: entry fields from the earliest year that gives them, leaving fields from the latest.
        try connection.query(
            """
            WITH file AS (
                SELECT student_id, commenced_on,
                       (array_agg(course ORDER BY academic_year DESC, line DESC))[1] AS course,
                       (array_agg(mode ORDER BY academic_year, line))[1] AS mode,
                       (array_agg(entry_qualification ORDER BY academic_year, line) FILTER (WHERE entry_qualification IS NOT NULL))[1] AS entry_qualification,
                       (array_agg(tariff_points ORDER BY academic_year, line) FILTER (WHERE tariff_points IS NOT NULL))[1] AS tariff_points,
                       (array_agg(imd_quintile ORDER BY academic_year, line) FILTER (WHERE imd_quintile IS NOT NULL))[1] AS imd_quintile,
                       (array_agg(polar4_quintile ORDER BY academic_year, line) FILTER (WHERE polar4_quintile IS NOT NULL))[1] AS polar4_quintile,
                       (array_agg(tundra_quintile ORDER BY academic_year, line) FILTER (WHERE tundra_quintile IS NOT NULL))[1] AS tundra_quintile,
                       (array_agg(abcs_quintile ORDER BY academic_year, line) FILTER (WHERE abcs_quintile IS NOT NULL))[1] AS abcs_quintile,
                       (array_agg(fsm_at_school ORDER BY academic_year, line) FILTER (WHERE fsm_at_school IS NOT NULL))[1] AS fsm_at_school,
                       (array_agg(care_leaver ORDER BY academic_year, line) FILTER (WHERE care_leaver IS NOT NULL))[1] AS care_leaver,
                       (array_agg(estranged ORDER BY academic_year, line) FILTER (WHERE estranged IS NOT NULL))[1] AS estranged,
                       (array_agg(first_in_family ORDER BY academic_year, line) FILTER (WHERE first_in_family IS NOT NULL))[1] AS first_in_family,
                       (array_agg(disabled ORDER BY academic_year, line) FILTER (WHERE disabled IS NOT NULL))[1] AS disabled,
                       (array_agg(left_on ORDER BY academic_year DESC, line DESC) FILTER (WHERE left_on IS NOT NULL))[1] AS left_on,
                       (array_agg(leaving_reason_code ORDER BY academic_year DESC, line DESC) FILTER (WHERE left_on IS NOT NULL))[1] AS leaving_reason_code,
                       (array_agg(leaving_code_list ORDER BY academic_year DESC, line DESC) FILTER (WHERE left_on IS NOT NULL))[1] AS leaving_code_list,
                       (array_agg(leaving_outcome ORDER BY academic_year DESC, line DESC) FILTER (WHERE left_on IS NOT NULL))[1] AS leaving_outcome,
                       (array_agg(classification ORDER BY academic_year DESC, line DESC) FILTER (WHERE classification IS NOT NULL))[1] AS classification,
                       (array_agg(progression ORDER BY academic_year DESC, line DESC) FILTER (WHERE progression IS NOT NULL))[1] AS progression
                FROM staged_student_records GROUP BY student_id, commenced_on
            ), written AS (
                INSERT INTO he_instances AS h (provider_id, student_id, commenced_on, course_code, mode, entry_qualification,
                    tariff_points, imd_quintile, polar4_quintile, tundra_quintile, abcs_quintile, fsm_at_school, care_leaver,
                    estranged, first_in_family, disabled, left_on, leaving_reason_code, leaving_code_list, leaving_outcome,
                    classification, progression, import_id)
                SELECT $1, student_id, commenced_on, course, mode, entry_qualification, tariff_points, imd_quintile,
                       polar4_quintile, tundra_quintile, abcs_quintile, fsm_at_school, care_leaver, estranged, first_in_family,
                       disabled, left_on, leaving_reason_code, leaving_code_list, leaving_outcome, classification, progression, $2
                FROM file
                ON CONFLICT (provider_id, student_id, commenced_on) DO UPDATE SET
                    course_code = EXCLUDED.course_code, mode = EXCLUDED.mode, entry_qualification = EXCLUDED.entry_qualification,
                    tariff_points = EXCLUDED.tariff_points, imd_quintile = EXCLUDED.imd_quintile,
                    polar4_quintile = EXCLUDED.polar4_quintile, tundra_quintile = EXCLUDED.tundra_quintile,
                    abcs_quintile = EXCLUDED.abcs_quintile, fsm_at_school = EXCLUDED.fsm_at_school,
                    care_leaver = EXCLUDED.care_leaver, estranged = EXCLUDED.estranged,
                    first_in_family = EXCLUDED.first_in_family, disabled = EXCLUDED.disabled, left_on = EXCLUDED.left_on,
                    leaving_reason_code = EXCLUDED.leaving_reason_code, leaving_code_list = EXCLUDED.leaving_code_list,
                    leaving_outcome = EXCLUDED.leaving_outcome, classification = EXCLUDED.classification,
                    progression = EXCLUDED.progression, import_id = EXCLUDED.import_id, updated_at = now()
                WHERE (h.course_code, h.mode, h.entry_qualification, h.tariff_points, h.imd_quintile, h.polar4_quintile,
                       h.tundra_quintile, h.abcs_quintile, h.fsm_at_school, h.care_leaver, h.estranged, h.first_in_family,
                       h.disabled, h.left_on, h.leaving_reason_code, h.leaving_code_list, h.leaving_outcome, h.classification,
                       h.progression)
                      IS DISTINCT FROM
                      (EXCLUDED.course_code, EXCLUDED.mode, EXCLUDED.entry_qualification, EXCLUDED.tariff_points,
                       EXCLUDED.imd_quintile, EXCLUDED.polar4_quintile, EXCLUDED.tundra_quintile, EXCLUDED.abcs_quintile,
                       EXCLUDED.fsm_at_school, EXCLUDED.care_leaver, EXCLUDED.estranged, EXCLUDED.first_in_family,
                       EXCLUDED.disabled, EXCLUDED.left_on, EXCLUDED.leaving_reason_code, EXCLUDED.leaving_code_list,
                       EXCLUDED.leaving_outcome, EXCLUDED.classification, EXCLUDED.progression)
                RETURNING student_id, commenced_on
            )
            UPDATE staged_student_records s SET changed = true
            FROM written w WHERE w.student_id = s.student_id AND w.commenced_on = s.commenced_on
            """, [providerID, importID])

        try connection.query(
            """
            WITH written AS (
                INSERT INTO he_instance_years AS y (provider_id, student_id, commenced_on, academic_year, mode, mode_code,
                                                    year_of_programme, import_id)
                SELECT $1, student_id, commenced_on, academic_year, mode, mode_code, year_of_programme, $2
                FROM staged_student_records
                ON CONFLICT (provider_id, student_id, commenced_on, academic_year) DO UPDATE SET
                    mode = EXCLUDED.mode, mode_code = EXCLUDED.mode_code, year_of_programme = EXCLUDED.year_of_programme,
                    import_id = EXCLUDED.import_id
                WHERE (y.mode, y.mode_code, y.year_of_programme) IS DISTINCT FROM
                      (EXCLUDED.mode, EXCLUDED.mode_code, EXCLUDED.year_of_programme)
                RETURNING student_id, commenced_on, academic_year, (xmax = 0) AS is_new
            )
            UPDATE staged_student_records s SET inserted = s.inserted OR w.is_new, changed = true
            FROM written w
            WHERE w.student_id = s.student_id AND w.commenced_on = s.commenced_on AND w.academic_year = s.academic_year
            """, [providerID, importID])
    }
}
