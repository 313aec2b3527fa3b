-- Undoing one import (docs/import-formats.md, "Undo and dry run"): the journal of what each import
-- changed, and the ledger's record of an undo.
--
-- Why a journal and not the audit log: an import's audit is one summary entry (ImportAudit.swift),
-- which says how many rows changed but not which, nor what they held before. The journal keeps,
-- for each row an import inserted, updated or deleted, its key and its contents before and after,
-- so an undo restores exactly the values the import replaced and can see whether anything done
-- since rests on it. It is written by statement-level triggers (sql/functions/import_undo.sql),
-- so every import writer, present or future, is journalled without code of its own.

-- An undo is a ledger row of its own, pointing at the import it reversed (the ledger is
-- append-only, docs/security.md: the undone import's row is never changed or removed). One undo
-- per import; both of the same provider.
ALTER TABLE imports ADD CONSTRAINT imports_provider_import_key UNIQUE (provider_id, import_id);
ALTER TABLE imports ADD COLUMN undoes_import_id bigint;
ALTER TABLE imports ADD CONSTRAINT imports_undoes_same_provider
    FOREIGN KEY (provider_id, undoes_import_id) REFERENCES imports (provider_id, import_id);
ALTER TABLE imports ADD CONSTRAINT imports_undone_once UNIQUE (undoes_import_id);
ALTER TABLE imports ADD CONSTRAINT imports_undo_not_itself CHECK (undoes_import_id <> import_id);

COMMENT ON COLUMN imports.undoes_import_id IS
    'Set on the ledger row of an undo: the import it reversed (gaptrack import undo). NULL for an import.';

CREATE TABLE import_changes (
    provider_id  bigint NOT NULL,
    import_id    bigint NOT NULL,
    change_id    bigint GENERATED ALWAYS AS IDENTITY,
    table_name   text NOT NULL,
    -- insert, update or delete of one row; 'insert_marks' is a student's marks bulk-loaded into a
    -- new attendance term (row_key: student_id, from, to; after: the number of marks), because
    -- those rows are COPYed where no trigger sees them (AttendanceImport.swift).
    action       text NOT NULL CHECK (action IN ('insert', 'update', 'delete', 'insert_marks')),
    -- The row's primary key, as the audit log writes it.
    row_key      jsonb NOT NULL,
    before       jsonb,
    after        jsonb,
    -- The student the row belongs to, so that erasure and retention can remove their copies.
    student_id   bigint GENERATED ALWAYS AS (coalesce((row_key ->> 'student_id')::bigint, (after ->> 'student_id')::bigint,
                                                     (before ->> 'student_id')::bigint)) STORED,
    -- Set when the student's rows were erased or deleted under retention: before and after are
    -- then gone, and the import can no longer be undone.
    erased       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (provider_id, import_id, change_id),
    FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id),
    CHECK (NOT erased OR (before IS NULL AND after IS NULL))
);

CREATE INDEX import_changes_row_idx ON import_changes (provider_id, table_name, row_key);
CREATE INDEX import_changes_student_idx ON import_changes (student_id) WHERE student_id IS NOT NULL;

COMMENT ON TABLE import_changes IS
    'What each import inserted, updated and deleted, row by row, with the values it replaced: what gaptrack import undo reverses.';

SELECT gaptrack_protect_provider_table('import_changes');
SELECT gaptrack_track_data_changes('import_changes');
-- Written only by the journal's triggers and the undo, as the owner; the service never reads it.
REVOKE ALL ON import_changes FROM gaptrack_service, gaptrack_governor;

-- Every table an import may write: the provider-owned tables, but the providers themselves, the
-- ledgers and the journal.
SELECT gaptrack_journal_import_changes(c.oid::regclass)
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
  AND c.relname NOT IN ('providers', 'imports', 'import_changes', 'audit_log', 'api_tokens', 'import_audit_scopes', 'report_snapshots')
  AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname IN ('provider_id', 'student_id')
              AND a.attnum > 0 AND NOT a.attisdropped)
ORDER BY c.relname;
