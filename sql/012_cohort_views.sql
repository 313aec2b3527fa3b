-- Whole-school and filtered views (docs/methodology.md §7.2, §7.8): the form group an enrolment
-- is registered in, kept from the MIS export, and a provider's own groups of pupils, which a
-- report may be filtered to.

-- The registration (form, tutor) group is an attribute of one enrolment: pupils change form from
-- one year to the next, so it lives beside the year group, not on the student.
ALTER TABLE enrolments
    ADD COLUMN form_group text CHECK (btrim(form_group) <> '' AND length(form_group) <= 32);

COMMENT ON COLUMN enrolments.form_group IS
    'The registration (form or tutor) group of the enrolment, as the MIS exports it (docs/import-formats.md); a report filter (docs/methodology.md §7.8).';

-- Lets provider-owned tables refer to a student together with the provider that owns them, so a
-- row can never point at another provider's pupil, whatever shard it lands on.
ALTER TABLE students ADD CONSTRAINT students_provider_student_key UNIQUE (provider_id, student_id);

-- A provider's own groups (a literacy catch-up set, a mentoring group): code and name are the
-- provider's; membership is a list of pupils. Shared with nothing, so provider_id leads every key.
CREATE TABLE student_groups (
    provider_id bigint NOT NULL REFERENCES providers,
    code        text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    name        text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, code)
);

CREATE TABLE student_group_members (
    provider_id bigint NOT NULL,
    code        text NOT NULL,
    student_id  bigint NOT NULL,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, code, student_id),
    FOREIGN KEY (provider_id, code) REFERENCES student_groups (provider_id, code) ON DELETE CASCADE,
    FOREIGN KEY (provider_id, student_id) REFERENCES students (provider_id, student_id) ON DELETE CASCADE
);

CREATE INDEX student_group_members_student_idx ON student_group_members (provider_id, student_id);

SELECT gaptrack_protect_provider_table('student_groups');
SELECT gaptrack_protect_provider_table('student_group_members');
-- Reports filtered to a group read these: a change makes the next report compute afresh.
SELECT gaptrack_track_data_changes('student_groups');
SELECT gaptrack_track_data_changes('student_group_members');

-- Reports read through gaptrack_report (sql/004_report_audience.sql): the same policy as every
-- other provider table.
GRANT SELECT ON student_groups, student_group_members TO gaptrack_report;
CREATE POLICY report_reads_own_provider ON student_groups FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());
CREATE POLICY report_reads_own_provider ON student_group_members FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());
