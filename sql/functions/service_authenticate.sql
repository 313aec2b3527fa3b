-- API token look-up for the HTTP service.
-- after version: 15

-- Looks a presented token up by its hash. SECURITY DEFINER so that the service's login needs no
-- access to api_tokens at all; it learns only the token's own scope, and nothing for a revoked
-- or unknown token. The login (gaptrack_app, 003_least_privilege.sql) calls it before any SET
-- ROLE, so the grant is to the login itself. A token is scoped to one provider or to one provider
-- group (015_provider_groups.sql): exactly one of provider_id and provider_group_id is set.
CREATE OR REPLACE FUNCTION gaptrack_authenticate(presented_token text)
RETURNS TABLE (token_id bigint, provider_id bigint, provider_code text, role api_role, label text,
               provider_group_id bigint, provider_group_code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT t.token_id, t.provider_id, p.code, t.role, t.label, t.provider_group_id, g.code
    FROM api_tokens t
    LEFT JOIN providers p ON p.provider_id = t.provider_id
    LEFT JOIN provider_groups g ON g.provider_group_id = t.provider_group_id
    WHERE t.token_hash = encode(sha256(convert_to(presented_token, 'UTF8')), 'hex')
      AND t.revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION gaptrack_authenticate(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gaptrack_authenticate(text) TO gaptrack_app;
