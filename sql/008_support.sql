-- gaptrack schema, part 8: interventions and support (domain reference, section 6).
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
