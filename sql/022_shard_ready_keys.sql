-- Shard-ready keys (docs/scaling.md, "Shard-ready schema"): every provider-owned table carries
-- provider_id in its primary key, its unique constraints and its foreign keys to other
-- provider-owned tables, so that a deployment that outgrows one server can distribute every
-- such table by provider_id (Citus enforces a key only when it includes the distribution column).
-- Written to migrate a database that holds data: each new key holds the same rows unique as the
-- one it replaces (an id belongs to one provider, so adding provider_id in front admits no row the
-- old key refused), and each new foreign key is validated against the rows already there.
--
-- The ids stay unique on their own (identity columns, or random for support records): nothing
-- that looks a row up by id changes, and the audit log and the import journal go on keying rows
-- as they did (their triggers keep the key columns they were created with; the undo matches a
-- journal row by those columns, sql/functions/import_undo.sql).

-- The import ledger: one undo per import, within the undone import's provider (the foreign key
-- imports_undoes_same_provider already makes them the same provider). A change of the ledger's
-- constraints is recorded in the audit log by the schema guard (sql/functions/schema_guard.sql).
ALTER TABLE imports DROP CONSTRAINT imports_undone_once;
ALTER TABLE imports ADD CONSTRAINT imports_undone_once UNIQUE (provider_id, undoes_import_id);

-- Foreign keys to the ledger from tables that carry provider_id: by (provider_id, import_id),
-- which imports_provider_import_key makes unique. A row's import is its own provider's.
ALTER TABLE students DROP CONSTRAINT students_import_id_fkey,
    ADD CONSTRAINT students_import_id_fkey FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id);
ALTER TABLE support_records DROP CONSTRAINT support_records_import_id_fkey,
    ADD CONSTRAINT support_records_import_id_fkey FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id);
ALTER TABLE assessment_points DROP CONSTRAINT assessment_points_import_id_fkey,
    ADD CONSTRAINT assessment_points_import_id_fkey FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id);
ALTER TABLE he_teaching_periods DROP CONSTRAINT he_teaching_periods_import_id_fkey,
    ADD CONSTRAINT he_teaching_periods_import_id_fkey FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id);
ALTER TABLE he_courses DROP CONSTRAINT he_courses_import_id_fkey,
    ADD CONSTRAINT he_courses_import_id_fkey FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id);
ALTER TABLE he_instances DROP CONSTRAINT he_instances_import_id_fkey,
    ADD CONSTRAINT he_instances_import_id_fkey FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id);
ALTER TABLE he_instance_years DROP CONSTRAINT he_instance_years_import_id_fkey,
    ADD CONSTRAINT he_instance_years_import_id_fkey FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id);

-- Support records: keyed (provider_id, support_id). That key was already unique
-- (support_records_provider_support_key, the target of support_reviews' foreign key); it becomes
-- the primary key, so the table keeps one index on it rather than two.
ALTER TABLE support_reviews DROP CONSTRAINT support_reviews_provider_id_support_id_fkey;
ALTER TABLE support_records DROP CONSTRAINT support_records_provider_support_key;
ALTER TABLE support_records DROP CONSTRAINT support_records_pkey;
ALTER TABLE support_records ADD CONSTRAINT support_records_pkey PRIMARY KEY (provider_id, support_id);
ALTER TABLE support_reviews ADD CONSTRAINT support_reviews_provider_id_support_id_fkey
    FOREIGN KEY (provider_id, support_id) REFERENCES support_records (provider_id, support_id) ON DELETE CASCADE;

-- The natural key of a record without a reference (student, type, start date, and whether it is
-- restricted: 003_least_privilege.sql) leads with its provider; the importer's ON CONFLICT names
-- the same columns (Sources/GapTrackStore/SupportImport.swift).
DROP INDEX support_records_natural_key;
CREATE UNIQUE INDEX support_records_natural_key ON support_records (provider_id, student_id, type, starts_on, restricted)
    WHERE reference IS NULL;

-- Assessment points: keyed (provider_id, assessment_point_id). Nothing refers to the old primary
-- key (results refer to (assessment_point_id, scale)).
ALTER TABLE assessment_points DROP CONSTRAINT assessment_points_pkey;
ALTER TABLE assessment_points ADD CONSTRAINT assessment_points_pkey PRIMARY KEY (provider_id, assessment_point_id);
