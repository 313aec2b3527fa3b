-- What an intervention targets, the assessments that open and close it, and its reviews
-- (docs/methodology.md §6.6). Impact is judged on the target a record names; a record that names
-- none is reported as not judged rather than judged on a subject picked for it.

CREATE TYPE support_target_kind AS ENUM ('subject', 'assessment', 'attendance');

-- The target and the planned entry and exit assessments are written as users name an assessment
-- point (subject, optionally the assessment's name, academic year and term: `maths:Year 8 summer
-- assessment@2024/25-summer`), not as a point's id: a year group's points share subject and term,
-- and a planned exit point is often imported after the record is. Subjects and names are matched
-- ignoring case and surrounding spaces, as impact_assessment_results matches them.
--
-- An assessment target is the exit point itself, so it is kept in the exit columns; entry and exit
-- points belong to the target's subject, so they have no subject of their own.
ALTER TABLE support_records
    ADD COLUMN target_kind support_target_kind,
    ADD COLUMN target_subject text CHECK (btrim(target_subject) <> '' AND length(target_subject) <= 100),
    ADD COLUMN entry_assessment text CHECK (btrim(entry_assessment) <> '' AND length(entry_assessment) <= 200),
    ADD COLUMN entry_academic_year text,
    ADD COLUMN entry_term term_name,
    ADD COLUMN exit_assessment text CHECK (btrim(exit_assessment) <> '' AND length(exit_assessment) <= 200),
    ADD COLUMN exit_academic_year text,
    ADD COLUMN exit_term term_name,
    ADD CONSTRAINT support_records_target_subject CHECK (
        CASE WHEN target_kind IN ('subject', 'assessment') THEN target_subject IS NOT NULL ELSE target_subject IS NULL END),
    ADD CONSTRAINT support_records_assessment_target CHECK (target_kind <> 'assessment' OR exit_term IS NOT NULL),
    ADD CONSTRAINT support_records_entry_point CHECK (
        (entry_term IS NULL) = (entry_academic_year IS NULL) AND (entry_assessment IS NULL OR entry_term IS NOT NULL)
        AND (entry_term IS NULL OR target_subject IS NOT NULL)),
    ADD CONSTRAINT support_records_exit_point CHECK (
        (exit_term IS NULL) = (exit_academic_year IS NULL) AND (exit_assessment IS NULL OR exit_term IS NOT NULL)
        AND (exit_term IS NULL OR target_subject IS NOT NULL)),
    ADD CONSTRAINT support_records_entry_term_fkey FOREIGN KEY (entry_academic_year, entry_term) REFERENCES terms,
    ADD CONSTRAINT support_records_exit_term_fkey FOREIGN KEY (exit_academic_year, exit_term) REFERENCES terms;

COMMENT ON COLUMN support_records.target_kind IS
    'What the support aims to change: a subject, one assessment (kept in the exit columns) or attendance; NULL = not named, and impact is then not judged (docs/methodology.md §6.6).';

-- Lets provider-owned tables refer to a record together with its provider (composite keys, so
-- that a row never points at another provider's record, whatever shard it lands on).
ALTER TABLE support_records ADD CONSTRAINT support_records_provider_support_key UNIQUE (provider_id, support_id);

-- Reviews of an intervention, as intervention registers keep them: when, by whom, how it is going,
-- and the entry and exit results where the reviewer recorded them. Pupil-level notes: staff only,
-- never in governors' or public output (docs/methodology.md §7.6).
CREATE TABLE support_reviews (
    provider_id   bigint NOT NULL,
    review_id     bigint GENERATED ALWAYS AS IDENTITY,
    support_id    bigint NOT NULL,
    reviewed_on   date NOT NULL,
    reviewer      text NOT NULL CHECK (btrim(reviewer) <> '' AND length(reviewer) <= 200),
    progress_note text NOT NULL CHECK (btrim(progress_note) <> '' AND length(progress_note) <= 4000),
    entry_result  text CHECK (btrim(entry_result) <> '' AND length(entry_result) <= 50),
    exit_result   text CHECK (btrim(exit_result) <> '' AND length(exit_result) <= 50),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, review_id),
    UNIQUE (provider_id, support_id, reviewed_on, reviewer),
    FOREIGN KEY (provider_id, support_id) REFERENCES support_records (provider_id, support_id) ON DELETE CASCADE
);

SELECT gaptrack_protect_provider_table('support_reviews');
SELECT gaptrack_track_data_changes('support_reviews');
-- A review shows what its record shows: the reviews of a restricted record (a care-experienced
-- programme, 003_least_privilege.sql) are hidden wherever the record is.
CREATE POLICY reviews_follow_their_record ON support_reviews AS RESTRICTIVE FOR ALL TO gaptrack_service, gaptrack_governor
    USING (EXISTS (SELECT FROM support_records r WHERE r.provider_id = support_reviews.provider_id AND r.support_id = support_reviews.support_id));
-- The staff drill-down reads reviews through gaptrack_report (sql/004_report_audience.sql).
GRANT SELECT ON support_reviews TO gaptrack_report;
CREATE POLICY report_reads_own_provider ON support_reviews FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());
