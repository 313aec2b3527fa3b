-- Shard-ready keys (docs/scaling.md, "Shard-ready schema"): every provider-owned table carries
-- provider_id in its primary key, its unique constraints and its foreign keys to other
-- provider-owned tables, so that a deployment that outgrows one server can distribute every
-- such table by provider_id (Citus enforces a key only when it includes the distribution column).
-- Written to migrate a database that holds data: each new key holds the same rows unique as the
-- one it replaces (an id belongs to one provider, so adding provider_id admits no row the old key
-- refused), and each foreign key is validated again against the rows already there.
--
-- The ids stay unique on their own (identity columns, or random for support records): nothing
-- that looks a row up by id changes, and the audit log and the import journal go on keying rows
-- as they did (their triggers keep the key columns they were created with; the undo matches a
-- journal row by those columns, sql/functions/import_undo.sql).
--
-- In four steps: the pupil-level tables get provider_id; every foreign key that the new keys
-- replace is dropped; the keys are replaced; the foreign keys are made again, by provider.

-- 1. Pupil-level tables carry their provider: enrolments, markers, results, attendance marks
-- (every term's partition, present and future: a term table is made LIKE attendance_marks) and
-- the marks' history; and the legal holds of data protection. Filled from students for the rows
-- already held. The fill is a schema change, not a change of anyone's data, so its UPDATE is not
-- copied row by row into the audit log (schema_migrations records the migration), and the
-- replaced-mark history and the import journal have nothing to record.
DO $$
DECLARE
    t regclass;
    quiet text[];
    switch text;
    trigger_name text;
BEGIN
    FOREACH t IN ARRAY ARRAY['enrolments', 'student_markers', 'assessment_results', 'attendance_marks',
                             'attendance_mark_history', 'data_protection.legal_holds']::regclass[] LOOP
        EXECUTE format('ALTER TABLE %s ADD COLUMN provider_id bigint', t);
        -- The triggers that would copy the fill: the audit's and the journal's (the legal holds have
        -- neither), and the marks' history.
        quiet := (SELECT coalesce(array_agg(g.tgname::text), '{}') FROM pg_trigger g
                  WHERE g.tgrelid = t AND g.tgname IN ('gaptrack_audit_update', 'gaptrack_import_changes_update', 'attendance_marks_history'));
        FOREACH switch IN ARRAY ARRAY['DISABLE', 'UPDATE', 'ENABLE'] LOOP
            IF switch = 'UPDATE' THEN
                EXECUTE format('UPDATE %s x SET provider_id = s.provider_id FROM students s WHERE s.student_id = x.student_id', t);
            END IF;
            FOREACH trigger_name IN ARRAY CASE WHEN switch = 'UPDATE' THEN '{}' ELSE quiet END LOOP
                EXECUTE format('ALTER TABLE %s %s TRIGGER %I', t, switch, trigger_name);
            END LOOP;
        END LOOP;
        EXECUTE format('ALTER TABLE %s ALTER COLUMN provider_id SET NOT NULL', t);
        -- Every gaptrack writer supplies provider_id; a row written by hand without it (a
        -- maintenance script, a test's fixture) gets its student's. WHEN keeps the check out of
        -- plpgsql for every row that has it, and the attendance bulk load COPYs into a term table
        -- before it is attached, where no trigger of the parent runs at all.
        EXECUTE format('CREATE TRIGGER gaptrack_student_provider BEFORE INSERT ON %s FOR EACH ROW '
                       'WHEN (NEW.provider_id IS NULL) EXECUTE FUNCTION gaptrack_fill_student_provider()', t);
    END LOOP;
END
$$;

-- 2. The foreign keys the new keys replace: by student_id or import_id alone, and those that
-- rest on a key that changes (the composite keys the new primary keys take over).
ALTER TABLE enrolments DROP CONSTRAINT enrolments_student_id_fkey;
ALTER TABLE student_markers DROP CONSTRAINT student_markers_student_id_fkey;
ALTER TABLE assessment_results DROP CONSTRAINT assessment_results_student_id_fkey,
    DROP CONSTRAINT assessment_results_assessment_point_id_scale_fkey;
ALTER TABLE attendance_marks DROP CONSTRAINT attendance_marks_student_id_fkey;
ALTER TABLE attendance_mark_history DROP CONSTRAINT attendance_mark_history_student_id_fkey,
    DROP CONSTRAINT attendance_mark_history_replaced_by_import_id_fkey;
ALTER TABLE data_protection.legal_holds DROP CONSTRAINT legal_holds_student_id_fkey;
ALTER TABLE student_group_members DROP CONSTRAINT student_group_members_provider_id_student_id_fkey;
ALTER TABLE support_reviews DROP CONSTRAINT support_reviews_provider_id_support_id_fkey;
-- The tables whose import_id points at the ledger, each by a key named <table>_import_id_fkey;
-- the same list makes them again in step 4.
CREATE TEMPORARY TABLE import_writers ON COMMIT DROP AS
SELECT unnest(ARRAY['students', 'support_records', 'assessment_points', 'enrolments', 'student_markers', 'assessment_results',
                    'he_teaching_periods', 'he_courses', 'he_instances', 'he_instance_years']) AS t;
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT w.t FROM import_writers w LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, t || '_import_id_fkey');
    END LOOP;
END
$$;
ALTER TABLE import_changes DROP CONSTRAINT import_changes_provider_id_import_id_fkey;
ALTER TABLE imports DROP CONSTRAINT imports_undoes_same_provider;

-- 3. The keys.
-- The import ledger: (provider_id, import_id), which was unique already
-- (imports_provider_import_key, now the primary key's job); one undo per import, within its
-- provider. A change of the ledger's constraints is recorded in the audit log by the schema guard
-- (sql/functions/schema_guard.sql); its guard triggers are untouched.
ALTER TABLE imports DROP CONSTRAINT imports_pkey, DROP CONSTRAINT imports_provider_import_key, DROP CONSTRAINT imports_undone_once;
ALTER TABLE imports ADD CONSTRAINT imports_pkey PRIMARY KEY (provider_id, import_id),
    ADD CONSTRAINT imports_undone_once UNIQUE (provider_id, undoes_import_id);

-- Students: (provider_id, student_id), which was unique already (students_provider_student_key).
-- (student_id, provider_id) stays: it finds a student by id alone, and support records and
-- university instances refer to it.
ALTER TABLE students DROP CONSTRAINT students_pkey, DROP CONSTRAINT students_provider_student_key;
ALTER TABLE students ADD CONSTRAINT students_pkey PRIMARY KEY (provider_id, student_id);

-- Support records: (provider_id, support_id), which was unique already
-- (support_records_provider_support_key). The natural key of a record without a reference
-- (student, type, start date, and whether it is restricted: 003_least_privilege.sql) leads with
-- its provider; the importer's ON CONFLICT names the same columns (SupportImport.swift).
ALTER TABLE support_records DROP CONSTRAINT support_records_pkey, DROP CONSTRAINT support_records_provider_support_key;
ALTER TABLE support_records ADD CONSTRAINT support_records_pkey PRIMARY KEY (provider_id, support_id);
DROP INDEX support_records_natural_key;
CREATE UNIQUE INDEX support_records_natural_key ON support_records (provider_id, student_id, type, starts_on, restricted)
    WHERE reference IS NULL;

-- Assessment points: (provider_id, assessment_point_id); results refer to
-- (provider_id, assessment_point_id, scale), so that a result's scale is its point's.
ALTER TABLE assessment_points DROP CONSTRAINT assessment_points_pkey, DROP CONSTRAINT assessment_points_assessment_point_id_scale_key;
ALTER TABLE assessment_points ADD CONSTRAINT assessment_points_pkey PRIMARY KEY (provider_id, assessment_point_id),
    ADD CONSTRAINT assessment_points_provider_point_scale_key UNIQUE (provider_id, assessment_point_id, scale);

-- Enrolments: one per student and academic year, within the provider.
ALTER TABLE enrolments DROP CONSTRAINT enrolments_pkey, DROP CONSTRAINT enrolments_student_id_academic_year_key;
ALTER TABLE enrolments ADD CONSTRAINT enrolments_pkey PRIMARY KEY (provider_id, enrolment_id),
    ADD CONSTRAINT enrolments_provider_student_year_key UNIQUE (provider_id, student_id, academic_year);

-- Markers: the natural key the importers upsert on (ON CONFLICT ON CONSTRAINT
-- student_markers_natural_key) and the no-overlap rule keep their names. The exclusion
-- constraint's GiST index keeps student_id first: a multicolumn GiST index is most selective on
-- its first column (PostgreSQL manual, "Multicolumn Indexes"), and it is the index that finds a
-- student's spells when the provider is not named.
ALTER TABLE student_markers DROP CONSTRAINT student_markers_pkey, DROP CONSTRAINT student_markers_natural_key,
    DROP CONSTRAINT student_markers_no_overlap;
ALTER TABLE student_markers ADD CONSTRAINT student_markers_pkey PRIMARY KEY (provider_id, marker_id),
    ADD CONSTRAINT student_markers_natural_key UNIQUE (provider_id, student_id, marker, overlap_key, starts_on),
    ADD CONSTRAINT student_markers_no_overlap
        EXCLUDE USING gist (student_id WITH =, provider_id WITH =, marker WITH =, overlap_key WITH =, spell WITH &&)
        DEFERRABLE INITIALLY IMMEDIATE;

-- Results. Reports find results by assessment point without naming the provider (the points are
-- the provider's already), so the old key's columns keep an index of their own.
ALTER TABLE assessment_results DROP CONSTRAINT assessment_results_pkey;
ALTER TABLE assessment_results ADD CONSTRAINT assessment_results_pkey PRIMARY KEY (provider_id, assessment_point_id, student_id);
CREATE INDEX assessment_results_point_idx ON assessment_results (assessment_point_id, student_id);

-- Marks: on the parent, so on every term's partition; a term table made later gets the same key
-- before it is attached (sql/functions/attendance_term_tables.sql). One school's marks of a term
-- are one range of its index.
ALTER TABLE attendance_marks DROP CONSTRAINT attendance_marks_pkey;
ALTER TABLE attendance_marks ADD CONSTRAINT attendance_marks_pkey PRIMARY KEY (provider_id, student_id, session_date, session);

ALTER TABLE attendance_mark_history DROP CONSTRAINT attendance_mark_history_pkey;
ALTER TABLE attendance_mark_history ADD CONSTRAINT attendance_mark_history_pkey PRIMARY KEY (provider_id, history_id);

ALTER TABLE data_protection.legal_holds DROP CONSTRAINT legal_holds_pkey;
ALTER TABLE data_protection.legal_holds ADD CONSTRAINT legal_holds_pkey PRIMARY KEY (provider_id, student_id);

-- 4. The foreign keys again, by provider: a row's student, import, point and record are its own
-- provider's.
ALTER TABLE imports ADD CONSTRAINT imports_undoes_same_provider
    FOREIGN KEY (provider_id, undoes_import_id) REFERENCES imports (provider_id, import_id);
ALTER TABLE import_changes ADD CONSTRAINT import_changes_provider_id_import_id_fkey
    FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id);
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN SELECT w.t FROM import_writers w LOOP
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id)',
                       t, t || '_import_id_fkey');
    END LOOP;
