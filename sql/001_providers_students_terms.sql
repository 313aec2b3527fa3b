-- gaptrack schema, part 1: providers, academic years and terms, students.
-- Every migration runs in one transaction; see Sources/SchemaMigrations/MigrationRunner.swift.

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

-- The UPN check letter (DfE, "Unique pupil numbers (UPN): guidance for schools and local
-- authorities", annex: characters 2-13 weighted 2..13, sum mod 23 onto ABCDEFGHJKLMNPQRTUVWXYZ;
-- a temporary UPN's final letter counts as its index in that alphabet). The import validates in
-- Swift with a friendlier message; this keeps a bad UPN out whatever writes to the table.
CREATE FUNCTION upn_is_valid(upn text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    WITH alphabet(letters) AS (SELECT 'ABCDEFGHJKLMNPQRTUVWXYZ'::text)
    SELECT upn ~ '^[A-Z][0-9]{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]$'
       AND substr(letters, 1 + (
            SELECT sum(i * CASE WHEN substr(upn, i, 1) ~ '[0-9]' THEN substr(upn, i, 1)::int
                                ELSE strpos(letters, substr(upn, i, 1)) - 1 END) % 23
            FROM generate_series(2, 13) AS i)::int, 1) = substr(upn, 1, 1)
    FROM alphabet
$$;

-- ULN check digit (ESFA, "Unique learner number" format): weights 10..1 over the ten digits,
-- the weighted sum mod 11 must be 10.
CREATE FUNCTION uln_is_valid(uln text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT uln ~ '^[1-9][0-9]{9}$'
       AND (SELECT sum((11 - i) * substr(uln, i, 1)::int) % 11 FROM generate_series(1, 10) AS i) = 10
$$;

-- A learner at one provider. A person who moves provider is a new row at the new provider:
-- providers never see each other's records.
CREATE TABLE students (
    student_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id     bigint NOT NULL REFERENCES providers,
    upn             text CHECK (upn_is_valid(upn)),
    uln             text CHECK (uln_is_valid(uln)),
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
