-- The impact sections a termly report includes when none is asked for (docs/methodology.md §6.6).
-- depends on: report_load_cohort.sql
-- after version: 18

-- `gaptrack report termly` prints an intervention impact section for each intervention type and
-- target delivered to the cohort in the report's term or earlier in the same academic year: one
-- row per group of records with the same type and the same plan (target, entry and exit
-- assessments: the columns of 018_support_targets.sql, compared as stored). Each section is judged
-- on its records' target, never on a subject picked for it:
-- * a subject or assessment target: entry = the planned entry assessment, or else the term of the
--   cohort's last result in the subject taken before the group's first start in the report's
--   academic year (the impact cohort is the year's: impact_school_students takes the students
--   enrolled in the year of the "before" assessment); exit = the planned
--   exit assessment (for an assessment target, the target), or else the term of the first result
--   in the subject taken after the group's last end (for support still going on: the latest
--   result up to the report's term). Terms later than the report's term are not used.
-- * attendance: the term of the report's academic year that ended last before the group's first
--   start against the first term that starts after its last end (for support still going on: the
--   report's term). The impact cohort is the year's (impact_school_students takes the students
--   enrolled in the year of the "before" term), so a term of an earlier year is not used.
-- * no target: no entry or exit; the report says the support is not judged.
-- A before or after left NULL means the section cannot be judged yet, and the report says why.
-- Subjects are compared ignoring case and surrounding spaces, as impact_assessment_results
-- matches them. Delivered: an active or ended support record
-- (GapTrackDomain.SupportStatus.wasDelivered) of a cohort student that overlaps the academic
-- year up to the end of the report's term.
CREATE OR REPLACE FUNCTION report_impact_candidates(p_provider_id bigint, p_academic_year text, p_term term_name)
RETURNS TABLE (
    type text, participants bigint, target_kind text, target_subject text,
    entry_assessment text, entry_academic_year text, entry_term text,
    exit_assessment text, exit_academic_year text, exit_term text,
    before_name text, before_year text, before_term text, after_name text, after_year text, after_term text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_require_cohort();
    RETURN QUERY
    WITH report_term AS (
        SELECT t.academic_year, t.term, t.ends_on FROM terms t WHERE t.academic_year = p_academic_year AND t.term = p_term
    ), results AS (
        -- Every result of a cohort student up to the report's term, in any year.
        SELECT lower(btrim(p.subject)) AS subject, p.academic_year, p.term, r.assessed_on
        FROM assessment_points p
        JOIN assessment_results r ON r.assessment_point_id = p.assessment_point_id
        JOIN pg_temp.report_cohort c ON c.student_id = r.student_id
        WHERE p.provider_id = p_provider_id AND (p.academic_year, p.term) <= (p_academic_year, p_term)
    ), delivered AS (
        SELECT s.type, s.student_id, s.starts_on, s.ends_on, s.target_kind::text AS target_kind, s.target_subject,
               s.entry_assessment, s.entry_academic_year, s.entry_term::text AS entry_term,
               s.exit_assessment, s.exit_academic_year, s.exit_term::text AS exit_term
        FROM support_records s
        JOIN pg_temp.report_cohort c ON c.student_id = s.student_id
        JOIN academic_years y ON y.academic_year = p_academic_year
        CROSS JOIN report_term t
        WHERE s.provider_id = p_provider_id
          AND s.status IN ('active', 'ended')
          AND s.starts_on <= t.ends_on
          AND coalesce(s.ends_on, t.ends_on) >= y.starts_on
    ), groups AS (
        SELECT d.type, count(DISTINCT d.student_id) AS participants, d.target_kind, d.target_subject,
               d.entry_assessment, d.entry_academic_year, d.entry_term, d.exit_assessment, d.exit_academic_year, d.exit_term,
               min(d.starts_on) AS first_start, max(d.ends_on) AS last_end, bool_or(d.ends_on IS NULL OR d.ends_on > t.ends_on) AS going_on
        FROM delivered d CROSS JOIN report_term t
        GROUP BY d.type, d.target_kind, d.target_subject, d.entry_assessment, d.entry_academic_year, d.entry_term,
                 d.exit_assessment, d.exit_academic_year, d.exit_term
    )
    SELECT g.type, g.participants, g.target_kind, g.target_subject,
           g.entry_assessment, g.entry_academic_year, g.entry_term, g.exit_assessment, g.exit_academic_year, g.exit_term,
           CASE WHEN g.entry_term IS NOT NULL THEN g.entry_assessment END,
           coalesce(g.entry_academic_year, b.academic_year, ab.academic_year),
           coalesce(g.entry_term, b.term::text, ab.term::text),
           CASE WHEN g.exit_term IS NOT NULL THEN g.exit_assessment END,
           coalesce(CASE WHEN (g.exit_academic_year, g.exit_term::term_name) <= (p_academic_year, p_term) THEN g.exit_academic_year END,
                    CASE WHEN g.exit_term IS NULL THEN a.academic_year END, aa.academic_year),
           coalesce(CASE WHEN (g.exit_academic_year, g.exit_term::term_name) <= (p_academic_year, p_term) THEN g.exit_term END,
                    CASE WHEN g.exit_term IS NULL THEN a.term::text END, aa.term::text)
    FROM groups g
    -- A subject's entry: the last result before the first start.
    LEFT JOIN LATERAL (
        SELECT x.academic_year, x.term FROM results x
        WHERE g.target_kind IN ('subject', 'assessment') AND g.entry_term IS NULL
          AND x.subject = lower(btrim(g.target_subject)) AND x.assessed_on < g.first_start AND x.academic_year = p_academic_year
        ORDER BY x.academic_year DESC, x.term DESC LIMIT 1
    ) b ON true
    -- A subject's exit: the first result after the last end, or the latest while it goes on.
    LEFT JOIN LATERAL (
        SELECT x.academic_year, x.term FROM results x
        WHERE g.target_kind = 'subject' AND g.exit_term IS NULL AND x.subject = lower(btrim(g.target_subject))
          AND (g.going_on OR x.assessed_on > g.last_end)
        ORDER BY CASE WHEN g.going_on THEN 0 ELSE 1 END,
                 CASE WHEN g.going_on THEN x.academic_year END DESC, CASE WHEN g.going_on THEN x.term END DESC,
                 x.academic_year, x.term
        LIMIT 1
    ) a ON true
    -- Attendance: the term before the first start, and the term after the last end.
    LEFT JOIN LATERAL (
        SELECT t.academic_year, t.term FROM terms t
        WHERE g.target_kind = 'attendance' AND t.ends_on < g.first_start AND t.academic_year = p_academic_year
        ORDER BY t.ends_on DESC LIMIT 1
    ) ab ON true
    LEFT JOIN LATERAL (
        SELECT t.academic_year, t.term FROM terms t
        WHERE g.target_kind = 'attendance' AND (t.academic_year, t.term) <= (p_academic_year, p_term)
          AND (g.going_on OR t.starts_on > g.last_end)
        ORDER BY CASE WHEN g.going_on THEN 0 ELSE 1 END,
                 CASE WHEN g.going_on THEN t.starts_on END DESC, t.starts_on
        LIMIT 1
    ) aa ON true
    ORDER BY g.type, g.target_kind NULLS LAST, g.target_subject, g.entry_academic_year, g.entry_term, g.entry_assessment,
             g.exit_academic_year, g.exit_term, g.exit_assessment;
END
$$;
COMMENT ON FUNCTION report_impact_candidates(bigint, text, term_name) IS
    'Intervention types and targets delivered to the loaded report cohort in the academic year up to the report''s term, each with the entry and exit its default impact section is judged on (docs/methodology.md §6.6).';
