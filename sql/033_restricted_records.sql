-- gaptrack service, part 4: restricted records (care and safeguarding context).
--
-- Some facts about a child are shared on a need-to-know basis (DfE, "Keeping children safe in
-- education" and "Information sharing: advice for practitioners"): that a child is or was looked
-- after, is a care leaver, is estranged, is a refugee or asylum seeker, or is a young carer; and
-- support given because of such circumstances. Staff who record tutoring do not need them.
-- Restrictive policies (ANDed with provider_isolation) hide these rows from sessions whose role
-- may not see restricted records (gaptrack_may_see_restricted, migration 030): a staff token
-- can neither read nor write them, whatever the query. The CLI, run by the owner, sees all.

-- The marker kinds that are restricted. A table rather than a list inside the policy, so that a
-- provider's safeguarding lead can see (and a migration change) exactly what is covered.
CREATE TABLE restricted_marker_kinds (
    marker  marker_kind PRIMARY KEY,
    why     text NOT NULL
);
INSERT INTO restricted_marker_kinds VALUES
    ('looked_after', 'Care status of a child looked after by a local authority.'),
    ('previously_looked_after', 'Past care status (adoption, special guardianship, child arrangements order).'),
    ('care_leaver', 'Care experience.'),
    ('estranged', 'Estrangement from family.'),
    ('refugee_or_asylum_seeker', 'Immigration status.'),
    ('young_carer', 'Caring responsibilities at home.');
GRANT SELECT ON restricted_marker_kinds TO gaptrack_service, gaptrack_governor;

CREATE POLICY restricted_markers ON student_markers AS RESTRICTIVE FOR ALL TO gaptrack_service, gaptrack_governor
    USING (gaptrack_may_see_restricted()
           OR NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = student_markers.marker))
    WITH CHECK (gaptrack_may_see_restricted()
                OR NOT EXISTS (SELECT FROM restricted_marker_kinds k WHERE k.marker = student_markers.marker));

-- A support record is restricted when whoever records it says so (e.g. support arranged by the
-- designated safeguarding lead), and always when it is a care-experienced transition programme.
ALTER TABLE support_records ADD COLUMN restricted boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN support_records.restricted IS
    'Visible only to admin, data lead and (for aggregates) governor sessions of the service; see sql/033.';

CREATE FUNCTION support_records_restrict_care_programmes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.type = 'care_experienced_transition' THEN
        NEW.restricted := true;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER support_records_restrict_care_programmes BEFORE INSERT OR UPDATE OF type, restricted ON support_records
    FOR EACH ROW EXECUTE FUNCTION support_records_restrict_care_programmes();

CREATE POLICY restricted_support ON support_records AS RESTRICTIVE FOR ALL TO gaptrack_service, gaptrack_governor
    USING (gaptrack_may_see_restricted() OR NOT restricted)
    WITH CHECK (gaptrack_may_see_restricted() OR NOT restricted);
