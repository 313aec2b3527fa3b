-- Imports from the web pages (docs/security.md §6, "Uploads"): the files a data lead uploads,
-- kept until they are confirmed, and the door through which the service writes their ledger row.
--
-- Why a door: the service roles may not write the import ledger (003_least_privilege.sql), and
-- that stays so. An import from the web pages writes its rows as gaptrack_service, through the
-- grants and row-level security every other change of the service goes through, so they are
-- audited row by row; only the ledger row is written by web_import_open and web_import_close
-- (functions/web_imports.sql), which take the provider and the person from the transaction's
-- bound scope, never from their arguments, and refuse every role but the data lead.

-- An uploaded file, checked (dry run) but perhaps not yet imported. Keyed by the session that
-- uploaded it and the file's SHA-256: confirming names the checksum, never sends the file again,
-- so what is imported is exactly what was checked, with the options it was checked with.
CREATE TABLE web_uploads (
    provider_id   bigint NOT NULL REFERENCES providers,
    upload_id     bigint GENERATED ALWAYS AS IDENTITY,
    session_id    bigint NOT NULL,
    file_sha256   text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    kind          import_kind NOT NULL,
    -- The file's name as the browser gave it (without any folder), for the ledger.
    file_name     text NOT NULL CHECK (btrim(file_name) <> '' AND length(file_name) <= 255 AND file_name !~ '[/\\]'),
    -- The MIS column preset (ColumnMapping) the file was checked with; NULL for gaptrack's own headers.
    preset        text CHECK (preset ~ '^[a-z0-9-]{1,40}$'),
    skip_invalid  boolean NOT NULL DEFAULT false,
    content       bytea NOT NULL,
    uploaded_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, upload_id),
    UNIQUE (provider_id, session_id, file_sha256),
    FOREIGN KEY (provider_id, session_id) REFERENCES web_sessions (provider_id, session_id)
);

COMMENT ON TABLE web_uploads IS
    'Files uploaded in the web pages and checked by a dry run, until a data lead confirms them (docs/security.md §6).';

SELECT gaptrack_protect_provider_table('web_uploads');
-- A governor's session writes no upload and reads no file's contents, only that an upload exists.
REVOKE ALL ON web_uploads FROM gaptrack_governor;
GRANT SELECT (provider_id, upload_id, session_id, file_sha256, kind, file_name, uploaded_at) ON web_uploads TO gaptrack_governor;
