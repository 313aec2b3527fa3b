-- The request scope the HTTP service binds for each request, which the row-level security policies
-- and the audit log read.

-- The request's scope, as bound by the service with set_config(..., true). NULL outside the
-- service, so that a policy compares with NULL and matches nothing.
CREATE OR REPLACE FUNCTION gaptrack_current_provider() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('gaptrack.provider_id', true), '')::bigint
$$;

CREATE OR REPLACE FUNCTION gaptrack_current_role() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('gaptrack.role', true), '')
$$;

-- Restricted records (care and safeguarding context) are visible to admins and data leads, and
-- to governor sessions because the gap report must count looked-after children; the service
-- gives governors aggregated, suppressed figures only. Staff never see them.
CREATE OR REPLACE FUNCTION gaptrack_may_see_restricted() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(gaptrack_current_role() IN ('admin', 'data_lead', 'governor'), false)
$$;
