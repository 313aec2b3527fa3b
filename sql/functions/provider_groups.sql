-- Provider groups in a request's scope (015_provider_groups.sql, docs/security.md "Group tokens").
-- after version: 15

-- The members of a group, for a group token, which may read their reports. SECURITY DEFINER like
-- gaptrack_authenticate: the service's login calls it before any SET ROLE and learns the member
-- providers' codes and names, nothing more.
CREATE OR REPLACE FUNCTION gaptrack_group_members(p_group bigint)
RETURNS TABLE (provider_id bigint, provider_code text, provider_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT p.provider_id, p.code, p.name
    FROM provider_group_members m
    JOIN providers p ON p.provider_id = m.provider_id
    WHERE m.provider_group_id = p_group
    ORDER BY p.code
$$;
REVOKE ALL ON FUNCTION gaptrack_group_members(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gaptrack_group_members(bigint) TO gaptrack_app;

-- Binds a group token's request to one member provider for the rest of the transaction: the
-- provider every row-level security policy reads (gaptrack_current_provider) and the group, which
-- the membership's own policy reads. Refuses a provider that is not a member, so a group session
-- can never be pointed at another provider's rows, whatever the service asks. SECURITY DEFINER to
-- read the membership whatever the session's role; the settings are transaction-local.
CREATE OR REPLACE FUNCTION gaptrack_bind_group_member(p_group bigint, p_provider bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM provider_group_members m WHERE m.provider_group_id = p_group AND m.provider_id = p_provider) THEN
        RAISE EXCEPTION 'provider % is not a member of provider group %', p_provider, p_group
            USING ERRCODE = '42501';
    END IF;
    PERFORM set_config('gaptrack.provider_group_id', p_group::text, true);
    PERFORM set_config('gaptrack.provider_id', p_provider::text, true);
END
$$;
REVOKE ALL ON FUNCTION gaptrack_bind_group_member(bigint, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gaptrack_bind_group_member(bigint, bigint) TO gaptrack_governor;
