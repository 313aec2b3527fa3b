-- gaptrack schema, part 5: derived disadvantage facts. Every report reads disadvantage through
-- these functions, so "disadvantaged on 3 October 2024" means the same thing everywhere.

-- School census days in England: autumn on the first Thursday of October, spring on the third
-- Thursday of January, summer on the third Thursday of May (mirrored, with the published dates it
-- was checked against, by GapTrackDomain.SchoolCensus). A table rather than a formula so that a
-- year in which the DfE moves a census day can be corrected by a later migration.
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
-- Definitions (domain reference, section 1):
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

CREATE FUNCTION student_disadvantage_all(p_on date)
RETURNS SETOF student_disadvantage_facts
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT s.student_id, s.provider_id,
           coalesce(cur.fsm_now, false),
           coalesce(cur.fsm_ever6_reported, false) OR e6.student_id IS NOT NULL,
           coalesce(cur.looked_after, false),
           coalesce(cur.previously_looked_after, false),
           coalesce(cur.fsm_ever6_reported, false) OR e6.student_id IS NOT NULL
               OR coalesce(cur.looked_after, false) OR coalesce(cur.previously_looked_after, false),
           coalesce(cur.fsm_ever6_reported, false) OR e6.student_id IS NOT NULL
               OR coalesce(cur.looked_after, false) OR coalesce(cur.previously_looked_after, false),
           coalesce(cur.pupil_premium_recorded, false),
           coalesce(cur.pupil_premium_funded, false),
           coalesce(cur.service_child, false),
           coalesce(cur.eal, false), cur.eal_band, cur.sen,
           coalesce(cur.refugee_or_asylum_seeker, false), coalesce(cur.young_carer, false),
           cur.imd_quintile, cur.polar4_quintile,
           coalesce(cur.first_in_family, false), coalesce(cur.care_leaver, false), coalesce(cur.estranged, false),
           cur.smc_answer, o.smc_group::text
    FROM students s
    LEFT JOIN (
        SELECT m.student_id,
               bool_or(m.marker = 'fsm') AS fsm_now,
               bool_or(m.marker = 'fsm_ever_6') AS fsm_ever6_reported,
               bool_or(m.marker = 'looked_after') AS looked_after,
               bool_or(m.marker = 'previously_looked_after') AS previously_looked_after,
               bool_or(m.marker = 'pupil_premium' AND m.value = 'eligible') AS pupil_premium_recorded,
               bool_or(m.marker = 'pupil_premium' AND m.value = 'funded') AS pupil_premium_funded,
               bool_or(m.marker = 'service_child') AS service_child,
               bool_or(m.marker = 'eal') AS eal,
               max(m.value) FILTER (WHERE m.marker = 'eal') AS eal_band,
               max(m.value) FILTER (WHERE m.marker = 'sen') AS sen,
               bool_or(m.marker = 'refugee_or_asylum_seeker') AS refugee_or_asylum_seeker,
               bool_or(m.marker = 'young_carer') AS young_carer,
               max(m.value::integer) FILTER (WHERE m.marker = 'imd_quintile') AS imd_quintile,
               max(m.value::integer) FILTER (WHERE m.marker = 'polar4_quintile') AS polar4_quintile,
               bool_or(m.marker = 'first_in_family') AS first_in_family,
               bool_or(m.marker = 'care_leaver') AS care_leaver,
               bool_or(m.marker = 'estranged') AS estranged,
               max(m.value) FILTER (WHERE m.marker = 'smc_parental_occupation') AS smc_answer
        FROM student_markers m
        WHERE m.spell @> p_on
        GROUP BY m.student_id
    ) cur ON cur.student_id = s.student_id
    LEFT JOIN (
        SELECT DISTINCT m.student_id
        FROM student_markers m
        JOIN census_days c ON m.spell @> c.census_date
        WHERE m.marker = 'fsm'
          AND c.census_date > (p_on - interval '6 years')::date
          AND c.census_date <= p_on
    ) e6 ON e6.student_id = s.student_id
    LEFT JOIN smc_parental_occupations o ON o.answer = cur.smc_answer
$$;
COMMENT ON FUNCTION student_disadvantage_all(date) IS
    'Derived disadvantage facts for every student on a date. Prefer student_disadvantage(provider_id, date) in reports.';

-- The facts for one provider's students on a date: what cohort reports join to, e.g.
--   SELECT e.year_group, d.disadvantaged, ... FROM enrolments e
--   JOIN student_disadvantage($provider, $census_day) d USING (student_id) ...
CREATE FUNCTION student_disadvantage(p_provider_id bigint, p_on date)
RETURNS SETOF student_disadvantage_facts
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT * FROM student_disadvantage_all(p_on) f WHERE f.provider_id = p_provider_id
$$;

-- The facts for one student on a date (zero rows for an unknown student).
CREATE FUNCTION student_disadvantage_of(p_student_id bigint, p_on date)
RETURNS SETOF student_disadvantage_facts
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT * FROM student_disadvantage_all(p_on) f WHERE f.student_id = p_student_id
$$;

-- FSM Ever 6 for one student on a date (NULL for an unknown student).
CREATE FUNCTION fsm_ever6(p_student_id bigint, p_on date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT f.fsm_ever6 FROM student_disadvantage_all(p_on) f WHERE f.student_id = p_student_id
$$;

-- Disadvantaged in the DfE sense for one student on a date (NULL for an unknown student).
CREATE FUNCTION is_disadvantaged(p_student_id bigint, p_on date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT f.disadvantaged FROM student_disadvantage_all(p_on) f WHERE f.student_id = p_student_id
$$;
