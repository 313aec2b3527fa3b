-- Read paths that lead with the provider, so that a school's report and imports read its own rows
-- however many schools the database holds (docs/scaling.md, "Cost per school"; the measurements
-- in BENCHMARKS.md, "Many schools"). The functions' side (the disadvantage facts and the cohort
-- listed through the provider's students) is in sql/functions/student_disadvantage.sql and
-- report_load_cohort.sql.

-- A report's support, funding, spend and impact sections ask for one provider's records overlapping
-- a term or a year (report_support.sql, impact_intervention_records.sql, pupil_premium.sql); the
-- table's other indexes lead with the student or hold only records with a reference, so without
-- this one every school's records are read.
CREATE INDEX support_records_provider_idx ON support_records (provider_id, starts_on);

-- A cohort is listed by lower(year_group) (report_load_cohort.sql), for which PostgreSQL keeps no
-- statistics of its own: it guessed half a percent of the year's enrolments, took every school's
-- year group for a handful of rows, and read them all instead of the provider's students. With
-- these statistics (filled by ANALYZE) it knows a year group's size and starts from the provider.
CREATE STATISTICS enrolments_year_group_lower ON (lower(year_group)) FROM enrolments;
