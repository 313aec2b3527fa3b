-- gaptrack service, part 1: the database roles the HTTP service acts as, and API tokens.
--
-- Why two roles and SET LOCAL ROLE: row-level security never applies to a table's owner or to a
-- superuser (PostgreSQL manual, "Row Security Policies"), and the service's login is usually the
-- owner that ran these migrations. So each request runs in a transaction that first does
-- `SET LOCAL ROLE gaptrack_service` (or gaptrack_governor) and binds the caller's provider and
-- role with set_config(..., true); both end with the transaction. Neither role can log in, own
-- anything, or bypass RLS.
--   gaptrack_service   reads and writes provider-owned rows (admin, data lead, staff tokens);
--   gaptrack_governor  reads only (governor tokens; the service hands governors aggregates only).
-- Roles are cluster-wide, so they are created only if missing (several databases, e.g. the test
-- databases, share one cluster). Creating them needs CREATEROLE; the migrator is made a member
-- so that it may SET ROLE to them. A service that logs in as another user needs
-- `GRANT gaptrack_service, gaptrack_governor TO that_user` and EXECUTE on gaptrack_authenticate.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gaptrack_service') THEN
        CREATE ROLE gaptrack_service NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gaptrack_governor') THEN
        CREATE ROLE gaptrack_governor NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
    END IF;
    IF NOT pg_has_role(current_user, 'gaptrack_service', 'MEMBER') THEN
        EXECUTE format('GRANT gaptrack_service TO %I', current_user);
    END IF;
    IF NOT pg_has_role(current_user, 'gaptrack_governor', 'MEMBER') THEN
        EXECUTE format('GRANT gaptrack_governor TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO gaptrack_service, gaptrack_governor;

-- What a token may do. Mirrored by GapTrackService.APIRole.
--   admin      everything for its provider, including restricted records and the audit log;
--   data_lead  records and reads everything for its provider, including restricted records;
--   staff      records and reads interventions and support, and reads timelines, without
--              restricted records (care and safeguarding context);
--   governor   reads the termly gap report only: aggregated figures with small groups suppressed.
CREATE TYPE api_role AS ENUM ('admin', 'data_lead', 'staff', 'governor');

-- API tokens. The token itself (32 random bytes, base64url, prefixed 'gtk_') is shown once when
-- created and never stored: only its SHA-256, computed by the server's built-in sha256().
-- A token belongs to one provider; revoking sets revoked_at and the token stops working at once.
CREATE TABLE api_tokens (
    token_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id  bigint NOT NULL REFERENCES providers,
    role         api_role NOT NULL,
    label        text NOT NULL CHECK (btrim(label) <> '' AND length(label) <= 200),
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    -- The first characters of the token, so that a person can tell tokens apart in a list.
    token_prefix text NOT NULL CHECK (token_prefix ~ '^gtk_[A-Za-z0-9_-]{4,12}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL DEFAULT session_user,
    revoked_at   timestamptz,
    revoked_by   text,
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX api_tokens_provider_idx ON api_tokens (provider_id);

-- The request's scope, as bound by the service with set_config(..., true). NULL outside the
-- service, so that a policy compares with NULL and matches nothing.
CREATE FUNCTION gaptrack_current_provider() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('gaptrack.provider_id', true), '')::bigint
$$;

CREATE FUNCTION gaptrack_current_role() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('gaptrack.role', true), '')
$$;

-- Restricted records (care and safeguarding context) are visible to admins and data leads, and
-- to governor sessions because the gap report must count looked-after children; the service
-- gives governors aggregated, suppressed figures only. Staff never see them.
CREATE FUNCTION gaptrack_may_see_restricted() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(gaptrack_current_role() IN ('admin', 'data_lead', 'governor'), false)
$$;

-- Looks a presented token up by its hash. SECURITY DEFINER so that the service's login needs no
-- access to api_tokens at all; it learns only the token's own scope, and nothing for a revoked
-- or unknown token.
CREATE FUNCTION gaptrack_authenticate(presented_token text)
RETURNS TABLE (token_id bigint, provider_id bigint, provider_code text, role api_role, label text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT t.token_id, t.provider_id, p.code, t.role, t.label
    FROM api_tokens t
    JOIN providers p USING (provider_id)
    WHERE t.token_hash = encode(sha256(convert_to(presented_token, 'UTF8')), 'hex')
      AND t.revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION gaptrack_authenticate(text) FROM PUBLIC;
