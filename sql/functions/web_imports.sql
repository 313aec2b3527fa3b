-- The web pages' door to the import ledger (docs/security.md §6, "Uploads"). The service roles
-- may not write `imports` (003_least_privilege.sql); these two functions write a ledger row for
-- an import a data lead confirms in the web pages, and nothing else. They are SECURITY DEFINER
-- (the schema owner writes the row) with the search path pinned, and only gaptrack_service may
-- call them. Who and for which provider come from the transaction's bound scope
-- (ScopedSession: gaptrack.provider_id, gaptrack.role, gaptrack.actor), checked against a live
-- session of an enabled data-lead account of that provider; the arguments only describe the file.
-- The data rows are written by the caller's own role in the same transaction, so row-level
-- security and the row-by-row audit apply to them as to any change the service makes.
-- depends on: service_context.sql, audit_log.sql
-- after version: 17

-- The person the scope names, if they may import for the scope's provider now: the account id of
-- an enabled data lead of that provider with a session that has not ended. Raises 42501 otherwise.
CREATE OR REPLACE FUNCTION web_import_importer() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    provider bigint := gaptrack_current_provider();
    account bigint := substring(current_setting('gaptrack.actor', true) FROM '^web:account:([0-9]{1,18}) ')::bigint;
BEGIN
    IF provider IS NULL OR account IS NULL THEN
        RAISE EXCEPTION 'an import from the web pages needs a signed-in person''s scope'
            USING ERRCODE = '42501';
    END IF;
    IF gaptrack_current_role() IS DISTINCT FROM 'data_lead' THEN
        RAISE EXCEPTION 'only a data lead may import files' USING ERRCODE = '42501';
    END IF;
    IF NOT EXISTS (
        SELECT FROM web_accounts a
        WHERE a.provider_id = provider AND a.account_id = account AND a.role = 'data_lead' AND a.disabled_at IS NULL
          AND EXISTS (SELECT FROM web_sessions s
                      WHERE s.provider_id = a.provider_id AND s.account_id = a.account_id
                        AND s.ended_at IS NULL AND s.expires_at > now()))
    THEN
        RAISE EXCEPTION 'the signed-in person is not a data lead of this provider with a live session'
            USING ERRCODE = '42501';
    END IF;
    RETURN account;
END
$$;

-- Opens the ledger row of a web import for the scope's provider and names it to the triggers
-- (gaptrack.import_id), as ImportLedger.open does for `gaptrack import`. Returns its id.
CREATE OR REPLACE FUNCTION web_import_open(
    given_kind import_kind, given_file_name text, given_sha256 text, given_bytes bigint, given_skip_invalid boolean)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    account bigint := web_import_importer();
    opened bigint;
BEGIN
    IF given_kind IN ('ctf', 'student-records') THEN
        RAISE EXCEPTION '% files are imported with gaptrack import, not in the web pages', given_kind USING ERRCODE = '42501';
    END IF;
    INSERT INTO imports (provider_id, kind, file_name, file_sha256, file_bytes, skip_invalid, os_user, started_at, finished_at)
    VALUES (gaptrack_current_provider(), given_kind, given_file_name, given_sha256, given_bytes, given_skip_invalid,
            current_setting('gaptrack.actor', true), now(), now())
    RETURNING import_id INTO opened;
    PERFORM set_config('gaptrack.import_id', opened::text, true);
    RETURN opened;
END
$$;

-- Records a web import's counts, once. Only the row this transaction opened and has not yet
-- closed (a closed row has read at least one row: an empty file is never recorded): another
-- import's row, or one of another provider, is refused.
CREATE OR REPLACE FUNCTION web_import_close(
    given_import_id bigint, rows_read integer, inserted integer, updated integer, unchanged integer, rejected integer)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    account bigint := web_import_importer();
BEGIN
    IF given_import_id IS DISTINCT FROM nullif(current_setting('gaptrack.import_id', true), '')::bigint THEN
        RAISE EXCEPTION 'import % was not opened by this transaction', given_import_id USING ERRCODE = '42501';
    END IF;
    UPDATE imports i
    SET rows_read = web_import_close.rows_read, rows_inserted = inserted, rows_updated = updated,
        rows_unchanged = unchanged, rows_rejected = rejected, finished_at = clock_timestamp()
    WHERE i.import_id = given_import_id AND i.provider_id = gaptrack_current_provider()
      AND i.rows_read = 0 AND i.finished_at = i.started_at;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'import % was not opened by this transaction', given_import_id USING ERRCODE = '42501';
    END IF;
END
$$;

REVOKE ALL ON FUNCTION web_import_importer() FROM PUBLIC;
REVOKE ALL ON FUNCTION web_import_open(import_kind, text, text, bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION web_import_close(bigint, integer, integer, integer, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION web_import_open(import_kind, text, text, bigint, boolean) TO gaptrack_service;
GRANT EXECUTE ON FUNCTION web_import_close(bigint, integer, integer, integer, integer, integer) TO gaptrack_service;
