-- Which students a termly report compares with the others (docs/methodology.md §1, §5).
-- depends on: report_load_cohort.sql

-- Every report function compares the students of report_cohort whose
-- `disadvantaged` column is true with those whose column is false; a student whose column is
-- NULL is in neither group (still counted in the cohort, left out of both sides of every gap).
-- report_load_cohort fills the column with the DfE definition (FSM Ever 6, looked after or
-- previously looked after; docs/methodology.md §1). For a university, and a college without school
-- markers, that group is empty, so every gap would be withheld; report_use_comparison replaces
-- the column, in the loaded cohort only, by another definition (GapTrackReports.ComparisonGroup):
--
-- * 'dfe_disadvantaged': the DfE definition again (pupil_premium_eligible holds the same three
--   grounds, so the DfE fact survives any replacement).
-- * 'lseb': students from lower socio-economic backgrounds as gaptrack defines them for higher
--   education, the definition the cost-of-living impact report uses
--   (impact_cost_of_living_students): IMD quintile 1 or 2, or POLAR4 quintile 1 or 2, or first in
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
CREATE OR REPLACE FUNCTION report_use_comparison(p_comparison text)
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
CREATE OR REPLACE FUNCTION report_dfe_disadvantaged_count()
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
