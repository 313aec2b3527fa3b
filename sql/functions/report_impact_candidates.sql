-- The impact sections a termly report includes when none is asked for (docs/methodology.md §6).
-- depends on: report_load_cohort.sql

-- `gaptrack report termly` prints an intervention impact section (the report of
-- `gaptrack report impact`) for each intervention type delivered to the cohort in
-- the report's term or earlier in the same academic year, provided the cohort's results allow a
-- before/after comparison within that year:
-- * before: the earliest term of the academic year in which students of the loaded cohort
--   (report_cohort) have results, if it is earlier than the report's term;
-- * after: the report's term;
-- * subject: of the subjects in which cohort students have results in both terms, the one with
--   most students with both (ties: the first by name), e.g. maths from the autumn mock to the
--   summer GCSE. Subjects are compared ignoring case and surrounding spaces, as
--   impact_assessment_results matches them.
-- Delivered: an active or ended support record (GapTrackDomain.SupportStatus.wasDelivered) of a
-- cohort student that overlaps the academic year up to the end of the report's term.
--
-- One row per intervention type, ordered by type; none when there is no such pair (e.g. in the
-- autumn term, or where each term's assessments are in different subjects, as module marks are).
CREATE OR REPLACE FUNCTION report_impact_candidates(p_provider_id bigint, p_academic_year text, p_term term_name)
RETURNS TABLE (type text, participants bigint, subject text, before_term text, paired bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_require_cohort();
    RETURN QUERY
    WITH results AS (
        SELECT r.student_id, lower(btrim(p.subject)) AS subject, p.term
        FROM assessment_points p
        JOIN assessment_results r ON r.assessment_point_id = p.assessment_point_id
        JOIN pg_temp.report_cohort c ON c.student_id = r.student_id
        WHERE p.provider_id = p_provider_id AND p.academic_year = p_academic_year AND p.term <= p_term
    ), first_term AS (
        SELECT min(x.term) AS term FROM results x
    ), pair AS (
        SELECT a.subject, f.term::text AS before_term, count(DISTINCT a.student_id) AS paired
        FROM first_term f
        JOIN results b ON b.term = f.term
        JOIN results a ON a.student_id = b.student_id AND a.subject = b.subject AND a.term = p_term
        WHERE f.term < p_term
        GROUP BY a.subject, f.term
        ORDER BY count(DISTINCT a.student_id) DESC, a.subject
        LIMIT 1
    ), delivered AS (
        SELECT s.type, count(DISTINCT s.student_id) AS participants
        FROM support_records s
        JOIN pg_temp.report_cohort c ON c.student_id = s.student_id
        JOIN academic_years y ON y.academic_year = p_academic_year
        JOIN terms t ON t.academic_year = p_academic_year AND t.term = p_term
        WHERE s.provider_id = p_provider_id
          AND s.status IN ('active', 'ended')
          AND s.starts_on <= t.ends_on
          AND coalesce(s.ends_on, t.ends_on) >= y.starts_on
        GROUP BY s.type
    )
    SELECT d.type, d.participants, x.subject, x.before_term, x.paired
    FROM delivered d
    CROSS JOIN pair x
    ORDER BY d.type;
END
$$;
COMMENT ON FUNCTION report_impact_candidates(bigint, text, term_name) IS
    'Intervention types delivered to the loaded report cohort in the academic year up to the report''s term, each with the before/after pair (subject with most students, earliest term of the year to the report''s term) for a default impact section.';
