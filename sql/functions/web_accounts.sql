-- Signing people in to the web pages (docs/security.md, "People, sessions and forms"). The service's
-- login calls these before it takes a role, as it calls gaptrack_authenticate for a token; they are
-- SECURITY DEFINER so that it needs no rights on web_accounts' password hashes, web_sessions' token
-- hashes or web_sign_in_attempts at all. The password itself is checked by the service (bcrypt), so
-- web_sign_in_candidate hands it the one hash it asked for, and only for an account that may sign in.
-- depends on: audit_log.sql
-- after version: 17

-- The account a sign-in names, and how many seconds must pass before any attempt is checked: the
-- account's own lock, or the address's when 20 attempts from it failed within 15 minutes. Always one
-- row (account NULL when there is no such active account), so that the caller can wait the same for
-- an unknown account as for a known one.
CREATE OR REPLACE FUNCTION web_sign_in_candidate(given_provider text, given_email text, given_address text)
RETURNS TABLE (provider_id bigint, account_id bigint, password_hash text, wait_seconds integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH account AS (
        SELECT a.provider_id, a.account_id, a.password_hash, a.locked_until
        FROM web_accounts a JOIN providers p ON p.provider_id = a.provider_id
        WHERE p.code = given_provider AND lower(a.email) = lower(given_email) AND a.disabled_at IS NULL
    ), address_wait AS (
        SELECT CASE WHEN count(*) >= 20
                    THEN ceil(extract(epoch FROM min(recent.attempted_at) + interval '15 minutes' - clock_timestamp()))::integer
                    ELSE 0 END AS seconds
        FROM (SELECT t.attempted_at FROM web_sign_in_attempts t
              WHERE t.address = given_address AND t.outcome <> 'signed in'
                AND t.attempted_at > clock_timestamp() - interval '15 minutes'
              ORDER BY t.attempted_at DESC LIMIT 20) recent
    )
    SELECT a.provider_id, a.account_id, a.password_hash,
           greatest(w.seconds, coalesce(ceil(extract(epoch FROM a.locked_until - clock_timestamp()))::integer, 0), 0)
    FROM address_wait w LEFT JOIN account a ON true
$$;

-- A failed or refused attempt: recorded for the address, counted on the account, and written to the
-- audit log. From the fifth failure in a row the account is locked for 30 seconds, doubling with
-- each further failure up to 15 minutes (docs/security.md). Returns the seconds it is now locked for.
CREATE OR REPLACE FUNCTION web_sign_in_failed(
    given_provider text, given_email text, given_address text, given_provider_id bigint, given_account bigint, refused boolean)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    attempt bigint;
    failures integer;
    locked timestamptz;
BEGIN
    PERFORM set_config('gaptrack.actor', 'web:' || left(given_email, 254), true);
    INSERT INTO web_sign_in_attempts (provider_code, email, address, outcome)
    VALUES (left(given_provider, 100), left(given_email, 254), given_address, CASE WHEN refused THEN 'refused while locked' ELSE 'failed' END)
    RETURNING attempt_id INTO attempt;
    IF given_account IS NOT NULL AND NOT refused THEN
        UPDATE web_accounts a
        SET failed_count = a.failed_count + 1,
            locked_until = CASE WHEN a.failed_count + 1 >= 5
                                THEN clock_timestamp() + least(interval '15 minutes', interval '30 seconds' * power(2, a.failed_count + 1 - 5))
                                ELSE a.locked_until END
        WHERE a.provider_id = given_provider_id AND a.account_id = given_account
        RETURNING a.failed_count, a.locked_until INTO failures, locked;
    END IF;
    INSERT INTO audit_log (provider_id, actor, actor_role, token_id, action, table_name, row_key, before, after)
    VALUES (given_provider_id, gaptrack_audit_actor(), NULL, NULL, 'insert', 'web_sign_in_attempts',
            jsonb_build_object('attempt_id', attempt), NULL,
            jsonb_build_object(
                'event', CASE WHEN refused THEN 'sign-in refused: locked'
                              WHEN failures >= 5 THEN 'sign-in failed: account locked'
                              ELSE 'sign-in failed' END,
                'provider_code', left(given_provider, 100), 'email', left(given_email, 254), 'address', given_address,
                'failed_count', failures, 'locked_until', locked));
    RETURN greatest(coalesce(ceil(extract(epoch FROM locked - clock_timestamp()))::integer, 0), 0);
END
$$;

-- Files uploaded in the web pages are kept only while the session that checked them lasts
-- (docs/security.md §6, "Uploads"): a session that ends (signed out, expired, idle, account
-- disabled) takes its uploads with it, and every sign-in clears the uploads of the provider's
-- sessions that ended or ran out without being visited again. Returns how many were deleted.
CREATE OR REPLACE FUNCTION web_uploads_of_ended_sessions_delete(given_provider_id bigint)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH deleted AS (
        DELETE FROM web_uploads u
        USING web_sessions s
        WHERE u.provider_id = given_provider_id AND s.provider_id = u.provider_id AND s.session_id = u.session_id
          AND (s.ended_at IS NOT NULL OR s.expires_at <= now())
        RETURNING 1)
    SELECT count(*) FROM deleted
$$;

-- A successful sign-in: the account's failures cleared, the attempt recorded, and a session opened
-- (its insert is the audit log's "signed in" entry). Returns the session's id.
CREATE OR REPLACE FUNCTION web_session_open(
    given_provider_id bigint, given_account bigint, given_token_hash text, given_address text, lifetime_seconds integer)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    person record;
    opened bigint;
BEGIN
    SELECT a.email, p.code INTO person
    FROM web_accounts a JOIN providers p ON p.provider_id = a.provider_id
    WHERE a.provider_id = given_provider_id AND a.account_id = given_account AND a.disabled_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'account % of provider % cannot sign in', given_account, given_provider_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('gaptrack.actor', format('web:account:%s %s', given_account, person.email), true);
    UPDATE web_accounts SET failed_count = 0, locked_until = NULL
    WHERE provider_id = given_provider_id AND account_id = given_account AND (failed_count <> 0 OR locked_until IS NOT NULL);
    INSERT INTO web_sign_in_attempts (provider_code, email, address, outcome)
    VALUES (person.code, person.email, given_address, 'signed in');
    INSERT INTO web_sessions (provider_id, account_id, token_hash, address, expires_at)
    VALUES (given_provider_id, given_account, given_token_hash, given_address, now() + make_interval(secs => lifetime_seconds))
    RETURNING session_id INTO opened;
    PERFORM web_uploads_of_ended_sessions_delete(given_provider_id);
    RETURN opened;
END
$$;

-- The person behind a session cookie. A session past its expiry, idle for longer than
-- `idle_seconds`, or of a disabled account is ended here, and returned once with the reason so
-- that the page can say why; an ended or unknown session returns nothing. Activity is written at
-- most every minute (or a quarter of the idle limit, if shorter), not on every request.
CREATE OR REPLACE FUNCTION web_session_find(given_provider_id bigint, given_token_hash text, idle_seconds integer)
RETURNS TABLE (session_id bigint, account_id bigint, email text, display_name text, role api_role, provider_code text, ended_reason text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    current_session record;
    reason text;
    idle interval := make_interval(secs => idle_seconds);
BEGIN
    SELECT s.session_id, s.account_id, s.expires_at, s.last_seen_at, a.email, a.display_name, a.role, a.disabled_at, p.code
    INTO current_session
    FROM web_sessions s
    JOIN web_accounts a ON a.provider_id = s.provider_id AND a.account_id = s.account_id
    JOIN providers p ON p.provider_id = s.provider_id
    WHERE s.provider_id = given_provider_id AND s.token_hash = given_token_hash AND s.ended_at IS NULL;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    reason := CASE WHEN current_session.disabled_at IS NOT NULL THEN 'account disabled'
                   WHEN current_session.expires_at <= now() THEN 'expired'
                   WHEN current_session.last_seen_at + idle <= now() THEN 'idle' END;
    PERFORM set_config('gaptrack.actor', format('web:account:%s %s', current_session.account_id, current_session.email), true);
    IF reason IS NOT NULL THEN
        UPDATE web_sessions s SET ended_at = now(), ended_reason = reason
        WHERE s.provider_id = given_provider_id AND s.session_id = current_session.session_id;
        PERFORM web_uploads_of_ended_sessions_delete(given_provider_id);
    ELSIF current_session.last_seen_at < now() - least(interval '1 minute', idle / 4) THEN
        UPDATE web_sessions s SET last_seen_at = now()
        WHERE s.provider_id = given_provider_id AND s.session_id = current_session.session_id;
    END IF;
    RETURN QUERY SELECT current_session.session_id, current_session.account_id, current_session.email, current_session.display_name, current_session.role, current_session.code, reason;
END
$$;

-- Sign-out: the session ends now (its update is the audit log's "signed out" entry). True when a
-- session was open.
CREATE OR REPLACE FUNCTION web_session_close(given_provider_id bigint, given_token_hash text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    closing record;
BEGIN
    SELECT s.session_id, a.account_id, a.email INTO closing
    FROM web_sessions s JOIN web_accounts a ON a.provider_id = s.provider_id AND a.account_id = s.account_id
    WHERE s.provider_id = given_provider_id AND s.token_hash = given_token_hash AND s.ended_at IS NULL;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM set_config('gaptrack.actor', format('web:account:%s %s', closing.account_id, closing.email), true);
    UPDATE web_sessions s SET ended_at = now(), ended_reason = 'signed out'
    WHERE s.provider_id = given_provider_id AND s.session_id = closing.session_id;
    PERFORM web_uploads_of_ended_sessions_delete(given_provider_id);
    RETURN true;
END
$$;

REVOKE ALL ON FUNCTION web_sign_in_candidate(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION web_sign_in_failed(text, text, text, bigint, bigint, boolean) FROM PUBLIC;
REVOKE ALL ON FUNCTION web_session_open(bigint, bigint, text, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION web_session_find(bigint, text, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION web_session_close(bigint, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION web_uploads_of_ended_sessions_delete(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION web_sign_in_candidate(text, text, text) TO gaptrack_app;
GRANT EXECUTE ON FUNCTION web_sign_in_failed(text, text, text, bigint, bigint, boolean) TO gaptrack_app;
GRANT EXECUTE ON FUNCTION web_session_open(bigint, bigint, text, text, integer) TO gaptrack_app;
GRANT EXECUTE ON FUNCTION web_session_find(bigint, text, integer) TO gaptrack_app;
GRANT EXECUTE ON FUNCTION web_session_close(bigint, text) TO gaptrack_app;
