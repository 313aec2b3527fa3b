-- A student belongs to one provider, so a row's student_id fixes its provider_id. Without telling
-- the planner, it multiplies the two conditions of every report query ("this provider's rows of
-- these students") as if they were independent: with 200 schools in one database it expected
-- 1 enrolment row where 200 were read, planned the attendance count as a nested loop over every
-- mark and school day, and a school's computed gap report took 0.5 s against 0.2 s alone
-- (BENCHMARKS.md, many schools). Functional-dependency statistics let ANALYZE measure the
-- dependency, so the estimate no longer shrinks as schools are added (docs/scaling.md).
-- attendance_marks needs none: its partitions are one school's each (031).
CREATE STATISTICS students_provider_dependency (dependencies) ON provider_id, student_id FROM students;
CREATE STATISTICS enrolments_provider_dependency (dependencies) ON provider_id, student_id FROM enrolments;
CREATE STATISTICS student_markers_provider_dependency (dependencies) ON provider_id, student_id FROM student_markers;
CREATE STATISTICS assessment_results_provider_dependency (dependencies) ON provider_id, student_id FROM assessment_results;
CREATE STATISTICS support_records_provider_dependency (dependencies) ON provider_id, student_id FROM support_records;
CREATE STATISTICS student_census_facts_provider_dependency (dependencies) ON provider_id, student_id FROM student_census_facts;
CREATE STATISTICS student_group_members_provider_dependency (dependencies) ON provider_id, student_id FROM student_group_members;
CREATE STATISTICS support_applications_provider_dependency (dependencies) ON provider_id, student_id FROM support_applications;
CREATE STATISTICS he_instances_provider_dependency (dependencies) ON provider_id, student_id FROM he_instances;
CREATE STATISTICS he_instance_years_provider_dependency (dependencies) ON provider_id, student_id FROM he_instance_years;
CREATE STATISTICS attendance_mark_history_provider_dependency (dependencies) ON provider_id, student_id FROM attendance_mark_history;
