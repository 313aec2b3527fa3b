-- The report groups a student is counted in, and the number of students of the loaded cohort in
-- each (docs/methodology.md §1, §7).
-- depends on: report_load_cohort.sql

-- The report groups a student belongs to (ids as GapTrackReports.ReportGroup): the whole cohort;
-- disadvantaged (DfE: FSM Ever 6, looked after, previously looked after) or the others; the
-- subgroups schools report; the OfS groups; the Social Mobility Commission groups, where
-- "not declared" is everyone without an answer that places them in a group.
CREATE OR REPLACE FUNCTION report_groups_of(f student_disadvantage_facts)
RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT g.group_id
    FROM (VALUES
        ('cohort', true),
        ('disadvantaged', f.disadvantaged),
        ('others', NOT f.disadvantaged),
        ('fsm', f.fsm_now),
        ('fsm_ever_6', f.fsm_ever6),
        ('looked_after', f.looked_after OR f.previously_looked_after),
        ('eal', f.eal),
        ('sen', f.sen IS NOT NULL),
        ('sen_ehc_plan', f.sen = 'E'),
        ('sen_support', f.sen = 'K'),
        ('refugee_or_asylum_seeker', f.refugee_or_asylum_seeker),
        ('young_carer', f.young_carer),
        ('service_child', f.service_child),
        ('imd_q' || f.imd_quintile, f.imd_quintile IS NOT NULL),
        ('polar4_q' || f.polar4_quintile, f.polar4_quintile IS NOT NULL),
        ('first_in_family', f.first_in_family),
        ('care_leaver', f.care_leaver),
        ('estranged', f.estranged),
        ('smc_' || f.smc_group, f.smc_group IS NOT NULL),
        ('smc_declared', f.smc_group IS NOT NULL),
        ('smc_not_declared', f.smc_group IS NULL)
    ) AS g (group_id, member)
    WHERE g.member
$$;

-- The cohort's students are grouped by their disadvantage facts with the student id blanked out
-- first, so that report_groups_of runs once per combination of facts (at most a few hundred)
-- rather than once per student. The columns are read from the catalogue (pg_attribute of the
-- type), so the functions stay independent of them: the students are grouped by every column but
-- student_id, and each combination is rebuilt as a student_disadvantage_facts with student_id
-- NULL. Only identifiers from the catalogue, quoted with format('%I'), go into the statement;
-- values stay bound parameters (EXECUTE ... USING).

-- For a cohort table aliased `c`: the combination record (student_id NULL, every other column of
-- student_disadvantage_facts in order) and the list of columns to group by.
CREATE OR REPLACE FUNCTION report_combination_sql(OUT facts_row text, OUT group_keys text)
LANGUAGE sql STABLE AS $$
    SELECT 'ROW(' || string_agg(CASE WHEN a.attname = 'student_id' THEN 'NULL' ELSE format('c.%I', a.attname) END, ', ' ORDER BY a.attnum)
               || ')::student_disadvantage_facts',
           string_agg(format('c.%I', a.attname), ', ' ORDER BY a.attnum) FILTER (WHERE a.attname <> 'student_id')
    FROM pg_attribute a
    WHERE a.attrelid = 'student_disadvantage_facts'::regclass AND a.attnum > 0 AND NOT a.attisdropped
$$;

-- Students of the loaded cohort in each group (groups with no student are left out).
CREATE OR REPLACE FUNCTION report_group_counts()
RETURNS TABLE (group_id text, students bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_sql record;
BEGIN
    PERFORM report_require_cohort();
    SELECT * INTO v_sql FROM report_combination_sql();
    RETURN QUERY EXECUTE format(
        $query$
        WITH combinations AS (
            SELECT %s AS facts, count(*) AS students
            FROM pg_temp.report_cohort c
            GROUP BY %s
        )
        SELECT g.group_id, sum(x.students)::bigint
        FROM combinations x
        CROSS JOIN LATERAL report_groups_of(x.facts) AS g (group_id)
        GROUP BY g.group_id
        ORDER BY g.group_id
        $query$, v_sql.facts_row, v_sql.group_keys);
END
$$;
