-- The on-roll date of a pupil (docs/import-formats.md, "students.csv"): the day they joined the
-- school, as the MIS's admission date records it. It is often years before the enrolment of the
-- year being imported, which starts no earlier than that year's 1 August, so it is kept on the
-- student, not on an enrolment.
ALTER TABLE students ADD COLUMN admission_date date
    CHECK (admission_date BETWEEN '1900-01-01' AND '2100-01-01');

-- Database backstops for the text limits (docs/import-formats.md, "Text limits"): the importers
-- and the service refuse a value longer than its `TextLimit`, counted in Unicode scalars (which
-- char_length counts in a UTF-8 database), and one holding a control character (U+0001-U+001F,
-- U+007F-U+009F; tab and line breaks only in an intended outcome). These CHECKs refuse the same
-- values from raw SQL or a future code path. Each is added NOT VALID, so adding it does not hold
-- a lock while every row is read, then validated, which reads the rows once and fails the
-- migration if a stored value breaks it.
ALTER TABLE students
    ADD CONSTRAINT students_legal_surname_length CHECK (char_length(legal_surname) <= 200) NOT VALID,
    ADD CONSTRAINT students_forename_length CHECK (char_length(forename) <= 200) NOT VALID,
    ADD CONSTRAINT students_ethnicity_length CHECK (char_length(ethnicity) <= 200) NOT VALID,
    ADD CONSTRAINT students_institution_id_length CHECK (char_length(institution_id) <= 50
        AND institution_id !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID;
ALTER TABLE enrolments
    ADD CONSTRAINT enrolments_course_length CHECK (char_length(course) <= 200) NOT VALID;
ALTER TABLE student_markers
    ADD CONSTRAINT student_markers_overlap_key_length CHECK (char_length(overlap_key) <= 200) NOT VALID;
ALTER TABLE assessment_points
    ADD CONSTRAINT assessment_points_subject_length CHECK (char_length(subject) <= 100
        AND subject !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID,
    ADD CONSTRAINT assessment_points_name_length CHECK (char_length(name) <= 200
        AND name !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID;
ALTER TABLE assessment_results
    ADD CONSTRAINT assessment_results_result_text_length CHECK (char_length(result_text) <= 20
        AND result_text !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID;
ALTER TABLE support_records
    ADD CONSTRAINT support_records_reference_length CHECK (char_length(reference) <= 200
        AND reference !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID,
    ADD CONSTRAINT support_records_staff_length CHECK (char_length(staff) <= 200
        AND staff !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID,
    ADD CONSTRAINT support_records_intended_outcome_length CHECK (char_length(intended_outcome) <= 2000
        AND intended_outcome !~ '[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]') NOT VALID,
    ADD CONSTRAINT support_records_type_length CHECK (char_length(type) <= 200) NOT VALID,
    ADD CONSTRAINT support_records_funding_source_length CHECK (char_length(funding_source) <= 200) NOT VALID;
ALTER TABLE school_calendar
    ADD CONSTRAINT school_calendar_description_printable CHECK (description !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID;

ALTER TABLE students VALIDATE CONSTRAINT students_legal_surname_length;
ALTER TABLE students VALIDATE CONSTRAINT students_forename_length;
ALTER TABLE students VALIDATE CONSTRAINT students_ethnicity_length;
ALTER TABLE students VALIDATE CONSTRAINT students_institution_id_length;
ALTER TABLE enrolments VALIDATE CONSTRAINT enrolments_course_length;
ALTER TABLE student_markers VALIDATE CONSTRAINT student_markers_overlap_key_length;
ALTER TABLE assessment_points VALIDATE CONSTRAINT assessment_points_subject_length;
ALTER TABLE assessment_points VALIDATE CONSTRAINT assessment_points_name_length;
ALTER TABLE assessment_results VALIDATE CONSTRAINT assessment_results_result_text_length;
ALTER TABLE support_records VALIDATE CONSTRAINT support_records_reference_length;
ALTER TABLE support_records VALIDATE CONSTRAINT support_records_staff_length;
ALTER TABLE support_records VALIDATE CONSTRAINT support_records_intended_outcome_length;
ALTER TABLE support_records VALIDATE CONSTRAINT support_records_type_length;
ALTER TABLE support_records VALIDATE CONSTRAINT support_records_funding_source_length;
ALTER TABLE school_calendar VALIDATE CONSTRAINT school_calendar_description_printable;
