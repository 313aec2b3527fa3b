-- Ids of records the service shows: random, so that an id tells nothing about how many records
-- exist or were made by others, and the next one cannot be guessed (docs/security.md, "No side
-- channels"; the column defaults are set in 003_least_privilege.sql).

-- 53 random bits (1 to 2^53): as many as a JSON number holds exactly, so an id survives any JSON
-- reader, and far too many to guess. The bits come from gen_random_uuid(), which draws on the
-- server's cryptographic random source (the PostgreSQL manual, "UUID Functions"), unlike
-- random(); its 4-bit version field (hex digit 13) is skipped.
CREATE OR REPLACE FUNCTION gaptrack_random_id() RETURNS bigint
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
    SELECT ((('x' || substr(h, 1, 12) || substr(h, 14, 2))::bit(56)::bigint) >> 3) + 1
    FROM (SELECT replace(gen_random_uuid()::text, '-', '') AS h) AS u
$$;

-- A new support record's id. SECURITY DEFINER so that the check for an id already taken sees
-- every provider's records, not only the caller's: a clash must never reach the caller as a
-- duplicate key, which would tell it a hidden record's id. The check is an index probe
-- (support_records_support_id_idx, sql/032_support_record_ids.sql), planned afresh for each call
-- (plan_cache_mode): PL/pgSQL otherwise keeps a generic plan after five calls, and one made while
-- the table was empty, as at the start of a first import, is a sequential scan that every later
-- record of the import then pays for with the whole table (BENCHMARKS.md, "Support load").
CREATE OR REPLACE FUNCTION support_records_new_id() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    candidate bigint;
BEGIN
    LOOP
        candidate := gaptrack_random_id();
        EXIT WHEN NOT EXISTS (SELECT FROM support_records WHERE support_id = candidate);
    END LOOP;
    RETURN candidate;
END
$$;
REVOKE ALL ON FUNCTION support_records_new_id() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION support_records_new_id() TO gaptrack_service;
