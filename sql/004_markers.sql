-- gaptrack schema, part 4: dated disadvantage markers.
--
-- A marker is a dated fact about a student, never a tick box (domain reference, section 1): a
-- spell from starts_on to ends_on (both included; ends_on NULL = still applies). Spells of the
-- same marker for the same student never overlap; the exclusion constraint makes that
-- impossible whatever writes to the table.

-- Stable database values; mirrored in Swift by GapTrackStore.MarkerKind.
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
    'Dated disadvantage markers: one row per spell. Read them through student_disadvantage() and friends (005), never by hand, so every report uses the same definitions.';
