-- The schema of a fresh gaptrack database: types, tables, constraints, indexes, reference data,
-- the service roles and their grants. Functions live in sql/functions/ (applied after this file
-- and again whenever they change); the triggers, policies and constraints that call them are in
-- 002_baseline_protection.sql. Changes to anything here go in a new numbered file.
-- Providers, academic years and terms, students.
-- gaptrack migrate applies it in one transaction (Sources/GapTrackStore/Migrations/MigrationRunner.swift).
CREATE TYPE provider_kind AS ENUM ('school', 'college', 'university');

-- A school, college or university. `code` is the short handle people type (`--provider demo-academy`).
CREATE TABLE providers (
    provider_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code         text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name         text NOT NULL CHECK (btrim(name) <> ''),
    kind         provider_kind NOT NULL,
    -- DfE Unique Reference Number (schools, colleges): six digits.
    urn          text UNIQUE CHECK (urn ~ '^[0-9]{6}$'),
    -- UK Register of Learning Providers number: eight digits starting with 1.
    ukprn        text UNIQUE CHECK (ukprn ~ '^1[0-9]{7}$'),
    -- DfE local authority number (three digits), for schools.
    la_code      text CHECK (la_code ~ '^[0-9]{3}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (urn IS NOT NULL OR ukprn IS NOT NULL)
);

-- English academic years run from 1 August to 31 July and are written '2024/25'.
CREATE TABLE academic_years (
    academic_year text PRIMARY KEY
        CHECK (academic_year ~ '^[0-9]{4}/[0-9]{2}$'
               AND right(academic_year, 2)::int = (left(academic_year, 4)::int + 1) % 100),
    starts_on     date NOT NULL,
    ends_on       date NOT NULL,
    CHECK (starts_on = make_date(left(academic_year, 4)::int, 8, 1)),
    CHECK (ends_on = make_date(left(academic_year, 4)::int + 1, 7, 31))
);

CREATE TYPE term_name AS ENUM ('autumn', 'spring', 'summer');

-- Reporting terms. Schools set their own term dates; for reporting, gaptrack uses fixed
-- windows that cover the whole year with no gaps (holidays belong to the term before them):
-- autumn 1 Aug - 31 Dec, spring 1 Jan - 31 Mar, summer 1 Apr - 31 Jul. The school census
-- dates (October, January, May) fall one in each. Mirrored by GapTrackDomain.Term.
CREATE TABLE terms (
    academic_year text NOT NULL REFERENCES academic_years,
    term          term_name NOT NULL,
    starts_on     date NOT NULL,
    ends_on       date NOT NULL CHECK (ends_on >= starts_on),
    PRIMARY KEY (academic_year, term),
    EXCLUDE USING gist (daterange(starts_on, ends_on, '[]') WITH &&)
);

INSERT INTO academic_years (academic_year, starts_on, ends_on)
SELECT format('%s/%s', y, lpad(((y + 1) % 100)::text, 2, '0')), make_date(y, 8, 1), make_date(y + 1, 7, 31)
FROM generate_series(2010, 2040) AS y;

INSERT INTO terms (academic_year, term, starts_on, ends_on)
SELECT a.academic_year, t.term, t.starts_on, t.ends_on
FROM academic_years a
CROSS JOIN LATERAL (VALUES
    ('autumn'::term_name, a.starts_on, make_date(extract(year FROM a.starts_on)::int, 12, 31)),
    ('spring'::term_name, make_date(extract(year FROM a.ends_on)::int, 1, 1), make_date(extract(year FROM a.ends_on)::int, 3, 31)),
    ('summer'::term_name, make_date(extract(year FROM a.ends_on)::int, 4, 1), a.ends_on)
) AS t (term, starts_on, ends_on);

-- A learner at one provider. A person who moves provider is a new row at the new provider:
-- providers never see each other's records.
CREATE TABLE students (
    student_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id     bigint NOT NULL REFERENCES providers,
    upn             text,
    uln             text,
    -- HESA student identifier (HUSID) or the institution's own student number: stored as given.
    hesa_id         text CHECK (hesa_id ~ '^[0-9]{13}$'),
    institution_id  text CHECK (btrim(institution_id) <> ''),
    legal_surname   text NOT NULL CHECK (btrim(legal_surname) <> ''),
    forename        text NOT NULL CHECK (btrim(forename) <> ''),
    date_of_birth   date NOT NULL CHECK (date_of_birth BETWEEN '1900-01-01' AND '2100-01-01'),
    -- As the school census records it: F, M; X and U where the MIS holds them.
    gender          text CHECK (gender IN ('F', 'M', 'X', 'U')),
    -- DfE ethnicity code as exported (e.g. WBRI, ABAN); not validated against a list here.
    ethnicity       text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (provider_id, upn),
    UNIQUE (provider_id, uln),
    UNIQUE (provider_id, hesa_id),
    UNIQUE (provider_id, institution_id),
    CHECK (num_nonnulls(upn, uln, hesa_id, institution_id) >= 1)
);

CREATE INDEX students_provider_idx ON students (provider_id);


-- ---------------------------------------------------------------------------------------------
-- The import ledger.
--
-- Every CSV import that commits leaves one row here, written in the same transaction as the data
-- it loaded, so a report can name its data cut ("made from imports 3, 7 and 9") and be made
-- again from the same files. A failed import leaves nothing, not even a ledger row.

-- The ranges of date-valued facts below (marker spells) are checked with exclusion constraints
-- that compare a bigint and an enum with `=` inside a GiST index, which needs btree_gist
-- (PostgreSQL contrib, shipped with Debian's postgresql package).
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The five kinds of import file (docs/import-formats.md).
CREATE TYPE import_kind AS ENUM ('students', 'markers', 'attendance', 'assessments', 'support');

CREATE TABLE imports (
    import_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id     bigint NOT NULL REFERENCES providers,
    kind            import_kind NOT NULL,
    -- The file's name as given (without its folder), for people reading the ledger.
    file_name       text NOT NULL CHECK (btrim(file_name) <> ''),
    -- SHA-256 of the file's bytes, lower-case hex: the same file imported twice has the same checksum.
    file_sha256     text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    file_bytes      bigint NOT NULL CHECK (file_bytes >= 0),
    -- Data rows read (the header is not counted), and what became of each: every row read is
    -- exactly one of inserted, updated, unchanged or rejected.
    rows_read       integer NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_inserted   integer NOT NULL DEFAULT 0 CHECK (rows_inserted >= 0),
    rows_updated    integer NOT NULL DEFAULT 0 CHECK (rows_updated >= 0),
    rows_unchanged  integer NOT NULL DEFAULT 0 CHECK (rows_unchanged >= 0),
    rows_rejected   integer NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    -- Whether --skip-invalid was given (rejected rows can only be non-zero when it was).
    skip_invalid    boolean NOT NULL,
    -- Who ran it: the operating-system account, and the database role.
    os_user         text NOT NULL,
    database_user   text NOT NULL DEFAULT current_user,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    CHECK (rows_inserted + rows_updated + rows_unchanged + rows_rejected = rows_read),
    CHECK (skip_invalid OR rows_rejected = 0),
    CHECK (finished_at >= started_at)
);

CREATE INDEX imports_provider_kind_idx ON imports (provider_id, kind, file_sha256);


-- ---------------------------------------------------------------------------------------------
-- Enrolments, and where each student row came from.
--
-- A student is a person at one provider; an enrolment is that student's place in one
-- academic year: a year group at a school, a course at a college or university. Cohorts for
-- reports are enrolments: "year 11 in 2024/25", "the 2023/24 intake of course BSC-PSY".
ALTER TABLE students ADD COLUMN import_id bigint REFERENCES imports;

COMMENT ON COLUMN students.import_id IS 'The import that last inserted or changed this student.';

-- Why an enrolment ended.
CREATE TYPE leave_reason AS ENUM ('completed', 'withdrawn', 'transferred', 'other');

CREATE TABLE enrolments (
    enrolment_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id     bigint NOT NULL REFERENCES students ON DELETE CASCADE,
    academic_year  text NOT NULL REFERENCES academic_years,
    -- Schools: the national curriculum year group, N1 and N2 (nursery), R (reception), 1 to 14.
    year_group     text CHECK (year_group ~ '^(N1|N2|R|[1-9]|1[0-4])$'),
    -- Colleges and universities: the course or programme code as the provider writes it.
    course         text CHECK (btrim(course) <> ''),
    start_date     date NOT NULL,
    -- Last day on roll; NULL while the student is still enrolled.
    leave_date     date,
    leave_reason   leave_reason,
    -- Colleges and universities: the academic year the student first started this course (the
    -- intake cohort), for continuation. NULL means "the earliest enrolment we hold".
    intake_year    text REFERENCES academic_years,
    import_id      bigint REFERENCES imports,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (student_id, academic_year),
    CHECK (year_group IS NOT NULL OR course IS NOT NULL),
    -- Both dates fall inside the academic year (1 August to 31 July) the enrolment is for.
    CHECK (start_date BETWEEN make_date(left(academic_year, 4)::int, 8, 1)
                          AND make_date(left(academic_year, 4)::int + 1, 7, 31)),
    CHECK (leave_date IS NULL OR leave_date BETWEEN start_date
                                              AND make_date(left(academic_year, 4)::int + 1, 7, 31)),
    CHECK (leave_reason IS NULL OR leave_date IS NOT NULL),
    CHECK (intake_year IS NULL OR intake_year <= academic_year)
);

CREATE INDEX enrolments_year_idx ON enrolments (academic_year, year_group);


-- ---------------------------------------------------------------------------------------------
-- Dated disadvantage markers.
--
-- A marker is a dated fact about a student, never a tick box (docs/methodology.md §1): a
-- spell from starts_on to ends_on (both included; ends_on NULL = still applies). Spells of the
-- same marker for the same student never overlap; the exclusion constraint makes that
-- impossible whatever writes to the table.

-- Stable database values; mirrored in Swift by GapTrackDomain.DisadvantageMarkerKind.
CREATE TYPE marker_kind AS ENUM (
    -- Schools (DfE): free school meals, pupil premium, children looked after and previously
    -- looked after, English as an additional language, refugee or asylum seeker, special
    -- educational needs, young carer, service child.
    'fsm', 'fsm_ever_6', 'pupil_premium', 'looked_after', 'previously_looked_after', 'eal',
    'refugee_or_asylum_seeker', 'sen', 'young_carer', 'service_child',
    -- Higher education (OfS access and participation).
    'imd_quintile', 'polar4_quintile', 'first_in_family', 'care_leaver', 'estranged',
    -- Social Mobility Commission key question (any phase, usually staff or HE students).
    'smc_parental_occupation'
);

-- The code table for markers: what each means and which value it carries.
CREATE TABLE marker_kinds (
    marker               marker_kind PRIMARY KEY,
    meaning              text NOT NULL,
    -- What `value` holds for this marker; 'none' means value is always NULL.
    value_rule           text NOT NULL,
    -- Whether the marker feeds the DfE "disadvantaged" measure (FSM Ever 6, LAC, PLAC).
    feeds_dfe_disadvantaged boolean NOT NULL
);

INSERT INTO marker_kinds VALUES
    ('fsm', 'Eligible for free school meals (a spell of eligibility as recorded by the school or LA).', 'none', true),
    ('fsm_ever_6', 'The MIS reported the pupil as FSM Ever 6 (from an MIS snapshot; held for the rest of that academic year). Used when the FSM spells themselves are not held.', 'none', true),
    ('pupil_premium', 'Pupil premium: eligible as recorded by the school, or funded in the DfE allocation. The two are different facts and are kept separately.', 'eligible or funded', false),
    ('looked_after', 'A child looked after by a local authority (LAC / CLA).', 'none', true),
    ('previously_looked_after', 'Previously looked after: left care through adoption, a special guardianship order or a child arrangements order (PLAC).', 'none', true),
    ('eal', 'English as an additional language, with the proficiency band A (new to English) to E (fluent) when known.', 'A-E or NULL', false),
    ('refugee_or_asylum_seeker', 'Refugee or asylum seeker.', 'none', false),
    ('sen', 'Special educational needs: E = education, health and care plan, K = SEN support (school census SEN provision; N = no SEN is the absence of a spell).', 'E or K', false),
    ('young_carer', 'Young carer.', 'none', false),
    ('service_child', 'Child of a service family (service pupil premium); not "disadvantaged" in DfE attainment statistics.', 'none', false),
    ('imd_quintile', 'Index of Multiple Deprivation quintile of the home area, 1 = most deprived fifth.', '1-5', false),
    ('polar4_quintile', 'POLAR4 quintile of young participation in HE for the home area, 1 = lowest participation.', '1-5', false),
    ('first_in_family', 'First in the family to go to university.', 'none', false),
    ('care_leaver', 'Care leaver or care-experienced student.', 'none', false),
    ('estranged', 'Estranged from both parents.', 'none', false),
    ('smc_parental_occupation', 'Answer to the Social Mobility Commission key question: occupation of the main household earner when the respondent was about 14.', 'an answer in smc_parental_occupations', false);

-- The Social Mobility Commission's socio-economic background groups.
CREATE TYPE smc_group AS ENUM ('professional', 'intermediate', 'lower_socio_economic');

-- Answers to the SMC key question and their group (Social Mobility Commission employer toolkit,
-- "Socio-economic diversity and inclusion", question on parental occupation at about 14;
-- mirrored by GapTrackDomain.SMCParentalOccupation). 'other' (retired, does not apply, don't
-- know) and 'prefer_not_to_say' belong to no group: reports exclude them from the group
-- percentages and show them separately, because the declaration rate is itself reported.
CREATE TABLE smc_parental_occupations (
    answer     text PRIMARY KEY,
    meaning    text NOT NULL,
    smc_group  smc_group,
    -- true for answers that place the respondent in a group (so count as declared).
    declared   boolean GENERATED ALWAYS AS (smc_group IS NOT NULL) STORED
);

INSERT INTO smc_parental_occupations (answer, meaning, smc_group) VALUES
    ('modern_professional', 'Modern professional occupations', 'professional'),
    ('traditional_professional', 'Traditional professional occupations', 'professional'),
    ('senior_manager_or_administrator', 'Senior managers or administrators', 'professional'),
    ('middle_or_junior_manager', 'Middle or junior managers', 'professional'),
    ('clerical_and_intermediate', 'Clerical and intermediate occupations', 'intermediate'),
    ('small_business_owner', 'Small business owners with fewer than 20 staff', 'intermediate'),
    ('technical_and_craft', 'Technical and craft occupations', 'lower_socio_economic'),
    ('semi_routine_manual_and_service', 'Semi-routine manual and service occupations', 'lower_socio_economic'),
    ('routine_manual_and_service', 'Routine manual and service occupations', 'lower_socio_economic'),
    ('long_term_unemployed', 'Long-term unemployed', 'lower_socio_economic'),
    ('other', 'Other: retired, does not apply, or don''t know', NULL),
    ('prefer_not_to_say', 'Prefer not to say', NULL);

-- Where a spell came from: a dated spell in markers.csv, or an MIS snapshot column in
-- students.csv ("FSM Eligible = Y as at the start date").
CREATE TYPE marker_source AS ENUM ('spell', 'snapshot');

CREATE TABLE student_markers (
    marker_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id   bigint NOT NULL REFERENCES students ON DELETE CASCADE,
    marker       marker_kind NOT NULL REFERENCES marker_kinds,
    value        text,
    -- First and last day the marker applies, both included; ends_on NULL = still applies.
    starts_on    date NOT NULL,
    ends_on      date,
    spell        daterange NOT NULL GENERATED ALWAYS AS (daterange(starts_on, ends_on, '[]')) STORED,
    -- Pupil premium 'eligible' and 'funded' are separate facts whose spells may overlap each
    -- other; every other marker has one spell at a time whatever its value.
    overlap_key  text NOT NULL GENERATED ALWAYS AS (CASE WHEN marker = 'pupil_premium' THEN value ELSE '' END) STORED,
    source       marker_source NOT NULL,
    import_id    bigint REFERENCES imports,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK (starts_on BETWEEN '1990-01-01' AND '2100-12-31'),
    CHECK (CASE marker
        WHEN 'pupil_premium' THEN value IS NOT NULL AND value IN ('eligible', 'funded')
        WHEN 'eal' THEN value IS NULL OR value IN ('A', 'B', 'C', 'D', 'E')
        WHEN 'sen' THEN value IS NOT NULL AND value IN ('E', 'K')
        WHEN 'imd_quintile' THEN value IS NOT NULL AND value IN ('1', '2', '3', '4', '5')
        WHEN 'polar4_quintile' THEN value IS NOT NULL AND value IN ('1', '2', '3', '4', '5')
        WHEN 'smc_parental_occupation' THEN value IS NOT NULL AND value IN (
            'modern_professional', 'traditional_professional', 'senior_manager_or_administrator',
            'middle_or_junior_manager', 'clerical_and_intermediate', 'small_business_owner',
            'technical_and_craft', 'semi_routine_manual_and_service', 'routine_manual_and_service',
            'long_term_unemployed', 'other', 'prefer_not_to_say')
        ELSE value IS NULL
    END),
    -- The natural key imports upsert on: a spell is identified by where it starts.
    CONSTRAINT student_markers_natural_key UNIQUE (student_id, marker, overlap_key, starts_on),
    -- Spells of the same marker for the same student never overlap. Deferrable so that an import
    -- may shorten one spell and lengthen its neighbour in one statement; imports check overlaps
    -- themselves first and set the constraint back to immediate before they finish.
    CONSTRAINT student_markers_no_overlap
        EXCLUDE USING gist (student_id WITH =, marker WITH =, overlap_key WITH =, spell WITH &&)
        DEFERRABLE INITIALLY IMMEDIATE
);

COMMENT ON TABLE student_markers IS
    'Dated disadvantage markers: one row per spell. Read them through student_disadvantage() and friends (sql/functions/student_disadvantage.sql), never by hand, so every report uses the same definitions.';


-- ---------------------------------------------------------------------------------------------
-- Derived disadvantage facts. Every report reads disadvantage through
-- these functions, so "disadvantaged on 3 October 2024" means the same thing everywhere.

-- School census days in England: autumn on the first Thursday of October, spring on the third
-- Thursday of January, summer on the third Thursday of May (mirrored, with the published dates it
-- was checked against, by GapTrackDomain.SchoolCensus). A table rather than a formula so that a
-- year in which the DfE moves a census day can be corrected by a later numbered file.
CREATE TABLE census_days (
    academic_year  text NOT NULL REFERENCES academic_years,
    collection     term_name NOT NULL,
    census_date    date NOT NULL UNIQUE,
    PRIMARY KEY (academic_year, collection),
    CHECK (extract(isodow FROM census_date) = 4)
);

INSERT INTO census_days (academic_year, collection, census_date)
SELECT a.academic_year, c.collection,
       c.first_of_month + ((4 - extract(isodow FROM c.first_of_month)::int + 7) % 7) + 7 * (c.occurrence - 1)
FROM academic_years a
CROSS JOIN LATERAL (VALUES
    ('autumn'::term_name, make_date(extract(year FROM a.starts_on)::int, 10, 1), 1),
    ('spring'::term_name, make_date(extract(year FROM a.ends_on)::int, 1, 1), 3),
    ('summer'::term_name, make_date(extract(year FROM a.ends_on)::int, 5, 1), 3)
) AS c (collection, first_of_month, occurrence);

-- Every derived marker fact for every student, on one date. The single definition behind all
-- the functions below; set-based, so a report over 600,000 students is one query.
--
-- Definitions (docs/methodology.md §1):
-- * fsm_now: an FSM spell covers the date.
-- * fsm_ever6 (DfE, "Eligible for free school meals in the past 6 years"): an FSM spell covers a
--   school census day C with date - 6 years < C <= date (GapTrackDomain.FSMEver6 is the
--   reference the tests compare against); or an MIS snapshot reported FSM Ever 6 for the date
--   (marker fsm_ever_6), for schools that do not hold the spells themselves.
-- * disadvantaged (DfE performance measures): fsm_ever6 or looked after or previously looked after.
-- * pupil_premium_eligible: the same three grounds (the derived fact); pupil_premium_recorded and
--   pupil_premium_funded are what the school recorded and what the DfE allocation funded.
--   Service children attract the service premium but are not disadvantaged.
-- * Every other column is the marker (and its value) whose spell covers the date.
-- One student's derived facts on one date: the row type of the functions below.
CREATE TYPE student_disadvantage_facts AS (
    student_id bigint, provider_id bigint,
    fsm_now boolean, fsm_ever6 boolean, looked_after boolean, previously_looked_after boolean,
    disadvantaged boolean,
    pupil_premium_eligible boolean, pupil_premium_recorded boolean, pupil_premium_funded boolean,
    service_child boolean, eal boolean, eal_band text, sen text,
    refugee_or_asylum_seeker boolean, young_carer boolean,
    imd_quintile integer, polar4_quintile integer,
    first_in_family boolean, care_leaver boolean, estranged boolean,
    smc_answer text, smc_group text
);


-- ---------------------------------------------------------------------------------------------
-- Attendance, one row per student per session.
--
-- Register codes (England, from August 2024): the School Attendance (Pupil Registration)
-- (England) Regulations 2024 and the DfE guidance "Working together to improve school attendance"
-- (August 2024); mirrored, with sources and the withdrawn codes, by GapTrackDomain.AttendanceCode.
CREATE TYPE session_half AS ENUM ('AM', 'PM');

-- The codes themselves. An enum rather than a foreign key to the code table: a foreign key
-- check runs once per inserted row, which made loading a million marks several times slower;
-- an enum value is checked as it is read. attendance_codes below has a row for every value.
CREATE TYPE attendance_code AS ENUM (
    '/', '\', 'L',                                              -- present
    'K', 'V', 'P', 'W', 'B',                                    -- approved educational activity
    'C', 'C1', 'C2', 'E', 'I', 'J1', 'M', 'R', 'S', 'T',       -- authorised absence
    'G', 'N', 'O', 'U',                                         -- unauthorised absence
    'D', 'X', 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'Z', '#', -- not a possible session
    'H', 'J', 'Y', 'F'                                          -- withdrawn (history only)
);

CREATE TYPE attendance_category AS ENUM (
    'present', 'approved_educational_activity', 'authorised_absence', 'unauthorised_absence', 'not_possible'
);

-- The code table: which category each code is in, what it means, and when it was withdrawn.
-- Reports count sessions by joining marks to this table, never by listing codes themselves.
CREATE TABLE attendance_codes (
    code                  attendance_code PRIMARY KEY,
    category              attendance_category NOT NULL,
    meaning               text NOT NULL,
    -- The first day on which a withdrawn code may no longer be recorded; NULL = in use.
    withdrawn_from        date,
    -- Counts towards possible sessions (the denominator of the absence rate).
    counts_as_possible    boolean GENERATED ALWAYS AS (category <> 'not_possible') STORED,
    -- Present, or at an approved educational activity away from school.
    counts_as_attendance  boolean GENERATED ALWAYS AS (category IN ('present', 'approved_educational_activity')) STORED,
    counts_as_absence     boolean GENERATED ALWAYS AS (category IN ('authorised_absence', 'unauthorised_absence')) STORED,
    counts_as_unauthorised boolean GENERATED ALWAYS AS (category = 'unauthorised_absence') STORED
);

INSERT INTO attendance_codes (code, category, meaning, withdrawn_from) VALUES
    ('/', 'present', 'Present (morning)', NULL),
    ('\', 'present', 'Present (afternoon)', NULL),
    ('L', 'present', 'Late, arrived before the register closed', NULL),
    ('K', 'approved_educational_activity', 'Attending education provision arranged by the local authority', NULL),
    ('V', 'approved_educational_activity', 'Attending an educational visit or trip', NULL),
    ('P', 'approved_educational_activity', 'Participating in a supervised sporting activity', NULL),
    ('W', 'approved_educational_activity', 'Attending work experience', NULL),
    ('B', 'approved_educational_activity', 'Attending any other approved educational activity', NULL),
    ('C', 'authorised_absence', 'Leave of absence for exceptional circumstances', NULL),
    ('C1', 'authorised_absence', 'Leave of absence for a regulated performance or employment abroad', NULL),
    ('C2', 'authorised_absence', 'Leave of absence for a part-time timetable', NULL),
    ('E', 'authorised_absence', 'Suspended or permanently excluded, no alternative provision', NULL),
    ('I', 'authorised_absence', 'Illness (not medical or dental appointment)', NULL),
    ('J1', 'authorised_absence', 'Leave of absence for an interview', NULL),
    ('M', 'authorised_absence', 'Leave of absence for a medical or dental appointment', NULL),
    ('R', 'authorised_absence', 'Religious observance', NULL),
    ('S', 'authorised_absence', 'Leave of absence for study leave', NULL),
    ('T', 'authorised_absence', 'Parent travelling for occupational purposes', NULL),
    ('G', 'unauthorised_absence', 'Holiday not granted by the school', NULL),
    ('N', 'unauthorised_absence', 'Reason for absence not yet established', NULL),
    ('O', 'unauthorised_absence', 'Absent in other or unknown circumstances', NULL),
    ('U', 'unauthorised_absence', 'Arrived in school after the register closed', NULL),
    ('D', 'not_possible', 'Dual registered, attending the other school', NULL),
    ('X', 'not_possible', 'Not required to attend: not of compulsory school age', NULL),
    ('Q', 'not_possible', 'Unable to attend: lack of access arrangements', NULL),
    ('Y1', 'not_possible', 'Unable to attend: transport not available', NULL),
    ('Y2', 'not_possible', 'Unable to attend: widespread travel disruption', NULL),
    ('Y3', 'not_possible', 'Unable to attend: part of the school premises closed', NULL),
    ('Y4', 'not_possible', 'Unable to attend: whole school site closed unexpectedly', NULL),
    ('Y5', 'not_possible', 'Unable to attend: in criminal justice detention', NULL),
    ('Y6', 'not_possible', 'Unable to attend: public health guidance or law', NULL),
    ('Y7', 'not_possible', 'Unable to attend: any other unavoidable cause', NULL),
    ('Z', 'not_possible', 'Prospective pupil not yet on the admission register', NULL),
    ('#', 'not_possible', 'Planned whole or partial school closure', NULL),
    ('H', 'authorised_absence', 'Holiday authorised by the school (withdrawn 2024)', '2024-08-01'),
    ('J', 'approved_educational_activity', 'Interview (withdrawn 2024; now J1, an authorised absence)', '2024-08-01'),
    ('Y', 'not_possible', 'Unable to attend due to exceptional circumstances (withdrawn 2024; now Q and Y1-Y7)', '2024-08-01'),
    ('F', 'authorised_absence', 'Agreed extended family holiday (withdrawn September 2013)', '2013-09-01');

-- One row per student per session. Partitioned by reporting term (fixed windows, see `terms`):
-- an import whose term has no partition yet loads it into a fresh table, builds the primary key
-- in one sorted pass and attaches it, which is several times faster than maintaining the index
-- and the foreign keys row by row (measured: docs/import-formats.md, "Performance"). Marks for a
-- term that already has a partition are merged into it with set-based SQL. Reads see one table.
CREATE TABLE attendance_marks (
    student_id    bigint NOT NULL REFERENCES students ON DELETE CASCADE,
    session_date  date NOT NULL,
    session       session_half NOT NULL,
    code          attendance_code NOT NULL,
    -- No import_id here (unlike the other tables): at a million marks a file it made every row
    -- 8 bytes wider and added a foreign key to check, about a quarter of the load time. The
    -- import ledger names the files, and the history below names the import that replaced a mark.
    PRIMARY KEY (student_id, session_date, session),
    -- A withdrawn code may only be recorded for a session before its withdrawal (kept in step
    -- with attendance_codes.withdrawn_from; a test checks that they agree).
    CONSTRAINT attendance_marks_code_in_use CHECK (
        (code NOT IN ('H', 'J', 'Y') OR session_date < DATE '2024-08-01')
        AND (code <> 'F' OR session_date < DATE '2013-09-01'))
) PARTITION BY RANGE (session_date);

COMMENT ON TABLE attendance_marks IS
    'One row per student per session (date, AM/PM) with its DfE register code; join attendance_codes for the category. Replaced marks are kept in attendance_mark_history.';

-- Catches marks written outside the import (for a term that has no partition yet), so that
-- inserting never fails for want of a partition.
CREATE TABLE attendance_marks_default PARTITION OF attendance_marks DEFAULT;

-- Every mark that was replaced by a different code: re-recording a session keeps its history.
CREATE TABLE attendance_mark_history (
    history_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id        bigint NOT NULL REFERENCES students ON DELETE CASCADE,
    session_date      date NOT NULL,
    session           session_half NOT NULL,
    -- The code that was replaced.
    code              attendance_code NOT NULL,
    -- The code that replaced it, and the import that did so (NULL when changed outside an import).
    replaced_by_code  attendance_code NOT NULL,
    replaced_by_import_id bigint REFERENCES imports,
    replaced_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (code <> replaced_by_code)
);

CREATE INDEX attendance_mark_history_session_idx ON attendance_mark_history (student_id, session_date, session);


-- ---------------------------------------------------------------------------------------------
-- Assessments. Every result names its scale, so that it can be checked,
-- ranked and standardised (docs/methodology.md §4).

-- Stable values shared with GapTrackDomain.AssessmentScale.
CREATE TYPE assessment_scale AS ENUM (
    'ks2_scaled_score', 'gcse', 'standardised_score', 'percentage', 'he_mark', 'degree_class'
);

-- The code table for scales: range, and whether scores are whole numbers.
CREATE TABLE assessment_scales (
    scale          assessment_scale PRIMARY KEY,
    display_name   text NOT NULL,
    min_score      numeric NOT NULL,
    max_score      numeric NOT NULL,
    whole_numbers  boolean NOT NULL,
    meaning        text NOT NULL,
    CHECK (min_score < max_score)
);

INSERT INTO assessment_scales VALUES
    ('ks2_scaled_score', 'KS2 scaled score', 80, 120, true,
     'Key stage 2 scaled score; 100 = expected standard, 110 = high standard (Standards and Testing Agency).'),
    ('gcse', 'GCSE grade', 0, 9, true,
     'GCSE grade 9 (highest) to 1; U (ungraded) is stored as 0 (Ofqual 9 to 1 grading).'),
    ('standardised_score', 'standardised score', 55, 145, true,
     'Standardised score, mean 100 and standard deviation 15; 55-145 accepts any publisher''s range.'),
    ('percentage', 'percentage', 0, 100, false, 'A percentage mark.'),
    ('he_mark', 'HE module mark', 0, 100, false, 'A higher education module mark out of 100.'),
    ('degree_class', 'degree classification', 1, 4, true,
     'UK honours degree classification: 1 = third, 2 = 2:2, 3 = 2:1, 4 = first.');

-- An assessment point: one named assessment of one subject in one term at one provider
-- ("Year 11 autumn mock, maths, 2024/25 autumn"). Results on it are on one scale.
CREATE TABLE assessment_points (
    assessment_point_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id          bigint NOT NULL REFERENCES providers,
    subject              text NOT NULL CHECK (btrim(subject) <> ''),
    name                 text NOT NULL CHECK (btrim(name) <> ''),
    scale                assessment_scale NOT NULL REFERENCES assessment_scales,
    academic_year        text NOT NULL,
    term                 term_name NOT NULL,
    -- The first day on which results were taken (each result keeps its own date too); NULL when
    -- the point was recorded without results.
    held_on              date,
    import_id            bigint REFERENCES imports,
    FOREIGN KEY (academic_year, term) REFERENCES terms,
    -- Inside the academic year the point belongs to.
    CHECK (held_on IS NULL OR held_on BETWEEN make_date(left(academic_year, 4)::int, 8, 1) AND make_date(left(academic_year, 4)::int + 1, 7, 31)),
    -- The natural key imports upsert on. Subject and name are matched as written.
    UNIQUE (provider_id, academic_year, term, subject, name),
    -- Lets results repeat the scale under a foreign key, so their score can be range-checked.
    UNIQUE (assessment_point_id, scale)
);

-- One result per student per assessment point.
CREATE TABLE assessment_results (
    assessment_point_id  bigint NOT NULL,
    scale                assessment_scale NOT NULL,
    student_id           bigint NOT NULL REFERENCES students ON DELETE CASCADE,
    -- The numeric score on the scale (GCSE U = 0; degree class 1-4), and the result as written.
    score                numeric NOT NULL,
    result_text          text NOT NULL CHECK (btrim(result_text) <> ''),
    -- The day the student sat it.
    assessed_on          date NOT NULL,
    import_id            bigint REFERENCES imports,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assessment_point_id, student_id),
    FOREIGN KEY (assessment_point_id, scale) REFERENCES assessment_points (assessment_point_id, scale) ON DELETE CASCADE,
    CHECK (CASE scale
        WHEN 'ks2_scaled_score' THEN score BETWEEN 80 AND 120 AND score = trunc(score)
        WHEN 'gcse' THEN score BETWEEN 0 AND 9 AND score = trunc(score)
        WHEN 'standardised_score' THEN score BETWEEN 55 AND 145 AND score = trunc(score)
        WHEN 'percentage' THEN score BETWEEN 0 AND 100
        WHEN 'he_mark' THEN score BETWEEN 0 AND 100
        WHEN 'degree_class' THEN score IN (1, 2, 3, 4)
    END)
);

CREATE INDEX assessment_results_student_idx ON assessment_results (student_id);


-- ---------------------------------------------------------------------------------------------
-- Interventions and support (docs/methodology.md §6).
--
-- Types and funding sources are catalogue tables rather than enums: providers add their own
-- (a local bursary scheme, a charity's fund) without a schema change. Their codes match
-- GapTrackDomain.InterventionType and FundingSource.
CREATE TABLE intervention_types (
    type          text PRIMARY KEY CHECK (type ~ '^[a-z][a-z0-9_]*$'),
    display_name  text NOT NULL,
    -- Money or goods given to the student (a bursary, an award, a laptop) rather than teaching time.
    is_financial  boolean NOT NULL,
    meaning       text NOT NULL
);

INSERT INTO intervention_types VALUES
    ('tutoring', 'Tutoring', false, 'One-to-one or small-group tuition.'),
    ('mentoring', 'Mentoring', false, 'Mentoring by staff, older students or volunteers.'),
    ('language_support', 'Language support', false, 'Support with English as an additional language.'),
    ('care_experienced_transition', 'Care-experienced transition programme', false,
     'A transition programme for care-experienced students moving into further or higher education.'),
    ('enrichment', 'Enrichment', false, 'Trips, clubs and other enrichment activities.'),
    ('bursary', 'Bursary', true, 'A bursary, e.g. the 16 to 19 bursary fund.'),
    ('hardship_award', 'Hardship or cost-of-living award', true, 'A hardship fund or cost-of-living payment.'),
    ('food_support', 'Food support', true, 'Food vouchers, breakfast club, free meals beyond FSM.'),
    ('housing_support', 'Housing support', true, 'Help with accommodation or rent.'),
    ('device_or_data', 'Laptop or data', true, 'A laptop, tablet or mobile data.');

CREATE TABLE funding_sources (
    funding_source  text PRIMARY KEY CHECK (funding_source ~ '^[a-z][a-z0-9_]*$'),
    display_name    text NOT NULL,
    meaning         text NOT NULL
);

INSERT INTO funding_sources VALUES
    ('pupil_premium', 'Pupil premium', 'Pupil premium grant (including service pupil premium and pupil premium plus).'),
    ('recovery', 'Recovery premium', 'Recovery premium or other catch-up funding.'),
    ('bursary_fund', 'Bursary fund', 'The 16 to 19 bursary fund or an institutional bursary.'),
    ('hardship_fund', 'Hardship fund', 'A student hardship or cost-of-living fund.'),
    ('other', 'Other', 'Core budget, donations and other sources.');

CREATE TYPE support_status AS ENUM ('planned', 'active', 'ended', 'cancelled');

-- A composite key target, so that support records can carry their student's provider (for the
-- per-provider natural key on `reference`) and the database guarantees it is the right one.
ALTER TABLE students ADD CONSTRAINT students_id_provider_key UNIQUE (student_id, provider_id);

CREATE TABLE support_records (
    support_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id        bigint NOT NULL,
    provider_id       bigint NOT NULL,
    -- The record's id in the source system; the natural key when given.
    reference         text CHECK (btrim(reference) <> ''),
    type              text NOT NULL REFERENCES intervention_types,
    starts_on         date NOT NULL,
    ends_on           date,
    hours             numeric(8, 2) CHECK (hours >= 0),
    sessions          integer CHECK (sessions >= 0),
    -- Pounds and pence: numeric, never floating point, so totals add up to the penny.
    amount            numeric(12, 2) CHECK (amount >= 0),
    funding_source    text REFERENCES funding_sources,
    staff             text CHECK (btrim(staff) <> ''),
    intended_outcome  text CHECK (btrim(intended_outcome) <> ''),
    status            support_status NOT NULL DEFAULT 'active',
    review_date       date,
    import_id         bigint REFERENCES imports,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (student_id, provider_id) REFERENCES students (student_id, provider_id) ON DELETE CASCADE,
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK (review_date IS NULL OR review_date >= starts_on)
);

CREATE UNIQUE INDEX support_records_reference_key ON support_records (provider_id, reference) WHERE reference IS NOT NULL;

CREATE UNIQUE INDEX support_records_natural_key ON support_records (student_id, type, starts_on) WHERE reference IS NULL;

CREATE INDEX support_records_student_idx ON support_records (student_id);

COMMENT ON TABLE support_records IS
    'Interventions and support per student. Natural key: (provider, reference) when the source system gives an id, else (student, type, start date).';


-- ---------------------------------------------------------------------------------------------
-- The database roles the HTTP service acts as, and API tokens.
--
-- Why two roles and SET LOCAL ROLE: row-level security never applies to a table's owner or to a
-- superuser (PostgreSQL manual, "Row Security Policies"), and the service's login is usually the
-- owner that ran gaptrack migrate. So each request runs in a transaction that first does
-- `SET LOCAL ROLE gaptrack_service` (or gaptrack_governor) and binds the caller's provider and
-- role with set_config(..., true); both end with the transaction. Neither role can log in, own
-- anything, or bypass RLS.
--   gaptrack_service   reads and writes provider-owned rows (admin, data lead, staff tokens);
--   gaptrack_governor  reads only (governor tokens; the service hands governors aggregates only).
-- Roles are cluster-wide, so they are created only if missing (several databases, e.g. the test
-- databases, share one cluster). Creating them needs CREATEROLE; the migrator is made a member
-- so that it may SET ROLE to them. A service that logs in as another user needs
-- `GRANT gaptrack_service, gaptrack_governor TO that_user` and EXECUTE on gaptrack_authenticate.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gaptrack_service') THEN
        CREATE ROLE gaptrack_service NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gaptrack_governor') THEN
        CREATE ROLE gaptrack_governor NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
    END IF;
    IF NOT pg_has_role(current_user, 'gaptrack_service', 'MEMBER') THEN
        EXECUTE format('GRANT gaptrack_service TO %I', current_user);
    END IF;
    IF NOT pg_has_role(current_user, 'gaptrack_governor', 'MEMBER') THEN
        EXECUTE format('GRANT gaptrack_governor TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO gaptrack_service, gaptrack_governor;

-- What a token may do. Mirrored by GapTrackService.APIRole.
--   admin      everything for its provider, including restricted records and the audit log;
--   data_lead  records and reads everything for its provider, including restricted records;
--   staff      records and reads interventions and support, and reads timelines, without
--              restricted records (care and safeguarding context);
--   governor   reads the termly gap report only: aggregated figures with small groups suppressed.
CREATE TYPE api_role AS ENUM ('admin', 'data_lead', 'staff', 'governor');

-- API tokens. The token itself (32 random bytes, base64url, prefixed 'gtk_') is shown once when
-- created and never stored: only its SHA-256, computed by the server's built-in sha256().
-- A token belongs to one provider; revoking sets revoked_at and the token stops working at once.
CREATE TABLE api_tokens (
    token_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id  bigint NOT NULL REFERENCES providers,
    role         api_role NOT NULL,
    label        text NOT NULL CHECK (btrim(label) <> '' AND length(label) <= 200),
    token_hash   text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    -- The first characters of the token, so that a person can tell tokens apart in a list.
    token_prefix text NOT NULL CHECK (token_prefix ~ '^gtk_[A-Za-z0-9_-]{4,12}$'),
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL DEFAULT session_user,
    revoked_at   timestamptz,
    revoked_by   text,
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);

CREATE INDEX api_tokens_provider_idx ON api_tokens (provider_id);


-- ---------------------------------------------------------------------------------------------
-- An append-only audit log of every change to provider-owned rows.
--
-- Who, when, what, before and after: one row per changed row. Filled by statement-level
-- triggers with transition tables (PostgreSQL manual, CREATE TRIGGER, "REFERENCING"), so that a
-- bulk import of many rows costs one INSERT ... SELECT per statement rather than one trigger
-- call per row. Read it with `gaptrack audit`, or as an admin through GET /v1/audit.
--
-- Append-only: nobody but the owner has any privilege on the table, the trigger functions that
-- write it are SECURITY DEFINER (so the service roles can cause entries but never forge, change
-- or remove them), and UPDATE, DELETE and TRUNCATE are refused by triggers even for the owner.
CREATE TYPE audit_action AS ENUM ('insert', 'update', 'delete');

CREATE TABLE audit_log (
    audit_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Wall-clock time of the change (clock_timestamp, not the transaction start).
    occurred_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    transaction_id bigint NOT NULL DEFAULT txid_current(),
    -- The provider whose row changed; NULL only for rows that belong to no provider.
    -- No foreign key: the log must outlive anything it describes.
    provider_id    bigint,
    -- Who: 'token:<id> <label>' for the service, otherwise whatever the session set in
    -- gaptrack.actor (the CLI sets 'cli:<os user>'), otherwise 'db:<database user>'.
    actor          text NOT NULL,
    actor_role     text,
    token_id       bigint,
    action         audit_action NOT NULL,
    table_name     text NOT NULL,
    -- The changed row's primary key, e.g. {"support_id": 42}.
    row_key        jsonb,
    before         jsonb,
    after          jsonb,
    CHECK ((action = 'insert') = (before IS NULL)),
    CHECK ((action = 'delete') = (after IS NULL))
);

CREATE INDEX audit_log_provider_time_idx ON audit_log (provider_id, occurred_at);

CREATE INDEX audit_log_table_key_idx ON audit_log (table_name, row_key);

REVOKE ALL ON audit_log FROM PUBLIC;

-- Admins read their own provider's audit entries through the service.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;

GRANT SELECT ON audit_log TO gaptrack_service;


-- ---------------------------------------------------------------------------------------------
-- Restricted records (care and safeguarding context).
--
-- Some facts about a child are shared on a need-to-know basis (DfE, "Keeping children safe in
-- education" and "Information sharing: advice for practitioners"): that a child is or was looked
-- after, is a care leaver, is estranged, is a refugee or asylum seeker, or is a young carer; and
-- support given because of such circumstances. Staff who record tutoring do not need them.
-- Restrictive policies (ANDed with provider_isolation) hide these rows from sessions whose role
-- may not see restricted records (gaptrack_may_see_restricted, sql/functions/service_context.sql): a staff token
-- can neither read nor write them, whatever the query. The CLI, run by the owner, sees all.

-- The marker kinds that are restricted. A table rather than a list inside the policy, so that a
-- provider's safeguarding lead can see (and a numbered file change) exactly what is covered.
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

-- A support record is restricted when whoever records it says so (e.g. support arranged by the
-- designated safeguarding lead), and always when it is a care-experienced transition programme.
ALTER TABLE support_records ADD COLUMN restricted boolean NOT NULL DEFAULT false;

COMMENT ON COLUMN support_records.restricted IS
    'Visible only to admin, data lead and (for aggregates) governor sessions of the service (policy restricted_support).';


-- Audit per import, not per row, for `gaptrack import`.
--
-- The audit log's statement-level triggers copy every changed row, as JSON, into audit_log.
-- For the service's writes (a few rows per request) that is what an auditor wants. For a bulk
-- import it would be a second copy of the file, several times its size. The import is already recorded, whole, in the `imports`
-- ledger (file name, SHA-256, row counts, who, when), and the rows it wrote point at it through
-- import_id, so one audit entry naming the ledger row says everything the copies said.
--
-- So the import opens an *import audit scope* for its transaction (a row in
-- import_audit_scopes). While it is open, the audit triggers count the rows each statement
-- inserted, updated or deleted per table instead of copying them, and closing the scope writes
-- the one entry (table 'imports', the ledger row, and those counts) and removes the scope.
--
-- Why a table and not a setting: any session may set_config() a custom setting, so a
-- transaction-local flag would let a service role (SET LOCAL ROLE gaptrack_service)
-- switch its own audit off. Only the owner can write import_audit_scopes (no privilege is
-- granted to anyone else), and a scope counts only for statements run by the role that opened
-- it: a session that opens a scope as the owner and then SETs ROLE gaptrack_service is audited
-- row by row again. The trigger function is SECURITY DEFINER, so it sees the owner as
-- current_user; who runs the statement is read from the `role` setting (what SET ROLE set; the
-- PostgreSQL manual, "SET ROLE") and otherwise session_user, which SECURITY DEFINER leaves alone.
CREATE TABLE import_audit_scopes (
    -- The importing transaction (txid_current() is never reused: it carries the epoch).
    transaction_id  bigint PRIMARY KEY DEFAULT txid_current(),
    -- The role that opened it; only statements run as this role are counted instead of copied.
    opened_by       name NOT NULL DEFAULT current_user,
    -- {"table": {"inserted": n, "updated": n, "deleted": n}}, added up statement by statement.
    changes         jsonb NOT NULL DEFAULT '{}'
);

REVOKE ALL ON import_audit_scopes FROM PUBLIC;

COMMENT ON TABLE import_audit_scopes IS
    'Open import audit scopes: owner-only; rows live only inside the importing transaction.';


-- ---------------------------------------------------------------------------------------------
-- A cache of termly report data that is never stale.
--
-- A senior leader makes the same termly report several times (terminal, CSV, JSON, Markdown,
-- HTML) and runs it again before a meeting. Its data (TermlyReportData: counts, sums and rank
-- aggregates) takes seconds to compute for a national cohort, and does not change unless a table
-- the report reads changes. `gaptrack report termly|gap` keeps the data of each report it makes
-- in report_snapshots and answers from there while nothing it rests on has changed
-- (Sources/GapTrackReports/Building/ReportSnapshotCache.swift); `--recompute` computes afresh.
--
-- How a change is noticed. Every table a report may read carries a statement-level trigger,
-- gaptrack_data_changes, that records the writing transaction's id (xid8, which carries the epoch
-- and is never reused) in data_changes, once per transaction. A cache entry keeps the snapshot
-- (pg_current_snapshot(), PostgreSQL manual, "Snapshot Information Functions") of the
-- REPEATABLE READ transaction that computed it: exactly the set of transactions whose effects the
-- computation saw. A reader, in its own REPEATABLE READ transaction, takes an entry as valid iff
--   (a) its schema_version matches (the checksums of every applied numbered and definition file, so any change of the
--       report functions, the cluster, and gaptrack's own format and build: see
--       report_snapshot_schema_version and ReportSnapshotCache.applicationVersion),
--   (b) NOT EXISTS (SELECT FROM data_changes c WHERE NOT pg_visible_in_snapshot(c.xid, s.snapshot)),
--   (c) the entry's snapshot is not older than the pruning horizon (below).
-- Why that is right. Data the reader sees differs from the data the entry was computed from only
-- if some transaction T wrote a tracked table and T is visible to the reader but not to the
-- entry's snapshot. (Nothing visible to the entry's snapshot is invisible to the reader: the
-- entry was committed before the reader's snapshot was taken, and its snapshot before that, so
-- every transaction committed before the entry's snapshot committed before the reader's.) T's
-- trigger inserted a data_changes row with T's xid in T itself, so the reader sees that row
-- (T is visible to it), and the row's xid is not visible in the entry's snapshot: (b) fails. A
-- transaction that has not committed when the reader's snapshot is taken is invisible to the
-- reader, and so are its data and its row: it neither changes what the reader computes nor
-- invalidates the entry for this reader; the first reader after its commit sees both.
--
-- Writers never wait for each other here: each inserts its own key (its own xid); there is no
-- counter row they would all update. ON CONFLICT DO NOTHING makes the second and later statements
-- of a transaction cost one index probe.
--
-- Pruning. data_changes would grow by one row per writing transaction for ever. A row whose xid is
-- below the xmin of a snapshot is visible to that snapshot (it committed before the snapshot was
-- taken: aborted transactions leave no rows), so it can never invalidate that snapshot, nor any
-- later one. When gaptrack stores an entry, it deletes the entries that are already invalid (they
-- can never become valid again), raises report_snapshot_horizon.pruned_below to the least xmin of
-- the remaining entries' snapshots and its own, and deletes data_changes rows below that. An entry
-- that a concurrent transaction stores with an older snapshot than the pruner could see (not yet
-- committed when the pruner's snapshot was taken) may need rows the pruner deleted: (c) makes
-- every entry whose snapshot's xmin is below the horizon invalid, and the horizon is raised in the
-- same transaction as the deletion, so a reader that sees the deletion sees the horizon too. The
-- rows an entry needs (those invisible to its snapshot) have xids at or above its snapshot's xmin;
-- an entry that passes (c) therefore has all of them.
--
-- Row-level security: the service makes reports as roles whose rows are filtered by
-- policies, so its data differs from the CLI's. It neither reads nor writes this cache: its roles
-- get no privilege on these tables, and gaptrack uses the cache only when no policy applies to
-- the session (row_security_active). The trigger function is SECURITY DEFINER, so a service
-- role's writes are recorded all the same.
CREATE TABLE data_changes (
    xid xid8 PRIMARY KEY
);

COMMENT ON TABLE data_changes IS
    'One row per transaction that wrote a table reports read: what invalidates report_snapshots. Pruned when a report is stored.';

-- Rows of data_changes below this xid have been deleted; entries whose snapshot's xmin is lower are
-- invalid (they might need a deleted row). One row, changed only by the pruning report.
CREATE TABLE report_snapshot_horizon (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    pruned_below  xid8 NOT NULL
);

INSERT INTO report_snapshot_horizon (pruned_below) VALUES ('0'::xid8);

CREATE TABLE report_snapshots (
    -- Provider id, cohort, term, comparison group, trend terms and whether impact candidates were
    -- asked for (ReportSnapshotCache.Key).
    cache_key       text PRIMARY KEY,
    -- gaptrack's format and build, then report_snapshot_schema_version(): see (a) above.
    schema_version  text NOT NULL,
    -- The snapshot of the REPEATABLE READ transaction that computed the data.
    snapshot        pg_snapshot NOT NULL,
    -- TermlyReportData as JSON (Swift's JSONEncoder writes a Double as the shortest text that reads
    -- back as the same Double, so figures come back bit for bit).
    data            text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE report_snapshots IS
    'Data of termly reports made by gaptrack report termly|gap, with the snapshot they were computed in. Safe to delete at any time.';

REVOKE ALL ON data_changes, report_snapshot_horizon, report_snapshots FROM PUBLIC;
