-- Audit per import, not per row, for `gaptrack import`.
--
-- Why: migration 031's statement-level triggers copy every changed row, as JSON, into audit_log.
-- For the service's writes (a few rows per request) that is what an auditor wants. For a bulk
-- import it is a second copy of the file: loading 600,000 pupils left 9.4 GB of audit for
-- 1.6 GB of results (BENCHMARKS.md). The import is already recorded, whole, in the `imports`
-- ledger (file name, SHA-256, row counts, who, when), and the rows it wrote point at it through
-- import_id, so one audit entry naming the ledger row says everything the copies said.
--
-- How: the import opens an *import audit scope* for its transaction (a row in
-- import_audit_scopes). While it is open, the audit triggers count the rows each statement
-- inserted, updated or deleted per table instead of copying them, and closing the scope writes
-- the one entry (table 'imports', the ledger row, and those counts) and removes the scope.
--
-- Why a table and not a setting: any session may set_config() a custom setting, so a
-- transaction-local flag would let a service role (sql/030: SET LOCAL ROLE gaptrack_service)
-- switch its own audit off. Only the owner can write import_audit_scopes (no privilege is
-- granted to anyone else), and a scope counts only for statements run by the role that opened
-- it: a session that opens a scope as the owner and then SETs ROLE gaptrack_service is audited
-- row by row again. The trigger function is SECURITY DEFINER, so it sees the owner as
-- current_user; who runs the statement is read from the `role` setting (what SET ROLE set; the
-- PostgreSQL manual, "SET ROLE") and otherwise session_user, which SECURITY DEFINER leaves alone.

CREATE TABLE import_audit_scopes (
    -- The importing transaction (txid_current() is never reused: it carries the epoch).
    transaction_id  bigint PRIMARY KEY DEFAULT txid_current(),
    -- The role that opened it; only statements run as this role are counted instead of copied.
    opened_by       name NOT NULL DEFAULT current_user,
    -- {"table": {"inserted": n, "updated": n, "deleted": n}}, added up statement by statement.
    changes         jsonb NOT NULL DEFAULT '{}'
);
REVOKE ALL ON import_audit_scopes FROM PUBLIC;
COMMENT ON TABLE import_audit_scopes IS
    'Open import audit scopes (sql/064): owner-only; rows live only inside the importing transaction.';

