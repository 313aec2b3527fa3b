-- gaptrack schema, part 2: the import ledger.
--
-- Every CSV import that commits leaves one row here, written in the same transaction as the data
-- it loaded, so a report can name its data cut ("made from imports 3, 7 and 9") and be made
-- again from the same files. A failed import leaves nothing, not even a ledger row.

-- The ranges of date-valued facts below (marker spells) are checked with exclusion constraints
-- that compare a bigint and an enum with `=` inside a GiST index, which needs btree_gist
-- (PostgreSQL contrib, shipped with Debian's postgresql package).
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The five kinds of import file (docs/import-formats.md).
CREATE TYPE import_kind AS ENUM ('students', 'markers', 'attendance', 'assessments', 'support');

CREATE TABLE imports (
    import_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id     bigint NOT NULL REFERENCES providers,
    kind            import_kind NOT NULL,
    -- The file's name as given (without its folder), for people reading the ledger.
    file_name       text NOT NULL CHECK (btrim(file_name) <> ''),
    -- SHA-256 of the file's bytes, lower-case hex: the same file imported twice has the same checksum.
    file_sha256     text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    file_bytes      bigint NOT NULL CHECK (file_bytes >= 0),
    -- Data rows read (the header is not counted), and what became of each: every row read is
    -- exactly one of inserted, updated, unchanged or rejected.
    rows_read       integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_inserted   integer NOT NULL DEFAULT 0 CHECK (rows_inserted >= 0),
    rows_updated    integer NOT NULL DEFAULT 0 CHECK (rows_updated >= 0),
    rows_unchanged  integer NOT NULL DEFAULT 0 CHECK (rows_unchanged >= 0),
    rows_rejected   integer NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    -- Whether --skip-invalid was given (rejected rows can only be non-zero when it was).
    skip_invalid    boolean NOT NULL,
    -- Who ran it: the operating-system account, and the database role.
    os_user         text NOT NULL,
    database_user   text NOT NULL DEFAULT current_user,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    CHECK (rows_inserted + rows_updated + rows_unchanged + rows_rejected = rows_read),
    CHECK (skip_invalid OR rows_rejected = 0),
    CHECK (finished_at >= started_at)
);
CREATE INDEX imports_provider_kind_idx ON imports (provider_id, kind, file_sha256);

-- The ledger is append-only: an import is history, and data rows point at it.
CREATE FUNCTION imports_are_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the import ledger is append-only: import % cannot be deleted', OLD.import_id
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER imports_no_delete BEFORE DELETE ON imports
    FOR EACH ROW EXECUTE FUNCTION imports_are_append_only();
