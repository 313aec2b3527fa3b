-- Keeps the import ledger append-only (docs/methodology.md §7: each report lists the imports it
-- rests on).

-- The ledger is append-only: an import is history, and data rows point at it.
CREATE OR REPLACE FUNCTION imports_are_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the import ledger is append-only: import % cannot be deleted', OLD.import_id
        USING ERRCODE = 'restrict_violation';
END
$$;
