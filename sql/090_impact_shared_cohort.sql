-- gaptrack performance, part 3: the intervention impact sections of a termly report share the
-- work that does not depend on the intervention. Same definitions, same results.
--
-- `gaptrack report termly` adds an impact section for every intervention type delivered to the
-- cohort (six in the benchmark's school), and each ran impact_school_students (040, 051) over
-- the whole cohort: the cohort, each student's disadvantage on the census day, KS2 bands, the
-- before and after results, the cohort's standardisation and attendance, about 1.1 s at 60,000
-- pupils and 9 s at 600,000 per section (psql \timing). Only who took part differs between
-- the sections, so the work is split in two:
--
-- * impact_school_cohort: everything but the role, one row per cohort student (impact_school_students
--   for no intervention type, so one definition of the cohort-wide work); it depends only
--   on the before and after assessment points, the cohort and the prior-attainment banding.
--   ImpactQueries works it out once per report into a temporary table that every section with
--   the same points reads (ImpactCohortTables).
-- * impact_school_roles: who took part ('participant': a delivered record of the intervention in
--   the period) and who is left out of the comparison pool ('excluded': a non-cancelled record
--   of the same kind of intervention in the period); everyone else in the cohort is
--   'comparison'. A few thousand rows, cheap for each section.
--
-- impact_school_students itself is unchanged: a role of 'comparison' from it, replaced by the
-- role from impact_school_roles where there is one, gives its rows.

-- Every cohort student of impact_school_students, without the role: that function (migration
-- 051) for no intervention type, where nobody took part, so its cohort, status, results, banding,
-- standardisation and attendance are computed by the one definition.
CREATE FUNCTION impact_school_cohort(
    p_provider_id bigint,
    p_before_subject text, p_before_name text, p_before_year text, p_before_term term_name,
    p_after_subject text, p_after_name text, p_after_year text, p_after_term term_name,
    p_cohort text, p_prior_band text)
RETURNS TABLE (
    student_id bigint, cohort text, disadvantaged boolean, prior_band text,
    before_score numeric, after_score numeric, change_sd double precision, standardisation text,
    cohort_before_students integer, cohort_before_sd double precision, banding text,
    attendance_before double precision, attendance_after double precision)
-- The planner cannot see through the nested set-returning functions (it guesses 1,000 rows
-- each), so it costs this query at about 10^11 and JIT-compiles some 200 functions with
-- inlining and optimisation: about 0.8 s at 60,000 pupils that the query itself (0.5 s) does
-- not need, and nothing gained at 600,000 (psql \timing, BENCHMARKS.md's databases).
LANGUAGE sql STABLE SET jit = off AS $$
    SELECT s.student_id, s.cohort, s.disadvantaged, s.prior_band, s.before_score, s.after_score, s.change_sd, s.standardisation,
           s.cohort_before_students, s.cohort_before_sd, s.banding, s.attendance_before, s.attendance_after
    FROM impact_school_students(p_provider_id, '{}'::text[], NULL, NULL, NULL,
                                p_before_subject, p_before_name, p_before_year, p_before_term,
                                p_after_subject, p_after_name, p_after_year, p_after_term, p_cohort, p_prior_band) s
$$;
COMMENT ON FUNCTION impact_school_cohort(bigint, text, text, text, term_name, text, text, text, term_name, text, text) IS
    'Every student of an impact report''s cohort with disadvantage, prior-attainment band, before and after results, standardised change and attendance: the part of impact_school_students that does not depend on the intervention.';

-- The students of the provider with a role other than 'comparison' for the intervention (the
-- types, or for a programme the types of its records) in the period p_from..p_to: the same
-- delivered and same_kind sets as migration 051, whatever the cohort.
CREATE FUNCTION impact_school_roles(p_provider_id bigint, p_types text[], p_programme text, p_from date, p_to date)
RETURNS TABLE (student_id bigint, role text)
LANGUAGE sql STABLE AS $$
    WITH intervention_records AS (
        SELECT r.student_id, r.type, r.status
        FROM impact_intervention_records(p_provider_id, p_types, p_programme, p_from, p_to) r
    ), intervention_types AS (
        SELECT CASE WHEN p_programme IS NULL THEN p_types
                    ELSE coalesce((SELECT array_agg(DISTINCT i.type) FROM intervention_records i), '{}') END AS types
    ), delivered AS (
        SELECT DISTINCT i.student_id FROM intervention_records i WHERE i.status IN ('active', 'ended')
    ), same_kind AS (
        SELECT DISTINCT r.student_id
        FROM support_records r, intervention_types t
        WHERE r.provider_id = p_provider_id
          AND r.type = ANY (t.types)
          AND r.status <> 'cancelled'
          AND daterange(r.starts_on, r.ends_on, '[]') && daterange(p_from, p_to, '[]')
    )
    SELECT coalesce(d.student_id, k.student_id), CASE WHEN d.student_id IS NOT NULL THEN 'participant' ELSE 'excluded' END
    FROM delivered d
    FULL JOIN same_kind k ON k.student_id = d.student_id
$$;
COMMENT ON FUNCTION impact_school_roles(bigint, text[], text, date, date) IS
    'Students who took part in an intervention in a period (participant) or had a non-cancelled record of the same kind (excluded); all others are the comparison pool.';
