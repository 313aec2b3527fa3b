-- Checks of the national student identifiers (docs/methodology.md §2), used by the students
-- table's constraints so that no writer can store an invalid UPN or ULN.

-- The UPN check letter (DfE, "Unique pupil numbers (UPN): guidance for schools and local
-- authorities", annex: characters 2-13 weighted 2..13, sum mod 23 onto ABCDEFGHJKLMNPQRTUVWXYZ;
-- a temporary UPN's final letter counts as its index in that alphabet). The import validates in
-- Swift with a friendlier message; this keeps a bad UPN out whatever writes to the table.
CREATE OR REPLACE FUNCTION upn_is_valid(upn text) RETURNS boolean
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
CREATE OR REPLACE FUNCTION uln_is_valid(uln text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT uln ~ '^[1-9][0-9]{9}$'
       AND (SELECT sum((11 - i) * substr(uln, i, 1)::int) % 11 FROM generate_series(1, 10) AS i) = 10
$$;