-- Adds n rows of one action on one table to a scope's counts.
CREATE FUNCTION gaptrack_import_audit_add(changes jsonb, table_name text, action text, n bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT changes || jsonb_build_object(table_name,
        coalesce(changes -> table_name, '{}'::jsonb)
        || jsonb_build_object(action, coalesce((changes -> table_name ->> action)::bigint, 0) + n))
$$;

-- Opens the scope for this transaction. Returns false, changing nothing, for a role that may not
-- write import_audit_scopes (every role but the owner): its import is then audited row by row,
-- as before. SECURITY INVOKER on purpose: the table's privileges are the switch.
CREATE FUNCTION gaptrack_import_audit_open() RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT has_table_privilege(current_user, 'import_audit_scopes', 'INSERT, DELETE') THEN
        RETURN false;
    END IF;
    INSERT INTO import_audit_scopes DEFAULT VALUES ON CONFLICT (transaction_id) DO NOTHING;
    RETURN true;
END
$$;

-- The open scope of this transaction, when the current statement is run by the role that opened
-- it; NULL otherwise (then the audit is per row).
CREATE FUNCTION gaptrack_import_audit_scope() RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT s.transaction_id FROM import_audit_scopes s
    WHERE s.transaction_id = txid_current()
      AND s.opened_by = CASE current_setting('role') WHEN 'none' THEN session_user ELSE current_setting('role') END
$$;
REVOKE ALL ON FUNCTION gaptrack_import_audit_scope() FROM PUBLIC;

-- Closes the scope and writes the import's one audit entry: the ledger row as it stands (file,
-- SHA-256, bytes, row counts, OS and database user, start and finish) and, under "tables", the
-- rows inserted, updated and deleted per table. `loaded_untriggered` adds rows written where no
-- trigger sees them (attendance terms COPYed into a new table before it becomes a partition),
-- in the same shape. Returns the audit entry's id.
CREATE FUNCTION gaptrack_import_audit_close(closing_import_id bigint, loaded_untriggered jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    counted jsonb;
    extra record;
    entry bigint;
BEGIN
    DELETE FROM import_audit_scopes WHERE transaction_id = txid_current() RETURNING changes INTO counted;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no import audit scope is open in this transaction (import %)', closing_import_id;
    END IF;
    FOR extra IN
        SELECT t.key AS table_name, a.key AS action, a.value::bigint AS n
        FROM jsonb_each(loaded_untriggered) t, jsonb_each_text(t.value) a
    LOOP
        counted := gaptrack_import_audit_add(counted, extra.table_name, extra.action, extra.n);
    END LOOP;
    INSERT INTO audit_log (provider_id, actor, actor_role, token_id, action, table_name, row_key, before, after)
    SELECT i.provider_id, gaptrack_audit_actor(), NULL, NULL, 'insert', 'imports',
           jsonb_build_object('import_id', i.import_id), NULL,
           -- The ledger's own insert and update are this entry; they are not repeated as counts.
           to_jsonb(i) || jsonb_build_object('tables', counted - 'imports')
    FROM imports i WHERE i.import_id = closing_import_id
    RETURNING audit_id INTO entry;
    IF entry IS NULL THEN
        RAISE EXCEPTION 'import % is not in the import ledger', closing_import_id;
    END IF;
    RETURN entry;
END
$$;

-- Migration 031's trigger function, unchanged but for its first step: inside an import audit
-- scope opened by the statement's own role it counts the transition table's rows instead of
-- copying them.
CREATE OR REPLACE FUNCTION gaptrack_audit_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    key_of_new text;
    key_of_old text;
    pairs text;
    provider_of text;
    student_join text := '';
    scope bigint := gaptrack_import_audit_scope();
    counted bigint;
BEGIN
    IF scope IS NOT NULL THEN
        EXECUTE format('SELECT count(*) FROM %s', CASE TG_OP WHEN 'DELETE' THEN 'old_rows' ELSE 'new_rows' END) INTO counted;
        IF counted > 0 THEN
            UPDATE import_audit_scopes
            SET changes = gaptrack_import_audit_add(changes, TG_TABLE_NAME::text,
                                                    CASE TG_OP WHEN 'INSERT' THEN 'inserted' WHEN 'UPDATE' THEN 'updated' ELSE 'deleted' END,
                                                    counted)
            WHERE transaction_id = scope;
        END IF;
        RETURN NULL;
    END IF;
    SELECT 'jsonb_build_object(' || string_agg(format('%L, x.%I', k, k), ', ') || ')',
           'jsonb_build_object(' || string_agg(format('%L, o.%I', k, k), ', ') || ')',
           string_agg(format('o.%I = x.%I', k, k), ' AND ')
    INTO key_of_new, key_of_old, pairs
    FROM unnest(TG_ARGV) AS k;
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = TG_RELID AND attname = 'provider_id' AND attnum > 0 AND NOT attisdropped) THEN
        provider_of := CASE TG_OP WHEN 'DELETE' THEN 'o.provider_id' ELSE 'x.provider_id' END;
    ELSE
        provider_of := 's.provider_id';
        student_join := format('LEFT JOIN students s ON s.student_id = %s.student_id', CASE TG_OP WHEN 'DELETE' THEN 'o' ELSE 'x' END);
    END IF;
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'INSERT INTO audit_log (provider_id, actor, actor_role, token_id, action, table_name, row_key, before, after) '
            'SELECT %s, $1, $2, $3, ''insert'', $4, %s, NULL, to_jsonb(x) - ''token_hash'' FROM new_rows x %s',
            provider_of, key_of_new, student_join)
        USING gaptrack_audit_actor(), gaptrack_current_role(),
              nullif(current_setting('gaptrack.token_id', true), '')::bigint, TG_TABLE_NAME::text;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Old and new rows are paired by primary key; rows that did not really change are skipped.
        EXECUTE format(
            'INSERT INTO audit_log (provider_id, actor, actor_role, token_id, action, table_name, row_key, before, after) '
            'SELECT %s, $1, $2, $3, ''update'', $4, %s, to_jsonb(o) - ''token_hash'', to_jsonb(x) - ''token_hash'' '
            'FROM old_rows o JOIN new_rows x ON %s %s WHERE to_jsonb(o) <> to_jsonb(x)',
            provider_of, key_of_new, pairs, student_join)
        USING gaptrack_audit_actor(), gaptrack_current_role(),
              nullif(current_setting('gaptrack.token_id', true), '')::bigint, TG_TABLE_NAME::text;
    ELSE
        EXECUTE format(
            'INSERT INTO audit_log (provider_id, actor, actor_role, token_id, action, table_name, row_key, before, after) '
            'SELECT %s, $1, $2, $3, ''delete'', $4, %s, to_jsonb(o) - ''token_hash'', NULL FROM old_rows o %s',
            provider_of, key_of_old, student_join)
        USING gaptrack_audit_actor(), gaptrack_current_role(),
              nullif(current_setting('gaptrack.token_id', true), '')::bigint, TG_TABLE_NAME::text;
    END IF;
    RETURN NULL;
END
$$;
