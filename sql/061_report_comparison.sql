-- gaptrack reports, part 6: which students a termly report compares with the others.
--
-- Every report function (020-023, 060) compares the students of report_cohort whose
-- `disadvantaged` column is true with those whose column is false; a student whose column is
-- NULL is in neither group (still counted in the cohort, left out of both sides of every gap).
-- report_load_cohort fills the column with the DfE definition (FSM Ever 6, looked after or
-- previously looked after; migration 005). For a university, and a college without school
-- markers, that group is empty, so every gap would be withheld; report_use_comparison replaces
-- the column, in the loaded cohort only, by another definition (GapTrackReports.ComparisonGroup):
--
-- * 'dfe_disadvantaged': the DfE definition again (pupil_premium_eligible holds the same three
--   grounds, so the DfE fact survives any replacement).
-- * 'lseb': students from lower socio-economic backgrounds as gaptrack defines them for higher
--   education, the definition the cost-of-living impact report uses (migration 040,
--   impact_cost_of_living_students): IMD quintile 1 or 2, or POLAR4 quintile 1 or 2, or first in
--   family, or care leaver, or estranged (Office for Students access and participation
--   characteristics; the OfS publishes no single LSEB definition). An unknown quintile does not
--   place a student in the group; the others are everyone else.
-- * 'imd_q1' / 'polar4_q1': quintile 1 (most deprived neighbourhoods; lowest young participation
--   in HE) against quintiles 2-5. Students with no quintile recorded are in neither group.
-- * 'smc_lower': the Social Mobility Commission's lower socio-economic background against the
--   professional and intermediate backgrounds; students who did not declare, or whose answer
--   places them in no group ("other", "don't know", "prefer not to say"), are in neither group,
--   as the Commission asks.
-- * 'first_in_family': first in family to go to university against everyone else.
-- * 'care_experienced': care leaver, looked after or previously looked after, against everyone else.
--
-- Returns how many students are in the compared group, in the others and in neither.
CREATE FUNCTION report_use_comparison(p_comparison text)
RETURNS TABLE (compared bigint, others bigint, neither bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_require_cohort();
    IF p_comparison IS NULL OR p_comparison NOT IN
        ('dfe_disadvantaged', 'lseb', 'imd_q1', 'polar4_q1', 'smc_lower', 'first_in_family', 'care_experienced') THEN
        RAISE EXCEPTION 'unknown comparison group %', coalesce(quote_literal(p_comparison), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use dfe_disadvantaged, lseb, imd_q1, polar4_q1, smc_lower, first_in_family or care_experienced.';
    END IF;
    UPDATE pg_temp.report_cohort c SET disadvantaged = CASE p_comparison
        WHEN 'dfe_disadvantaged' THEN c.fsm_ever6 OR c.looked_after OR c.previously_looked_after
        WHEN 'lseb' THEN coalesce(c.imd_quintile <= 2, false) OR coalesce(c.polar4_quintile <= 2, false)
                         OR c.first_in_family OR c.care_leaver OR c.estranged
        WHEN 'imd_q1' THEN c.imd_quintile = 1
        WHEN 'polar4_q1' THEN c.polar4_quintile = 1
        WHEN 'smc_lower' THEN c.smc_group = 'lower_socio_economic'
        WHEN 'first_in_family' THEN c.first_in_family
        WHEN 'care_experienced' THEN c.care_leaver OR c.looked_after OR c.previously_looked_after
    END;
    RETURN QUERY
        SELECT count(*) FILTER (WHERE c.disadvantaged), count(*) FILTER (WHERE NOT c.disadvantaged),
               count(*) FILTER (WHERE c.disadvantaged IS NULL)
        FROM pg_temp.report_cohort c;
END
$$;
COMMENT ON FUNCTION report_use_comparison(text) IS
    'Replaces the compared group of the loaded report cohort (report_cohort.disadvantaged) by another definition: dfe_disadvantaged, lseb, imd_q1, polar4_q1, smc_lower, first_in_family or care_experienced; NULL = in neither group.';

-- Students of the loaded cohort who are disadvantaged in the DfE sense, whatever comparison is
-- in use: a college whose cohort has none holds no school markers, and compares LSEB students by
-- default.
CREATE FUNCTION report_dfe_disadvantaged_count()
RETURNS bigint
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_count bigint;
BEGIN
    PERFORM report_require_cohort();
    SELECT count(*) INTO v_count FROM pg_temp.report_cohort c WHERE c.fsm_ever6 OR c.looked_after OR c.previously_looked_after;
    RETURN v_count;
END
$$;

-- report_attainment (021) again, with one change: students in neither compared group
-- (report_cohort.disadvantaged IS NULL, see report_use_comparison) are left out of the ranking,
-- the means and the age gradient, as they are left out of both sides of the gap. Before this, a
-- NULL could not occur, so reports made with the DfE definition are unchanged.
CREATE OR REPLACE FUNCTION report_attainment(p_provider_id bigint, p_results_year text, p_results_term term_name)
RETURNS TABLE (
    assessment_point_id bigint, subject text, assessment text, scale text,
    d_count bigint, d_mean float8, d_variance float8, d_mean_rank float8, d_placement_variance float8,
    o_count bigint, o_mean float8, o_variance float8, o_mean_rank float8, o_placement_variance float8,
    age_count bigint, age_slope float8, age_intercept float8, age_sxx float8, age_rss float8)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_require_cohort();
    RETURN QUERY
    WITH results AS (
        SELECT r.assessment_point_id AS point, r.score::float8 AS score, c.disadvantaged,
               (date_part('year', r.assessed_on) - date_part('year', s.date_of_birth)) * 12
                   + date_part('month', r.assessed_on) - date_part('month', s.date_of_birth)
                   - CASE WHEN date_part('day', r.assessed_on) < date_part('day', s.date_of_birth) THEN 1 ELSE 0 END AS age_months
        FROM assessment_points p
        JOIN assessment_results r ON r.assessment_point_id = p.assessment_point_id
        JOIN report_cohort c ON c.student_id = r.student_id
        JOIN students s ON s.student_id = r.student_id
        WHERE p.provider_id = p_provider_id AND p.academic_year = p_results_year AND p.term = p_results_term
          AND c.disadvantaged IS NOT NULL
    ), blocks AS (
        SELECT point, score,
               count(*) FILTER (WHERE disadvantaged)::float8 AS d,
               count(*) FILTER (WHERE NOT disadvantaged)::float8 AS o,
               avg(age_months) AS age_mean,
               var_pop(age_months) * count(*) AS age_m2
        FROM results
        GROUP BY point, score
    ), placed AS (
        SELECT point, score, d, o, age_mean, age_m2,
               sum(d + o) OVER running - (d + o) AS below,
               sum(d) OVER running - d AS d_below,
               sum(o) OVER running - o AS o_below,
               sum(d) OVER whole AS n_d,
               sum(o) OVER whole AS n_o
        FROM blocks
        WINDOW running AS (PARTITION BY point ORDER BY score ROWS UNBOUNDED PRECEDING),
               whole AS (PARTITION BY point)
    ), ranked AS (
        SELECT point, score, d, o, n_d, n_o, age_mean, age_m2,
               (below + (d + o + 1) / 2) / (n_d + n_o) AS pct,
               CASE WHEN n_d > 0 THEN (d_below + d / 2) / n_d END AS v_other,
               CASE WHEN n_o > 0 THEN (n_o - o_below - o / 2) / n_o END AS v_disadvantaged
        FROM placed
    ), means AS (
        SELECT point, max(n_d) AS n_d, max(n_o) AS n_o,
               sum(d * score) / nullif(max(n_d), 0) AS d_mean,
               sum(o * score) / nullif(max(n_o), 0) AS o_mean,
               sum(d * pct) / nullif(max(n_d), 0) AS d_rank,
               sum(o * pct) / nullif(max(n_o), 0) AS o_rank,
               sum(d * v_disadvantaged) / nullif(max(n_d), 0) AS d_place,
               sum(o * v_other) / nullif(max(n_o), 0) AS o_place,
               sum((d + o) * pct) / sum(d + o) AS all_rank,
               sum((d + o) * age_mean) / sum(d + o) AS all_age
        FROM ranked
        GROUP BY point
    ), spread AS (
        SELECT m.point,
               sum(r.d * (r.score - m.d_mean) ^ 2) FILTER (WHERE r.d > 0) / nullif(m.n_d - 1, 0) AS d_variance,
               sum(r.o * (r.score - m.o_mean) ^ 2) FILTER (WHERE r.o > 0) / nullif(m.n_o - 1, 0) AS o_variance,
               sum(r.d * (r.v_disadvantaged - m.d_place) ^ 2) FILTER (WHERE r.d > 0) / nullif(m.n_d - 1, 0) AS d_place_variance,
               sum(r.o * (r.v_other - m.o_place) ^ 2) FILTER (WHERE r.o > 0) / nullif(m.n_o - 1, 0) AS o_place_variance,
               (sum(r.d + r.o))::bigint AS n,
               sum(r.age_m2) + sum((r.d + r.o) * (r.age_mean - m.all_age) ^ 2) AS sxx,
               sum((r.d + r.o) * (r.age_mean - m.all_age) * (r.pct - m.all_rank)) AS sxy,
               sum((r.d + r.o) * (r.pct - m.all_rank) ^ 2) AS syy,
               max(m.all_rank) AS all_rank, max(m.all_age) AS all_age
        FROM means m
        JOIN ranked r ON r.point = m.point
        GROUP BY m.point, m.n_d, m.n_o
    )
    SELECT p.assessment_point_id, p.subject, p.name, p.scale::text,
           m.n_d::bigint, m.d_mean, coalesce(s.d_variance, 0), m.d_rank, s.d_place_variance,
           m.n_o::bigint, m.o_mean, coalesce(s.o_variance, 0), m.o_rank, s.o_place_variance,
           s.n,
           s.sxy / nullif(s.sxx, 0),
           s.all_rank - s.all_age * s.sxy / nullif(s.sxx, 0),
           s.sxx,
           greatest(s.syy - s.sxy ^ 2 / nullif(s.sxx, 0), 0)
    FROM means m
    JOIN spread s ON s.point = m.point
    JOIN assessment_points p ON p.assessment_point_id = m.point
    ORDER BY p.subject, p.name;
END
$$;
