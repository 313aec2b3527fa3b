-- The pupils behind a report's figures, for staff (docs/methodology.md §7.7): who is in each group
-- of the loaded cohort, their markers, support, attendance and results before and after.
-- depends on: report_load_cohort.sql, report_groups.sql, report_comparison.sql, impact_school.sql, support_catalogue.sql

-- Which groups each pupil of the loaded cohort is listed in, into report_drill_down_members
-- (dropped at commit). Membership is worked out from the provider's full records, as the
-- report's figures are, so a list never contradicts a count. A caller who may not see restricted
-- records (p_include_restricted false: a staff token, docs/methodology.md §7.7) is shown a pupil in a
-- group only when the records it may see place them there too: the pupil's facts are worked out
-- again with every restricted marker (restricted_marker_kinds) taken away and the report's
-- comparison applied afresh (report_use_comparison, the one place it is defined), and a group is
-- kept only when both versions agree. A pupil disadvantaged only because they are looked after is
-- then in neither the disadvantaged nor the others list for staff, and the looked-after list is
-- empty; the counts are unchanged. report_cohort itself is left as it was found.
CREATE OR REPLACE FUNCTION report_drill_down_load(p_comparison text, p_include_restricted boolean)
RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_count bigint;
BEGIN
    PERFORM report_require_cohort();
    DROP TABLE IF EXISTS pg_temp.report_drill_down_members, pg_temp.report_drill_down_full, pg_temp.report_drill_down_visible;
    CREATE TEMPORARY TABLE report_drill_down_members ON COMMIT DROP AS
        SELECT c.student_id, g.group_id
        FROM pg_temp.report_cohort c
        CROSS JOIN LATERAL report_groups_of(c) AS g (group_id);
    IF NOT coalesce(p_include_restricted, false) THEN
        CREATE TEMPORARY TABLE report_drill_down_full ON COMMIT DROP AS SELECT * FROM pg_temp.report_cohort;
        UPDATE pg_temp.report_cohort c SET
            looked_after = c.looked_after AND NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = 'looked_after'),
            previously_looked_after = c.previously_looked_after
                AND NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = 'previously_looked_after'),
            care_leaver = c.care_leaver AND NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = 'care_leaver'),
            estranged = c.estranged AND NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = 'estranged'),
            refugee_or_asylum_seeker = c.refugee_or_asylum_seeker
                AND NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = 'refugee_or_asylum_seeker'),
            young_carer = c.young_carer AND NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = 'young_carer');
        PERFORM report_use_comparison(coalesce(p_comparison, 'dfe_disadvantaged'));
        CREATE TEMPORARY TABLE report_drill_down_visible ON COMMIT DROP AS
            SELECT c.student_id, g.group_id
            FROM pg_temp.report_cohort c
            CROSS JOIN LATERAL report_groups_of(c) AS g (group_id);
        ANALYZE pg_temp.report_drill_down_visible;
        DELETE FROM pg_temp.report_drill_down_members m
        WHERE NOT EXISTS (
            SELECT FROM pg_temp.report_drill_down_visible v WHERE v.student_id = m.student_id AND v.group_id = m.group_id);
        DROP TABLE pg_temp.report_drill_down_visible;
        TRUNCATE pg_temp.report_cohort;
        INSERT INTO pg_temp.report_cohort SELECT * FROM pg_temp.report_drill_down_full;
        DROP TABLE pg_temp.report_drill_down_full;
    END IF;
    -- The lists below join the members by pupil: an index and statistics, so that they hash or
    -- look pupils up instead of scanning the whole table once per pupil.
    CREATE INDEX ON pg_temp.report_drill_down_members (student_id);
    ANALYZE pg_temp.report_drill_down_members;
    SELECT count(DISTINCT m.student_id) INTO v_count FROM pg_temp.report_drill_down_members m;
    RETURN v_count;
END
$$;

