-- Keeps the import ledger append-only (docs/methodology.md §7: each report lists the imports it
-- rests on; docs/security.md).

-- The ledger is append-only: an import is history, and data rows point at it. Fired for each
-- deleted row and, from 003_least_privilege.sql, for TRUNCATE; both for every role, the owner
-- included.
CREATE OR REPLACE FUNCTION imports_are_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'the import ledger is append-only: it cannot be truncated'
            USING ERRCODE = 'restrict_violation';
    END IF;
    RAISE EXCEPTION 'the import ledger is append-only: import % cannot be deleted', OLD.import_id
        USING ERRCODE = 'restrict_violation';
END
$$;
