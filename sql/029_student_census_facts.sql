-- Each pupil's disadvantage facts on each census day of the years they are enrolled, kept current
-- on every write (docs/scaling.md, "Derived data kept current"), so that a report reads its
-- cohort's facts instead of working them out from every marker and FSM spell (BENCHMARKS.md,
-- "Where the cold report's time goes").
--
-- Derived data, never a record anyone wrote: every row is what student_disadvantage_among
-- (sql/functions/student_disadvantage.sql, the one copy of the rules of docs/methodology.md §1)
-- gives for the pupil on that day, written only by the maintenance in
-- sql/functions/student_census_facts.sql, which also holds the triggers that keep it current and
-- rebuilds the whole table whenever the rules change. So the service roles may read it through
-- their provider's policy but write nothing, and it has no audit triggers: the writes that change
-- it (markers, enrolments) are audited themselves, and a second, derived copy of a pupil's markers
-- in the append-only audit log would only be more for an erasure to redact
-- (docs/data-protection.md).
CREATE TABLE student_census_facts (
    provider_id  bigint NOT NULL,
    census_date  date NOT NULL,
    student_id   bigint NOT NULL,
    facts        student_disadvantage_facts NOT NULL,
    -- A report reads one provider's census day, for its cohort's pupils.
    PRIMARY KEY (provider_id, census_date, student_id)
    -- No foreign key to students: checking it row by row doubled the cost of keeping the table
    -- (BENCHMARKS.md). A pupil has rows only while enrolled, and their enrolments go with them
    -- (erasure, retention, an undone import, the cascade from students), which the maintenance
    -- triggers see; StudentCensusFactsTests checks that no row is left behind.
);
-- The maintenance replaces a pupil's rows on every census day at once.
CREATE INDEX student_census_facts_student_idx ON student_census_facts (provider_id, student_id);

ALTER TABLE student_census_facts ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON student_census_facts TO gaptrack_service, gaptrack_governor, gaptrack_report;
CREATE POLICY provider_isolation ON student_census_facts FOR SELECT TO gaptrack_service, gaptrack_governor
    USING (provider_id = gaptrack_current_provider());
CREATE POLICY report_reads_own_provider ON student_census_facts FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());

-- Reports read it, so a cached report knows when it changed (sql/functions/report_snapshots.sql);
-- it changes only with the markers and enrolments it follows, which are tracked too.
SELECT gaptrack_track_data_changes('student_census_facts');
