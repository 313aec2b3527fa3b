-- The audit log (docs/methodology.md §7): who is acting, the statement-level trigger that writes
-- every change to a provider-owned row, the one summary entry per import that replaces row-by-row
-- entries inside an import, and the helper that attaches the triggers to a table. One file, because
-- the trigger and the per-import summary call each other.
-- depends on: service_context.sql

-- What a redacted entry holds instead of a row's before or after (NULL stays NULL, so that an
-- entry's action still matches which of the two it has).
CREATE OR REPLACE FUNCTION gaptrack_audit_redacted(content jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN content IS NULL THEN NULL ELSE '{"redacted": true}'::jsonb END
$$;

-- Guards every entry, for every role, the owner included (enabled ALWAYS in
-- 003_least_privilege.sql, so session_replication_role does not switch it off). The one change
-- let through is a redaction: before and after replaced by the redaction mark, nothing else
-- touched, while a reason is bound in gaptrack.audit_redaction — what audit_log_redact does; and
-- audit_log_record_redaction writes an entry for every redaction, however it was made.
CREATE OR REPLACE FUNCTION gaptrack_refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND nullif(current_setting('gaptrack.audit_redaction', true), '') IS NOT NULL
       AND (to_jsonb(NEW) - 'before' - 'after') = (to_jsonb(OLD) - 'before' - 'after')
       AND NEW.before IS NOT DISTINCT FROM gaptrack_audit_redacted(OLD.before)
       AND NEW.after IS NOT DISTINCT FROM gaptrack_audit_redacted(OLD.after) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Audit entries are never changed or removed; record a correction as a new change. '
                     'Erasure and retention redact entries with audit_log_redact(entry_ids, reason) (sql/README.md).';
END
$$;

-- One entry per provider for each statement that redacted entries: which entries, how many, why,
-- and who did it.
CREATE OR REPLACE FUNCTION audit_log_record_redaction() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, public AS $$
BEGIN
    INSERT INTO audit_log (provider_id, actor, actor_role, token_id, action, table_name, row_key, before, after)
    SELECT n.provider_id, gaptrack_audit_actor(), NULL, NULL, 'update', 'audit_log',
           jsonb_build_object('audit_ids', jsonb_agg(n.audit_id ORDER BY n.audit_id)),
           jsonb_build_object('entries', count(*)),
           jsonb_build_object('redacted', count(*), 'reason', current_setting('gaptrack.audit_redaction', true))
    FROM new_entries n
    GROUP BY n.provider_id;
    RETURN NULL;
END
$$;

-- The only door by which an audit entry changes (sql/README.md): replaces the before and after of
-- the given entries with the redaction mark, keeping who, when, which table and which row, and
-- records the redaction with its reason as a new entry. For erasure of one student and for
-- retention (docs/security.md). Entries already redacted are left alone; returns how many were
-- redacted now. Owner only: SECURITY DEFINER, with EXECUTE granted to nobody.
CREATE OR REPLACE FUNCTION audit_log_redact(entry_ids bigint[], reason text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    redacted bigint;
BEGIN
    IF reason IS NULL OR btrim(reason) = '' THEN
        RAISE EXCEPTION 'a redaction of the audit log needs a reason' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('gaptrack.audit_redaction', reason, true);
    UPDATE audit_log
    SET before = gaptrack_audit_redacted(before), after = gaptrack_audit_redacted(after)
    WHERE audit_id = ANY (entry_ids)
      AND (before IS DISTINCT FROM gaptrack_audit_redacted(before) OR after IS DISTINCT FROM gaptrack_audit_redacted(after));
    GET DIAGNOSTICS redacted = ROW_COUNT;
    PERFORM set_config('gaptrack.audit_redaction', '', true);
    RETURN redacted;
END
$$;
REVOKE ALL ON FUNCTION audit_log_redact(bigint[], text) FROM PUBLIC;

CREATE OR REPLACE FUNCTION gaptrack_audit_actor() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('gaptrack.actor', true), ''), 'db:' || session_user)
$$;

-- Adds n rows of one action on one table to a scope's counts.
CREATE OR REPLACE FUNCTION gaptrack_import_audit_add(changes jsonb, table_name text, action text, n bigint) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT changes || jsonb_build_object(table_name,
        coalesce(changes -> table_name, '{}'::jsonb)
        || jsonb_build_object(action, coalesce((changes -> table_name ->> action)::bigint, 0) + n))
$$;

