-- Keeping student_census_facts (sql/029_student_census_facts.sql) current on every write: each
-- pupil's disadvantage facts on each census day of the academic years they are enrolled,
-- computed by student_disadvantage_among, the one copy of the rules (docs/methodology.md §1).
-- depends on: student_disadvantage.sql
-- after version: 29

-- Replaces the facts of some of one provider's students: all their rows go, and the rules give
-- them again for the census days of the years they are enrolled in. A student no longer there
-- (erased, or an import undone) gets no rows. Returns the number of rows written.
-- SECURITY DEFINER: the service roles may not write the table (sql/029), but their writes to
-- markers and enrolments must keep it current; the function does nothing else.
-- Many students (an import) are planned without nested loops and without JIT: a school's rows
-- written in the same transaction are not in the planner's statistics yet; at 73 schools it took
-- the new school for 1 row and re-ran each pupil's marker aggregate once per pupil, 19 s a census
-- day, 120 s an import (BENCHMARKS.md, "Many schools"). The SET clauses keep both settings inside the function.
CREATE OR REPLACE FUNCTION student_census_facts_refresh(p_provider_id bigint, p_students bigint[])
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public SET jit = off SET enable_nestloop = on AS $$
DECLARE
    g record;
    v_rows bigint := 0;
    v_added bigint;
BEGIN
    IF p_provider_id IS NULL OR coalesce(cardinality(p_students), 0) = 0 THEN
        RETURN 0;
    END IF;
    -- EXECUTE, so that each statement is planned with the students it is given: a cached generic
    -- plan cannot use the array to find them by key (nor hash it), and read every pupil's markers
    -- of the provider for one pupil's write.
    EXECUTE 'DELETE FROM student_census_facts f WHERE f.provider_id = $1 AND f.student_id = ANY ($2)'
        USING p_provider_id, p_students;
    -- One call of the rules per census day, for the students enrolled in its year.
    FOR g IN EXECUTE
        'SELECT c.census_date, array_agg(DISTINCT e.student_id) AS students
         FROM enrolments e
         JOIN census_days c ON c.academic_year = e.academic_year
         WHERE e.provider_id = $1 AND e.student_id = ANY ($2)
         GROUP BY c.census_date'
        USING p_provider_id, p_students
    LOOP
        -- Many students (an import): the rules over the whole provider, one pass each over its
        -- students and markers, kept for the students given (a hashed list); a few (the API, a
        -- page): the rules for those students only, each found by key.
        PERFORM set_config('enable_nestloop', CASE WHEN cardinality(g.students) > 50 THEN 'off' ELSE 'on' END, true);
        EXECUTE 'INSERT INTO student_census_facts (provider_id, census_date, student_id, facts)
                 SELECT $1, $2, f.student_id, f FROM student_disadvantage_among($1, $2, $4) f
                 WHERE f.student_id = ANY ($3)'
            USING p_provider_id, g.census_date, g.students, CASE WHEN cardinality(g.students) > 50 THEN NULL ELSE g.students END;
        GET DIAGNOSTICS v_added = ROW_COUNT;
        v_rows := v_rows + v_added;
    END LOOP;
    RETURN v_rows;
END
$$;
REVOKE ALL ON FUNCTION student_census_facts_refresh(bigint, bigint[]) FROM PUBLIC;

-- Everything again from the rules: every provider's enrolled students. Run when the rules or the
-- catalogues they read (census days, parental occupations) change, and by the tests that compare
-- the kept rows with a computation from scratch.
CREATE OR REPLACE FUNCTION student_census_facts_rebuild()
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    p record;
    v_rows bigint := 0;
BEGIN
    TRUNCATE student_census_facts;
    FOR p IN
        SELECT e.provider_id, array_agg(DISTINCT e.student_id) AS students FROM enrolments e GROUP BY e.provider_id
    LOOP
        v_rows := v_rows + student_census_facts_refresh(p.provider_id, p.students);
    END LOOP;
    RETURN v_rows;
END
$$;
REVOKE ALL ON FUNCTION student_census_facts_rebuild() FROM PUBLIC;

-- The statement-level triggers on the tables the rules read per pupil (markers with their FSM
-- spells, and enrolments, which say which census days a pupil needs): the pupils a statement
-- touched, from its transition tables, provider by provider. students needs none: a new student
-- has no enrolment yet, and a deleted one's enrolments go with them (explicitly or by cascade).
CREATE OR REPLACE FUNCTION student_census_facts_touched() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    p record;
    -- The pupils a statement touched: its new rows, its old rows, or both (an update can move a
    -- row from one pupil to another). A transition table exists only for the events that have it,
    -- so the query is chosen by the event and run dynamically (dynamic queries see them too).
    touched text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT provider_id, student_id FROM new_rows'
        WHEN 'DELETE' THEN 'SELECT provider_id, student_id FROM old_rows'
        ELSE 'SELECT provider_id, student_id FROM new_rows UNION SELECT provider_id, student_id FROM old_rows'
    END;
BEGIN
    FOR p IN EXECUTE 'SELECT t.provider_id, array_agg(DISTINCT t.student_id) AS students FROM ('
                     || touched || ') t GROUP BY t.provider_id'
    LOOP
        PERFORM student_census_facts_refresh(p.provider_id, p.students);
    END LOOP;
    RETURN NULL;
END
$$;

-- A census day or a parental occupation's group changed (catalogues, rarely), or markers or
-- enrolments were truncated: everything again.
CREATE OR REPLACE FUNCTION student_census_facts_catalogue_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM student_census_facts_rebuild();
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['student_markers', 'enrolments'] LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER student_census_facts_insert AFTER INSERT ON %I '
                       'REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_census_facts_touched()', t);
        EXECUTE format('CREATE OR REPLACE TRIGGER student_census_facts_update AFTER UPDATE ON %I '
                       'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION student_census_facts_touched()', t);
        EXECUTE format('CREATE OR REPLACE TRIGGER student_census_facts_delete AFTER DELETE ON %I '
                       'REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION student_census_facts_touched()', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['census_days', 'smc_parental_occupations'] LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER student_census_facts_catalogue AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION student_census_facts_catalogue_changed()', t);
    END LOOP;
    -- A TRUNCATE has no transition table: everything again, from what is left.
    FOREACH t IN ARRAY ARRAY['student_markers', 'enrolments'] LOOP
        EXECUTE format('CREATE OR REPLACE TRIGGER student_census_facts_truncate AFTER TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION student_census_facts_catalogue_changed()', t);
    END LOOP;
END
$$;

-- This file is applied again whenever the rules change (its header depends on them): the kept
-- facts are then made again from the new rules.
SELECT student_census_facts_rebuild();
