-- The data-protection lifecycle (docs/data-protection.md): how long each kind of record is kept,
-- per provider; legal holds; the ledgers of retention runs and erasures; and the one change an
-- audit entry may undergo, the redaction of a student's data after their erasure.
--
-- A schema of its own: these tables are the owner's alone (the CLI). The service roles get no
-- USAGE on it, so nothing here is reachable with a token, whatever the policies on public tables.
-- The functions are in sql/functions/data_protection.sql.
CREATE SCHEMA data_protection;

REVOKE ALL ON SCHEMA data_protection FROM PUBLIC;

-- What a retention rule applies to (docs/data-protection.md §2):
--   student_record  the student and everything about them (identifiers, enrolments, markers,
--                   attendance, results, support);
--   attendance      attendance marks and the history of replaced marks;
--   results         assessment results;
--   support         support and intervention records.
CREATE TYPE data_protection.record_kind AS ENUM ('student_record', 'attendance', 'results', 'support');

-- The date a retention period runs from: the student's date of birth, the day they left (the
-- latest leave date, once every enrolment has one), or the record's own date (a session's date,
-- an assessment's date, the day a support record ended).
CREATE TYPE data_protection.retention_basis AS ENUM ('birth', 'left', 'entry');

-- The defaults per kind of provider, each with its source. `statutory_years` is a period the law
-- requires the record to be kept for (on the same basis): a provider may not set less, and an
-- erasure is refused while it runs (UK GDPR Art. 17(3)(b)). basis NULL means "keep": no automatic
-- deletion.
CREATE TABLE data_protection.retention_defaults (
    provider_kind    provider_kind NOT NULL,
    record_kind      data_protection.record_kind NOT NULL,
    basis            data_protection.retention_basis,
    years            integer CHECK (years BETWEEN 0 AND 150),
    statutory_years  integer CHECK (statutory_years BETWEEN 0 AND 150),
    source           text NOT NULL,
    PRIMARY KEY (provider_kind, record_kind),
    CHECK ((basis IS NULL) = (years IS NULL)),
    CHECK (statutory_years IS NULL OR years >= statutory_years)
);

INSERT INTO data_protection.retention_defaults VALUES
    ('school', 'student_record', 'birth', 25, NULL,
     'IRMS Information Management Toolkit for Schools: the pupil''s educational record at the last (secondary) school, date of birth + 25 years'),
    ('school', 'results', 'birth', 25, NULL,
     'Part of the pupil''s educational record (IRMS toolkit): date of birth + 25 years'),
    ('school', 'attendance', 'entry', 6, 6,
     'School Attendance (Pupil Registration) (England) Regulations 2024, reg. 7: every register entry kept for at least six years'),
    ('school', 'support', 'left', 6, NULL,
     'gaptrack default: six years after the pupil leaves (Limitation Act 1980 periods, as the JISC schedule uses for records about individual students)'),
    ('college', 'student_record', 'left', 6, NULL,
     'JISC records retention schedule (HE and FE): records with personal data on individual students, end of the student relationship + 6 years'),
    ('college', 'results', 'left', 6, NULL, 'JISC records retention schedule: end of the student relationship + 6 years'),
    ('college', 'attendance', 'left', 6, NULL, 'JISC records retention schedule: end of the student relationship + 6 years'),
    ('college', 'support', 'left', 6, NULL, 'JISC records retention schedule: end of the student relationship + 6 years'),
    ('university', 'student_record', 'left', 6, NULL,
     'JISC records retention schedule: end of the student relationship + 6 years; the core record or transcript may be kept longer, as the provider sets'),
    ('university', 'results', 'left', 6, NULL, 'JISC records retention schedule: end of the student relationship + 6 years'),
    ('university', 'attendance', 'left', 6, NULL, 'JISC records retention schedule: end of the student relationship + 6 years'),
    ('university', 'support', 'left', 6, NULL, 'JISC records retention schedule: end of the student relationship + 6 years');

-- A provider's own rule for a kind of record, replacing the default (`gaptrack retention policy --set`).
CREATE TABLE data_protection.retention_policies (
    provider_id  bigint NOT NULL REFERENCES providers,
    record_kind  data_protection.record_kind NOT NULL,
    basis        data_protection.retention_basis,
    years        integer CHECK (years BETWEEN 0 AND 150),
    set_at       timestamptz NOT NULL DEFAULT now(),
    set_by       text NOT NULL,
    PRIMARY KEY (provider_id, record_kind),
    CHECK ((basis IS NULL) = (years IS NULL))
);

-- A legal hold keeps everything about a student (a claim, an investigation, a safeguarding
-- review: UK GDPR Art. 17(3)(e)): retention passes them by and erasure is refused. The foreign
-- key refuses to delete a held student whatever deletes it.
CREATE TABLE data_protection.legal_holds (
    student_id  bigint PRIMARY KEY REFERENCES students ON DELETE RESTRICT,
    reason      text NOT NULL CHECK (btrim(reason) <> ''),
    set_at      timestamptz NOT NULL DEFAULT now(),
    set_by      text NOT NULL
);

-- One row per `gaptrack retention apply` that deleted something: the rows per kind and table and
-- the rule that applied; never the rows themselves.
CREATE TABLE data_protection.retention_runs (
    run_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id  bigint NOT NULL REFERENCES providers,
    as_of        date NOT NULL,
    ran_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    ran_by       text NOT NULL,
    deleted      jsonb NOT NULL,
    -- Earlier audit entries about the students deleted whole, redacted as after an erasure.
    redacted_audit_entries  integer NOT NULL CHECK (redacted_audit_entries >= 0)
);

-- One row per erased student: that it happened, when, by whom, why, and a random token that
-- names the erasure (for the reply to the person who asked) without naming the student.
CREATE TABLE data_protection.erasures (
    erasure_id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id             bigint NOT NULL REFERENCES providers,
    token                   text NOT NULL UNIQUE CHECK (token ~ '^erasure-[0-9a-f]{32}$'),
    reason                  text NOT NULL CHECK (btrim(reason) <> ''),
    erased_at               timestamptz NOT NULL DEFAULT clock_timestamp(),
    erased_by               text NOT NULL,
    deleted                 jsonb NOT NULL,
    redacted_audit_entries  integer NOT NULL CHECK (redacted_audit_entries >= 0),
    -- The import ledger rows the student's rows came from: importing one of those files again
    -- would bring the student back (docs/data-protection.md §4).
    source_imports          bigint[] NOT NULL
);

