-- Higher education: the student lifecycle the Office for Students measures (docs/methodology.md
-- §11), and the student-record extract as a kind of import (docs/import-formats.md, "Student
-- records (HESA / SITS)").
--
-- A university's year is not a school's: its teaching periods are its own (semesters, terms,
-- blocks); a student's study is an instance of a course that starts on a commencement date and
-- runs over several academic years, each with a mode and a year of programme; outcomes are
-- measured from the commencement date (continuation, completion) or recorded when the student
-- leaves (qualification, degree classification) and afterwards (progression). Every table is
-- owned by a provider and carries provider_id in its keys, so a provider's rows can be moved to a
-- shard of their own.

ALTER TYPE import_kind ADD VALUE IF NOT EXISTS 'student-records';

-- Full-time or part-time, from HESA's mode codes (docs/methodology.md §11.2). OfS measures use
-- a different window for each.
CREATE TYPE he_study_mode AS ENUM ('full_time', 'part_time');

-- What a leaving reason means for the OfS measures (docs/methodology.md §11.3): the HESA code is
-- kept as given, with the code list it came from, and this is derived from it on import.
CREATE TYPE he_leaving_outcome AS ENUM ('qualified', 'award_pending', 'transferred', 'left', 'died', 'unknown');

-- Degree classification of a first degree (HESA CLASS; docs/methodology.md §11.4).
CREATE TYPE he_classification AS ENUM ('first', 'upper_second', 'lower_second', 'third_or_pass', 'unclassified');

-- Graduate Outcomes activity as the OfS progression measure groups it (docs/methodology.md §11.5).
CREATE TYPE he_progression AS ENUM ('managerial_or_professional', 'further_study', 'other_positive', 'other');

-- The provider's own teaching periods of an academic year: semesters, terms or blocks.
CREATE TABLE he_teaching_periods (
    provider_id    bigint NOT NULL REFERENCES providers,
    academic_year  text NOT NULL CHECK (academic_year ~ '^[0-9]{4}/[0-9]{2}$'),
    period_code    text NOT NULL CHECK (btrim(period_code) <> '' AND char_length(period_code) <= 40),
    name           text NOT NULL CHECK (btrim(name) <> '' AND char_length(name) <= 200),
    starts_on      date NOT NULL,
    ends_on        date NOT NULL,
    import_id      bigint REFERENCES imports,
    PRIMARY KEY (provider_id, academic_year, period_code),
    CHECK (ends_on >= starts_on),
    CONSTRAINT he_teaching_periods_no_overlap
        EXCLUDE USING gist (provider_id WITH =, academic_year WITH =, daterange(starts_on, ends_on, '[]') WITH &&)
);

-- Courses (HESA Course): code, title, level, and the subject's Common Aggregation Hierarchy code.
CREATE TABLE he_courses (
    provider_id    bigint NOT NULL REFERENCES providers,
    course_code    text NOT NULL CHECK (btrim(course_code) <> '' AND char_length(course_code) <= 60),
    title          text CHECK (char_length(title) <= 300),
    -- OfS levels of study (docs/methodology.md §11.1).
    level          text NOT NULL DEFAULT 'first_degree'
                   CHECK (level IN ('first_degree', 'other_undergraduate', 'undergraduate_apprenticeship',
                                    'postgraduate_taught', 'postgraduate_research')),
    cah_code       text CHECK (cah_code ~ '^CAH[0-9]{2}(-[0-9]{2}){0,2}$'),
    import_id      bigint REFERENCES imports,
    PRIMARY KEY (provider_id, course_code)
);

-- Modules with their credits (UK credit framework: 120 credits a full-time year). Module marks
-- are assessment results (assessment_results) with the module code as their subject.
CREATE TABLE he_modules (
    provider_id    bigint NOT NULL REFERENCES providers,
    module_code    text NOT NULL CHECK (btrim(module_code) <> '' AND char_length(module_code) <= 60),
    title          text CHECK (char_length(title) <= 300),
    credits        integer NOT NULL CHECK (credits BETWEEN 1 AND 360),
    PRIMARY KEY (provider_id, module_code)
);

-- One instance of a student's study of a course (HESA Instance / Data Futures Engagement), with
-- what was known at entry and how it ended.
CREATE TABLE he_instances (
    provider_id          bigint NOT NULL,
    student_id           bigint NOT NULL,
    commenced_on         date NOT NULL CHECK (commenced_on BETWEEN '1990-01-01' AND '2100-12-31'),
    course_code          text NOT NULL,
    mode                 he_study_mode NOT NULL,
    -- Highest qualification on entry (HESA QUALENT3 code, as given) and UCAS tariff points.
    entry_qualification  text CHECK (char_length(entry_qualification) <= 10),
    tariff_points        integer CHECK (tariff_points BETWEEN 0 AND 999),
    -- Area and background measures at entry (docs/methodology.md §11.6): 1 = least advantaged fifth.
    imd_quintile         smallint CHECK (imd_quintile BETWEEN 1 AND 5),
    polar4_quintile      smallint CHECK (polar4_quintile BETWEEN 1 AND 5),
    tundra_quintile      smallint CHECK (tundra_quintile BETWEEN 1 AND 5),
    abcs_quintile        smallint CHECK (abcs_quintile BETWEEN 1 AND 5),
    -- Had free school meals at school (a fact about the student's schooling, never an FSM spell).
    fsm_at_school        boolean,
    care_leaver          boolean,
    estranged            boolean,
    first_in_family      boolean,
    disabled             boolean,
    left_on              date,
    -- The HESA code as given, and which list it is from (legacy RSNEND or Data Futures RSNENGEND).
    leaving_reason_code  text CHECK (leaving_reason_code ~ '^[0-9]{2}$'),
    leaving_code_list    text CHECK (leaving_code_list IN ('RSNEND', 'RSNENGEND')),
    leaving_outcome      he_leaving_outcome,
    classification       he_classification,
    progression          he_progression,
    import_id            bigint REFERENCES imports,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, student_id, commenced_on),
    FOREIGN KEY (student_id, provider_id) REFERENCES students (student_id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (provider_id, course_code) REFERENCES he_courses (provider_id, course_code),
    CHECK (left_on IS NULL OR left_on >= commenced_on),
    CHECK ((left_on IS NULL) = (leaving_outcome IS NULL)),
    CHECK ((leaving_reason_code IS NULL) = (leaving_code_list IS NULL))
);

-- Each academic year of an instance (HESA Instance year / Data Futures StudentCourseSession):
-- the mode and year of programme in that year.
CREATE TABLE he_instance_years (
    provider_id        bigint NOT NULL,
    student_id         bigint NOT NULL,
    commenced_on       date NOT NULL,
    academic_year      text NOT NULL CHECK (academic_year ~ '^[0-9]{4}/[0-9]{2}$'),
    mode               he_study_mode NOT NULL,
    mode_code          text CHECK (char_length(mode_code) <= 10),
    year_of_programme  smallint NOT NULL CHECK (year_of_programme BETWEEN 1 AND 15),
    import_id          bigint REFERENCES imports,
    PRIMARY KEY (provider_id, student_id, commenced_on, academic_year),
    FOREIGN KEY (provider_id, student_id, commenced_on) REFERENCES he_instances (provider_id, student_id, commenced_on) ON DELETE CASCADE
);

SELECT gaptrack_protect_provider_table(t::regclass)
FROM unnest(ARRAY['he_teaching_periods', 'he_courses', 'he_modules', 'he_instances', 'he_instance_years']) AS t;
SELECT gaptrack_track_data_changes(t::regclass)
FROM unnest(ARRAY['he_teaching_periods', 'he_courses', 'he_modules', 'he_instances', 'he_instance_years']) AS t;

-- Reports read through gaptrack_report (sql/004_report_audience.sql), as for every provider table.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['he_teaching_periods', 'he_courses', 'he_modules', 'he_instances', 'he_instance_years'] LOOP
        EXECUTE format('GRANT SELECT ON %I TO gaptrack_report', t);
        EXECUTE format('CREATE POLICY report_reads_own_provider ON %I FOR SELECT TO gaptrack_report '
                       'USING (provider_id = gaptrack_current_provider())', t);
    END LOOP;
END
$$;