END
$$;
DROP TABLE import_writers;
ALTER TABLE support_reviews ADD CONSTRAINT support_reviews_provider_id_support_id_fkey
    FOREIGN KEY (provider_id, support_id) REFERENCES support_records (provider_id, support_id) ON DELETE CASCADE;
ALTER TABLE student_group_members ADD CONSTRAINT student_group_members_provider_id_student_id_fkey
    FOREIGN KEY (provider_id, student_id) REFERENCES students (provider_id, student_id) ON DELETE CASCADE;
ALTER TABLE enrolments ADD CONSTRAINT enrolments_student_id_fkey
    FOREIGN KEY (provider_id, student_id) REFERENCES students (provider_id, student_id) ON DELETE CASCADE;
ALTER TABLE student_markers ADD CONSTRAINT student_markers_student_id_fkey
    FOREIGN KEY (provider_id, student_id) REFERENCES students (provider_id, student_id) ON DELETE CASCADE;
ALTER TABLE assessment_results
    ADD CONSTRAINT assessment_results_point_fkey FOREIGN KEY (provider_id, assessment_point_id, scale)
        REFERENCES assessment_points (provider_id, assessment_point_id, scale) ON DELETE CASCADE,
    ADD CONSTRAINT assessment_results_student_id_fkey FOREIGN KEY (provider_id, student_id) REFERENCES students (provider_id, student_id) ON DELETE CASCADE;
