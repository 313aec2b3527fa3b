-- Continuation of higher-education students (docs/methodology.md §1, §7).

-- Continuation (Office for Students, student outcomes data dashboard, condition B3: "the
-- proportion of students that were observed to be continuing in the study of a higher education
-- qualification (or have gained a qualification) one year and 15 days after they started their
-- course", two years and 15 days part-time; officeforstudents.org.uk, "About the dashboard").
-- Students who transferred to another provider count as continuing, as in the OfS measures.
-- gaptrack uses the full-time window and approximates "still
-- studying" by "has an enrolment at the same provider covering that day". One row per student
-- per provider: the entry date is the first day of the first enrolment of the intake year (the
-- explicit intake_year when given, else the earliest enrolment held).
--
-- Every look-up of a student's enrolments names the provider too: the enrolments' keys lead with
-- provider_id (sql/022_shard_ready_keys.sql), so a look-up by student alone has no index and
-- was planned as a scan of the enrolments per student.
-- after version: 22
CREATE OR REPLACE FUNCTION student_continuation(p_provider_id bigint)
RETURNS TABLE (student_id bigint, intake_year text, entry_date date, continuation_date date,
               continued boolean, still_in_window boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH entry AS (
        SELECT DISTINCT ON (e.student_id)
               e.student_id,
               coalesce(e.intake_year, e.academic_year) AS intake_year
        FROM enrolments e
        WHERE e.provider_id = p_provider_id
        ORDER BY e.student_id, coalesce(e.intake_year, e.academic_year), e.start_date
    ), entry_dates AS (
        SELECT x.student_id, x.intake_year,
               coalesce((SELECT min(e.start_date) FROM enrolments e
                         WHERE e.provider_id = p_provider_id AND e.student_id = x.student_id
                           AND e.academic_year = x.intake_year),
                        make_date(left(x.intake_year, 4)::int, 8, 1)) AS entry_date
        FROM entry x
    )
    SELECT d.student_id, d.intake_year, d.entry_date,
           (d.entry_date + interval '1 year 15 days')::date AS continuation_date,
           EXISTS (SELECT 1 FROM enrolments e
                   WHERE e.provider_id = p_provider_id AND e.student_id = d.student_id
                     AND ((e.start_date <= (d.entry_date + interval '1 year 15 days')::date
                           AND (e.leave_date IS NULL OR e.leave_date >= (d.entry_date + interval '1 year 15 days')::date))
                          OR (e.leave_reason IN ('completed', 'transferred')
                              AND e.leave_date < (d.entry_date + interval '1 year 15 days')::date))) AS continued,
           (d.entry_date + interval '1 year 15 days')::date > current_date AS still_in_window
    FROM entry_dates d
$$;
COMMENT ON FUNCTION student_continuation(bigint) IS
    'One row per student of the provider: intake year, entry date, the date one year and 15 days later, and whether they were still enrolled (or had completed or transferred) then. still_in_window = that date is in the future, so continuation is not yet known.';