-- Opens the scope for this transaction. Returns false, changing nothing, for a role that may not
-- write import_audit_scopes (every role but the owner): its import is then audited row by row,
-- as before. SECURITY INVOKER on purpose: the table's privileges are the switch.
CREATE OR REPLACE FUNCTION gaptrack_import_audit_open() RETURNS boolean
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
CREATE OR REPLACE FUNCTION gaptrack_import_audit_scope() RETURNS bigint
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
CREATE OR REPLACE FUNCTION gaptrack_import_audit_close(closing_import_id bigint, loaded_untriggered jsonb DEFAULT '{}')
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

-- What the audit log keeps of a row: all of it but secrets (a token's or a password's hash) and an
-- uploaded file's bytes (web_uploads.content), which is identified by its SHA-256 and whose rows
-- are audited one by one when it is imported (docs/security.md §6, "Uploads").
CREATE OR REPLACE FUNCTION gaptrack_audit_row(row_data jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT row_data - 'token_hash' - 'password_hash' - 'content'
$$;

-- The statement-level trigger behind all three audit triggers. Inside an import audit scope opened
-- by the statement's own role it counts the transition table's rows instead of copying them (the
-- import is recorded whole in `imports`); otherwise it copies every changed row.
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
            'SELECT %s, $1, $2, $3, ''insert'', $4, %s, NULL, gaptrack_audit_row(to_jsonb(x)) FROM new_rows x %s',
            provider_of, key_of_new, student_join)
        USING gaptrack_audit_actor(), gaptrack_current_role(),
              nullif(current_setting('gaptrack.token_id', true), '')::bigint, TG_TABLE_NAME::text;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Old and new rows are paired by primary key; rows that did not really change are skipped.
        EXECUTE format(
            'INSERT INTO audit_log (provider_id, actor, actor_role, token_id, action, table_name, row_key, before, after) '
            'SELECT %s, $1, $2, $3, ''update'', $4, %s, gaptrack_audit_row(to_jsonb(o)), gaptrack_audit_row(to_jsonb(x)) '
            'FROM old_rows o JOIN new_rows x ON %s %s WHERE to_jsonb(o) <> to_jsonb(x)',
            provider_of, key_of_new, pairs, student_join)
        USING gaptrack_audit_actor(), gaptrack_current_role(),
              nullif(current_setting('gaptrack.token_id', true), '')::bigint, TG_TABLE_NAME::text;
    ELSE
        EXECUTE format(
            'INSERT INTO audit_log (provider_id, actor, actor_role, token_id, action, table_name, row_key, before, after) '
            'SELECT %s, $1, $2, $3, ''delete'', $4, %s, gaptrack_audit_row(to_jsonb(o)), NULL FROM old_rows o %s',
            provider_of, key_of_old, student_join)
        USING gaptrack_audit_actor(), gaptrack_current_role(),
              nullif(current_setting('gaptrack.token_id', true), '')::bigint, TG_TABLE_NAME::text;
    END IF;
    RETURN NULL;
END
$$;

-- Attaches the three audit triggers to a table. Called through
-- gaptrack_protect_provider_table for every provider-owned table (002_baseline_protection.sql); a
-- later numbered file that adds such a table calls that too.
CREATE OR REPLACE FUNCTION gaptrack_audit_table(target regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    key_columns text;
BEGIN
    SELECT string_agg(quote_literal(a.attname), ', ' ORDER BY array_position(i.indkey::int2[], a.attnum))
    INTO key_columns
    FROM pg_index i
    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
    WHERE i.indrelid = target AND i.indisprimary;
    IF key_columns IS NULL THEN
        RAISE EXCEPTION 'table % has no primary key; the audit log needs one to pair old and new rows', target;
    END IF;
    -- Already attached: left as they are, so that protecting a table again never drops the
    -- import ledger's audit triggers, which the schema guard refuses (schema_guard.sql).
    IF (SELECT count(*) FROM pg_trigger WHERE tgrelid = target
        AND tgname IN ('gaptrack_audit_insert', 'gaptrack_audit_update', 'gaptrack_audit_delete')) = 3 THEN
        RETURN;
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS gaptrack_audit_insert ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS gaptrack_audit_update ON %s', target);
    EXECUTE format('DROP TRIGGER IF EXISTS gaptrack_audit_delete ON %s', target);
    EXECUTE format('CREATE TRIGGER gaptrack_audit_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gaptrack_audit_changes(%s)', target, key_columns);
    EXECUTE format('CREATE TRIGGER gaptrack_audit_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gaptrack_audit_changes(%s)', target, key_columns);
    EXECUTE format('CREATE TRIGGER gaptrack_audit_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gaptrack_audit_changes(%s)', target, key_columns);
END
$$;