-- Refuses, with what to do, when report_drill_down_load has not been called in this transaction.
CREATE OR REPLACE FUNCTION report_drill_down_require() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('pg_temp.report_drill_down_members') IS NULL THEN
        RAISE EXCEPTION 'no drill-down cohort is loaded'
            USING ERRCODE = 'undefined_table',
                  HINT = 'Call report_load_cohort, then report_drill_down_load(comparison, include_restricted), in the same transaction.';
    END IF;
END
$$;

-- One row per pupil of the loaded cohort: identifiers, the groups report_drill_down_load lists
-- them in, the markers in force on the term's census day (the day the report's groups are taken
-- on, docs/methodology.md §7), restricted ones only for a caller who may see them, and their
-- sessions from p_from to p_to (the term, or the academic year), counted from the code table as report_attendance counts them
-- (docs/methodology.md §3). No possible session: NULL attendance.
CREATE OR REPLACE FUNCTION report_drill_down_pupils(p_academic_year text, p_term term_name, p_from date, p_to date, p_include_restricted boolean)
RETURNS TABLE (
    student_id bigint, forename text, legal_surname text, upn text, uln text, groups text[], markers text[],
    possible bigint, attended bigint, authorised bigint, unauthorised bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_drill_down_require();
    RETURN QUERY
        WITH member_groups AS (
            SELECT m.student_id, array_agg(m.group_id ORDER BY m.group_id) AS groups
            FROM pg_temp.report_drill_down_members m
            GROUP BY m.student_id
        ), marker_lists AS (
            SELECT k.student_id, array_agg(DISTINCT k.marker::text || coalesce(': ' || k.value, '')) AS markers
            FROM student_markers k
            JOIN census_days c ON c.academic_year = p_academic_year AND c.collection = p_term AND k.spell @> c.census_date
            WHERE k.student_id IN (SELECT g.student_id FROM member_groups g)
              AND (p_include_restricted OR NOT EXISTS (SELECT FROM restricted_marker_kinds r WHERE r.marker = k.marker))
            GROUP BY k.student_id
        ), sessions AS (
            SELECT m.student_id,
                   count(*) FILTER (WHERE k.counts_as_possible) AS possible,
                   count(*) FILTER (WHERE k.counts_as_attendance) AS attended,
                   count(*) FILTER (WHERE k.counts_as_absence AND NOT k.counts_as_unauthorised) AS authorised,
                   count(*) FILTER (WHERE k.counts_as_unauthorised) AS unauthorised
            FROM attendance_marks m
            JOIN attendance_codes k ON k.code = m.code
            WHERE m.session_date BETWEEN p_from AND p_to
              AND m.student_id IN (SELECT g.student_id FROM member_groups g)
            GROUP BY m.student_id
        )
        SELECT s.student_id, s.forename, s.legal_surname, s.upn, s.uln, g.groups, coalesce(l.markers, '{}'::text[]),
               a.possible, a.attended, a.authorised, a.unauthorised
        FROM member_groups g
        JOIN students s ON s.student_id = g.student_id
        LEFT JOIN marker_lists l ON l.student_id = g.student_id
        LEFT JOIN sessions a ON a.student_id = g.student_id AND a.possible > 0
        ORDER BY s.legal_surname, s.forename, s.student_id;
END
$$;

-- The support records of the loaded cohort that count in the period p_from..p_to (a term, or an
-- academic year), as report_support_records counts them in a term (docs/methodology.md §6, §7):
-- taken place (active or ended); financial support in the period it starts in; teaching time in
-- every period its dates overlap. Each record is listed whole (its own dates, hours, sessions and
-- amount), not the share of it a term's figures count.
-- Restricted records only for a caller who may see them.
CREATE OR REPLACE FUNCTION report_drill_down_support(p_provider_id bigint, p_from date, p_to date, p_include_restricted boolean)
RETURNS TABLE (
    student_id bigint, support_id bigint, type text, type_label text, starts_on date, ends_on date,
    hours numeric, sessions integer, amount numeric, funding_source text, funding_label text, reference text, restricted boolean)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_drill_down_require();
    RETURN QUERY
        SELECT r.student_id, r.support_id, r.type, it.display_name, r.starts_on, r.ends_on, r.hours, r.sessions, r.amount,
               r.funding_source, fs.display_name, r.reference, r.restricted
        FROM support_records r
        JOIN support_catalogue(p_provider_id) it ON it.kind = 'support-type' AND it.code = r.type
        LEFT JOIN support_catalogue(p_provider_id) fs ON fs.kind = 'funding-source' AND fs.code = r.funding_source
        WHERE r.provider_id = p_provider_id
          AND r.student_id IN (SELECT x.student_id FROM pg_temp.report_drill_down_members x)
          AND r.status IN ('active', 'ended')
          AND r.starts_on <= p_to
          AND CASE WHEN it.is_financial THEN r.starts_on >= p_from
                   ELSE coalesce(r.ends_on, p_to) >= p_from END
          AND (p_include_restricted OR NOT r.restricted)
        ORDER BY r.student_id, r.starts_on, r.type, r.support_id;
END
$$;

-- Each pupil's results before and after the support (docs/methodology.md §4, §6): with named
-- points (p_before_* and p_after_*, as `report impact` takes them), those two, read as the impact
-- report reads them (impact_assessment_results); without, for every subject the pupil sat this
-- academic year up to the term, the first assessment of the year (entry) and the latest (exit),
-- the pair the termly report's impact sections compare. A subject sat once has an entry only.
CREATE OR REPLACE FUNCTION report_drill_down_results(
    p_provider_id bigint, p_academic_year text, p_term term_name,
    p_before_subject text, p_before_name text, p_before_year text, p_before_term term_name,
    p_after_subject text, p_after_name text, p_after_year text, p_after_term term_name)
RETURNS TABLE (student_id bigint, subject text, point_role text, assessment text, academic_year text, term term_name, score numeric, scale text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_drill_down_require();
    RETURN QUERY
        WITH named AS (
            SELECT r.student_id, p_before_subject AS subject, 'entry'::text AS point_role, coalesce(p_before_name, p_before_subject) AS assessment,
                   p_before_year AS academic_year, p_before_term AS term, r.score, r.scale::text AS scale
            FROM impact_assessment_results(p_provider_id, p_before_subject, p_before_name, p_before_year, p_before_term) r
            WHERE p_before_subject IS NOT NULL
            UNION ALL
            SELECT r.student_id, p_after_subject, 'exit'::text, coalesce(p_after_name, p_after_subject), p_after_year, p_after_term, r.score, r.scale::text
            FROM impact_assessment_results(p_provider_id, p_after_subject, p_after_name, p_after_year, p_after_term) r
            WHERE p_after_subject IS NOT NULL
        ), year_results AS (
            SELECT r.student_id, p.subject, p.name, p.academic_year, p.term, r.score, r.scale::text AS scale,
                   row_number() OVER (PARTITION BY r.student_id, lower(btrim(p.subject)) ORDER BY p.term, r.assessed_on, p.assessment_point_id) AS first_rank,
                   row_number() OVER (PARTITION BY r.student_id, lower(btrim(p.subject)) ORDER BY p.term DESC, r.assessed_on DESC, p.assessment_point_id DESC) AS last_rank
            FROM assessment_points p
            JOIN assessment_results r ON r.assessment_point_id = p.assessment_point_id
            WHERE p.provider_id = p_provider_id
              AND p.academic_year = p_academic_year
              AND p.term <= p_term
              AND p_before_subject IS NULL AND p_after_subject IS NULL
              AND r.student_id IN (SELECT x.student_id FROM pg_temp.report_drill_down_members x)
        )
        SELECT n.student_id, n.subject, n.point_role, n.assessment, n.academic_year, n.term, n.score, n.scale
        FROM named n
        WHERE n.student_id IN (SELECT x.student_id FROM pg_temp.report_drill_down_members x)
        UNION ALL
        SELECT y.student_id, y.subject, CASE WHEN y.first_rank = 1 THEN 'entry' ELSE 'exit' END::text, y.name, y.academic_year, y.term, y.score, y.scale
        FROM year_results y
        WHERE y.first_rank = 1 OR (y.last_rank = 1 AND y.first_rank > 1)
        ORDER BY 1, 2, 3;
END
$$;
