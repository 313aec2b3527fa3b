-- People who sign in to the web pages (docs/security.md, "People, sessions and forms"): their
-- accounts, their sessions, and the record of sign-in attempts that lockouts are counted from.
--
-- An account belongs to one provider, as an API token does, and has one of the API roles. Its
-- password is a bcrypt hash written by `gaptrack user add` (the owner). The service's roles may read
-- an account's name, role and state for their own provider, never its password hash, and no session's
-- token hash: those are read and written only inside the SECURITY DEFINER functions of
-- functions/web_accounts.sql, which the service's login calls before it takes a role.

CREATE TABLE web_accounts (
    provider_id     bigint NOT NULL REFERENCES providers,
    account_id      bigint GENERATED ALWAYS AS IDENTITY,
    email           text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    display_name    text NOT NULL CHECK (btrim(display_name) <> '' AND length(display_name) <= 200),
    role            api_role NOT NULL,
    password_hash   text NOT NULL CHECK (password_hash ~ '^\$2[abxy]\$[0-9]{2}\$[./A-Za-z0-9]{53}$'),
    password_set_at timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL DEFAULT session_user,
    disabled_at     timestamptz,
    disabled_by     text,
    -- Failed sign-ins since the last success, and the time before which no attempt is checked.
    failed_count    integer NOT NULL DEFAULT 0 CHECK (failed_count >= 0),
    locked_until    timestamptz,
    PRIMARY KEY (provider_id, account_id),
    CHECK ((disabled_at IS NULL) = (disabled_by IS NULL))
);

-- One account per address within a provider; the sign-in form names the provider.
CREATE UNIQUE INDEX web_accounts_email_key ON web_accounts (provider_id, lower(email));

CREATE TABLE web_sessions (
    provider_id   bigint NOT NULL,
    session_id    bigint GENERATED ALWAYS AS IDENTITY,
    account_id    bigint NOT NULL,
    -- SHA-256 of the session cookie's secret; the secret itself is only ever in the cookie.
    token_hash    text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    address       text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    ended_at      timestamptz,
    ended_reason  text CHECK (ended_reason IN ('signed out', 'expired', 'idle', 'account disabled')),
    PRIMARY KEY (provider_id, session_id),
    UNIQUE (provider_id, token_hash),
    FOREIGN KEY (provider_id, account_id) REFERENCES web_accounts (provider_id, account_id),
    CHECK ((ended_at IS NULL) = (ended_reason IS NULL))
);

CREATE INDEX web_sessions_account_idx ON web_sessions (provider_id, account_id);

-- Every sign-in attempt, kept for the per-address limit. Not a provider's row: an attempt may name
-- a provider or an address that does not exist. Owner only.
CREATE TABLE web_sign_in_attempts (
    attempt_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attempted_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    provider_code text NOT NULL,
    email         text NOT NULL,
    address       text NOT NULL,
    outcome       text NOT NULL CHECK (outcome IN ('signed in', 'failed', 'refused while locked'))
);

CREATE INDEX web_sign_in_attempts_address_idx ON web_sign_in_attempts (address, attempted_at);
REVOKE ALL ON web_sign_in_attempts FROM PUBLIC;

SELECT gaptrack_protect_provider_table('web_accounts');
SELECT gaptrack_protect_provider_table('web_sessions');

-- Take back what gaptrack_protect_provider_table granted, and give the service roles only the
-- columns without secrets, read only; every write goes through functions/web_accounts.sql.
REVOKE ALL ON web_accounts, web_sessions FROM gaptrack_service, gaptrack_governor;
GRANT SELECT (provider_id, account_id, email, display_name, role, created_at, disabled_at)
    ON web_accounts TO gaptrack_service, gaptrack_governor;
GRANT SELECT (provider_id, session_id, account_id, created_at, last_seen_at, expires_at, ended_at, ended_reason)
    ON web_sessions TO gaptrack_service, gaptrack_governor;
