-- Least privilege and no side channels (docs/security.md): the service's own login role, the
-- import ledger and the audit log append-only for the service and guarded against the owner,
-- uniqueness of support records that a hidden record never takes part in, and record ids that
-- cannot be counted.
-- Functions: sql/functions/schema_guard.sql, audit_log.sql, imports_append_only.sql,
-- record_ids.sql, service_authenticate.sql.


-- ---------------------------------------------------------------------------------------------
-- The service's login.
--
-- `gaptrack serve` logs in as gaptrack_app, never as the owner that ran gaptrack migrate. It owns
-- nothing and holds no privilege on any table: it may only SET ROLE to gaptrack_service or
-- gaptrack_governor (each request's transaction does, ScopedSession) and look a token up
-- (gaptrack_authenticate, granted in service_authenticate.sql). NOINHERIT, so that outside SET
-- ROLE — before it, or after a RESET ROLE inside a request — it has none of those roles' rights
-- and reads nothing at all; PostgreSQL's SET ROLE needs membership only, not inheritance (the
-- PostgreSQL manual, "SET ROLE" and "Role Membership"). Both service roles are NOINHERIT too
-- (001_baseline.sql), so no chain of memberships hands anything on.
--
-- The role is created here without LOGIN and without a password: whoever runs the server turns
-- the login on, with a password or a peer/trust rule of their own (deploy/, docs/security.md).
-- Roles are cluster-wide, so it is created only if missing, and the attributes that matter are
-- stated again in case someone created it by hand with more.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gaptrack_app') THEN
        CREATE ROLE gaptrack_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION;
    END IF;
    ALTER ROLE gaptrack_app NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT NOREPLICATION;
END
$$;

GRANT gaptrack_service, gaptrack_governor TO gaptrack_app;

-- PostgreSQL 15 no longer lets PUBLIC create in the public schema; a database first made by an
-- older server (or restored from its dump) still may. Nobody but the owner creates objects.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;


-- ---------------------------------------------------------------------------------------------
-- The import ledger is written by `gaptrack import` only (docs/methodology.md §7: each report
-- lists the imports it rests on). The service imports nothing, so its role loses the write
-- privileges gaptrack_protect_provider_table gave it with every provider-owned table; it keeps
-- reading its provider's rows. A ledger row is never deleted or truncated away, by anyone, and the
-- owner's changes to one are copied to the audit log by its audit triggers.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON imports FROM gaptrack_service, gaptrack_governor;

CREATE TRIGGER imports_no_truncate BEFORE TRUNCATE ON imports
    FOR EACH STATEMENT EXECUTE FUNCTION imports_are_append_only();

-- ENABLE ALWAYS: a trigger enabled the ordinary way does not fire while session_replication_role
-- is 'replica' (the PostgreSQL manual, ALTER TABLE, "DISABLE/ENABLE [ REPLICA | ALWAYS ]
-- TRIGGER"), which a superuser may set; an ALWAYS trigger fires whatever it is.
ALTER TABLE imports ENABLE ALWAYS TRIGGER imports_no_delete;
ALTER TABLE imports ENABLE ALWAYS TRIGGER imports_no_truncate;
ALTER TABLE imports ENABLE ALWAYS TRIGGER gaptrack_audit_insert;
ALTER TABLE imports ENABLE ALWAYS TRIGGER gaptrack_audit_update;
ALTER TABLE imports ENABLE ALWAYS TRIGGER gaptrack_audit_delete;


-- ---------------------------------------------------------------------------------------------
-- The audit log: nobody may update, delete or truncate an entry; the one change allowed is a
-- redaction through audit_log_redact(entry_ids, reason) (erasure and retention, sql/README.md),
-- and every redaction writes an entry of its own (audit_log_record_redaction).
CREATE TRIGGER audit_log_record_redaction AFTER UPDATE ON audit_log
    REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_record_redaction();

ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_update_or_delete;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_no_truncate;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_record_redaction;


-- ---------------------------------------------------------------------------------------------
-- Support records: a hidden record never conflicts with a visible one.
--
-- A staff token cannot see restricted records (001_baseline.sql, "Restricted records"). One
-- unique key over all records would answer 409 to that token when it created a record with the
-- same reference — or the same student, type and start date — as a restricted one, telling it the
-- hidden record exists. So restricted and unrestricted records are two separate key spaces: within
-- one provider a reference (or a student, type and start date) is unique among the restricted
-- records and among the others. A staff token's record is then stored as a record of its own, as
-- it would be if the hidden one did not exist; a caller who sees both kinds (admin, data lead) is
-- told of a duplicate of either kind before anything is written (SupportRecords.create), and
-- `gaptrack import` updates the restricted record when there is one (SupportImport).
DROP INDEX support_records_reference_key;
CREATE UNIQUE INDEX support_records_reference_key ON support_records (provider_id, reference, restricted) WHERE reference IS NOT NULL;

DROP INDEX support_records_natural_key;
CREATE UNIQUE INDEX support_records_natural_key ON support_records (student_id, type, starts_on, restricted) WHERE reference IS NULL;

-- Ids that cannot be counted: with a sequence a token would see, from the ids of its own new
-- records, how many records every other provider (and its own hidden ones) made in between, and
-- could guess the ids of the rest. Existing ids stay as they are; new ones are random
-- (record_ids.sql).
ALTER TABLE support_records ALTER COLUMN support_id DROP IDENTITY;
ALTER TABLE support_records ALTER COLUMN support_id SET DEFAULT support_records_new_id();


-- ---------------------------------------------------------------------------------------------
-- The owner's schema changes to the audit log and the import ledger (schema_guard.sql): refused
-- when they would switch a guard off or let the service roles write them, recorded in the audit
-- log otherwise. CREATE EVENT TRIGGER needs a superuser (the PostgreSQL manual, "CREATE EVENT
-- TRIGGER"); an owner that is not one gets the other guards, and docs/security.md says what that
-- leaves open. ENABLE ALWAYS, as for the triggers above.
DO $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        CREATE EVENT TRIGGER gaptrack_guard_ledgers ON ddl_command_end EXECUTE FUNCTION gaptrack_guard_ledgers();
        CREATE EVENT TRIGGER gaptrack_guard_ledger_drops ON sql_drop EXECUTE FUNCTION gaptrack_guard_ledger_drops();
        ALTER EVENT TRIGGER gaptrack_guard_ledgers ENABLE ALWAYS;
        ALTER EVENT TRIGGER gaptrack_guard_ledger_drops ENABLE ALWAYS;
    ELSE
        RAISE WARNING 'gaptrack migrate is not running as a superuser, so the audit log''s schema guard (an event trigger) was not created'
            USING HINT = 'See docs/security.md, "What is not protected against".';
    END IF;
END
$$;
