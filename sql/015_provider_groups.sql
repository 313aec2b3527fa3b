-- Provider groups: a multi-academy trust or a local authority and the providers it groups
-- (docs/methodology.md §7.10), and API tokens scoped to a group instead of one provider
-- (docs/security.md, "Group tokens").
--
-- A group is a shared catalogue entry (no provider_id); its membership is provider-owned: each
-- row belongs to the member provider, with provider_id leading its primary key so that the table
-- can be distributed by provider like every other provider-owned table (docs/scaling.md).

CREATE TYPE provider_group_kind AS ENUM ('trust', 'local-authority');

CREATE TABLE provider_groups (
    provider_group_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code              text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name              text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    kind              provider_group_kind NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE provider_group_members (
    provider_id       bigint NOT NULL REFERENCES providers,
    provider_group_id bigint NOT NULL REFERENCES provider_groups,
    added_at          timestamptz NOT NULL DEFAULT now(),
    added_by          text NOT NULL DEFAULT session_user,
    PRIMARY KEY (provider_id, provider_group_id)
);
CREATE INDEX provider_group_members_group_idx ON provider_group_members (provider_group_id, provider_id);

-- A token is for one provider or for one group, never both: a group token reads its members'
-- reports and writes nothing (the service runs it as gaptrack_governor, which has no write grant).
ALTER TABLE api_tokens
    ADD COLUMN provider_group_id bigint REFERENCES provider_groups,
    ALTER COLUMN provider_id DROP NOT NULL,
    ADD CONSTRAINT api_tokens_one_scope CHECK (num_nonnulls(provider_id, provider_group_id) = 1);
CREATE INDEX api_tokens_provider_group_idx ON api_tokens (provider_group_id) WHERE provider_group_id IS NOT NULL;

-- Row-level security and audit like every provider-owned table; the service only reads the
-- membership (it is managed with `gaptrack provider-group`), so the writes the helper grants are
-- taken back, as for the import ledger.
SELECT gaptrack_protect_provider_table('provider_group_members');
REVOKE INSERT, UPDATE, DELETE ON provider_group_members FROM gaptrack_service;
GRANT SELECT ON provider_groups TO gaptrack_service, gaptrack_governor, gaptrack_report;
GRANT SELECT ON provider_group_members TO gaptrack_report;
CREATE POLICY report_reads_own_provider ON provider_group_members FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());
-- A session bound to a group (gaptrack_bind_group_member, sql/functions/provider_groups.sql) sees
-- the group's whole membership: which schools it compares.
CREATE POLICY group_sees_its_members ON provider_group_members FOR SELECT TO gaptrack_service, gaptrack_governor, gaptrack_report
    USING (provider_group_id = nullif(current_setting('gaptrack.provider_group_id', true), '')::bigint);

-- Cached reports rest on which schools a group holds as on any other table (sql/README.md).
SELECT gaptrack_track_data_changes('provider_groups');
SELECT gaptrack_track_data_changes('provider_group_members');