ALTER TABLE attendance_marks ADD CONSTRAINT attendance_marks_student_id_fkey
    FOREIGN KEY (provider_id, student_id) REFERENCES students (provider_id, student_id) ON DELETE CASCADE;
ALTER TABLE attendance_mark_history
    ADD CONSTRAINT attendance_mark_history_student_id_fkey FOREIGN KEY (provider_id, student_id) REFERENCES students (provider_id, student_id) ON DELETE CASCADE,
    ADD CONSTRAINT attendance_mark_history_replaced_by_import_id_fkey FOREIGN KEY (provider_id, replaced_by_import_id) REFERENCES imports (provider_id, import_id);
ALTER TABLE data_protection.legal_holds ADD CONSTRAINT legal_holds_student_id_fkey
    FOREIGN KEY (provider_id, student_id) REFERENCES students (provider_id, student_id) ON DELETE RESTRICT;

-- Row-level security on the pupil-level tables by their own provider_id, as on every other
-- provider-owned table, instead of a list of the provider's students: a plain comparison the
-- planner can use with the keys above. The write check follows the new foreign keys.
SELECT gaptrack_protect_provider_table(t)
FROM unnest(ARRAY['enrolments', 'student_markers', 'assessment_results', 'attendance_marks', 'attendance_mark_history']::regclass[]) AS t;
DO $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT p.tablename, p.qual FROM pg_policies p
        WHERE p.schemaname = 'public' AND p.policyname = 'provider_isolation'
          AND p.tablename IN ('enrolments', 'student_markers', 'assessment_results', 'attendance_marks', 'attendance_mark_history')
    LOOP
        EXECUTE format('DROP POLICY report_reads_own_provider ON %I', t.tablename);
        EXECUTE format('CREATE POLICY report_reads_own_provider ON %I FOR SELECT TO gaptrack_report USING (%s)', t.tablename, t.qual);
    END LOOP;
END
$$;
