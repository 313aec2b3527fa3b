-- Disadvantage facts of students on a date: the one place the definitions of docs/methodology.md §1
-- are applied. Every report reads disadvantage through these functions. Markers are found by their
-- own provider_id (022), so a provider's facts read its own markers only.
-- after version: 22

-- A student is FSM Ever 6 on a date when an FSM spell covers a school census day C with
-- date - 6 years < C <= date (docs/methodology.md §1; DfE, "Eligible for free school meals in the
-- past 6 years"). For each spell the census days of the window are asked with EXISTS, which stops
-- at the first, rather than joined (a spell of several years covers up to 18 of them).
-- GapTrackStoreTests.DisadvantageTests check the definition against GapTrackDomain.FSMEver6.
--
-- Computed for one provider's students: its students, markers and FSM spells only, each read
-- through the students of p_provider_id (students_provider_idx, then the markers' natural key,
-- which leads with student_id), so that a school's report reads its own rows however many
-- schools the database holds (docs/scaling.md, "Cost per school"). Every other function below
-- reads the facts through this one.
--
-- p_students narrows it to some of the provider's students (NULL: all of them), each read by its
-- key, so that the facts kept in student_census_facts (sql/functions/student_census_facts.sql)
-- are refreshed for the pupils a write touched with these same rules rather than a second copy.
CREATE OR REPLACE FUNCTION student_disadvantage_among(p_provider_id bigint, p_on date, p_students bigint[])
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
        WHERE m.provider_id = p_provider_id AND m.spell @> p_on
          AND (p_students IS NULL OR m.student_id = ANY (p_students))
        GROUP BY m.student_id
    ) cur ON cur.student_id = s.student_id
    LEFT JOIN (
        -- FSM Ever 6: the students with an FSM spell covering a census day of the six years.
        -- Asked per spell (EXISTS) rather than joined, so that no spell is repeated once per
        -- census day it covers before DISTINCT removes the repeats.
        SELECT DISTINCT m.student_id
        FROM student_markers m
        WHERE m.provider_id = p_provider_id AND m.marker = 'fsm'
          AND (p_students IS NULL OR m.student_id = ANY (p_students))
          AND EXISTS (SELECT 1 FROM census_days c
                      WHERE m.spell @> c.census_date
                        AND c.census_date > (p_on - interval '6 years')::date
                        AND c.census_date <= p_on)
    ) e6 ON e6.student_id = s.student_id
    LEFT JOIN smc_parental_occupations o ON o.answer = cur.smc_answer
    WHERE s.provider_id = p_provider_id
      AND (p_students IS NULL OR s.student_id = ANY (p_students))
$$;

-- Every student of the provider.
CREATE OR REPLACE FUNCTION student_disadvantage(p_provider_id bigint, p_on date)
RETURNS SETOF student_disadvantage_facts
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT f.* FROM student_disadvantage_among(p_provider_id, p_on, NULL) f
$$;

-- The facts for every provider's students on a date, provider by provider.
CREATE OR REPLACE FUNCTION student_disadvantage_all(p_on date)
RETURNS SETOF student_disadvantage_facts
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT f.* FROM providers p CROSS JOIN LATERAL student_disadvantage(p.provider_id, p_on) f
$$;

-- The facts for one student on a date (zero rows for an unknown student): its provider's facts,
-- that student's row.
CREATE OR REPLACE FUNCTION student_disadvantage_of(p_student_id bigint, p_on date)
RETURNS SETOF student_disadvantage_facts
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT f.* FROM students s CROSS JOIN LATERAL student_disadvantage(s.provider_id, p_on) f
    WHERE s.student_id = p_student_id AND f.student_id = p_student_id
$$;

-- FSM Ever 6 for one student on a date (NULL for an unknown student).
CREATE OR REPLACE FUNCTION fsm_ever6(p_student_id bigint, p_on date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT f.fsm_ever6 FROM student_disadvantage_of(p_student_id, p_on) f
$$;

-- Disadvantaged in the DfE sense for one student on a date (NULL for an unknown student).
CREATE OR REPLACE FUNCTION is_disadvantaged(p_student_id bigint, p_on date) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT f.disadvantaged FROM student_disadvantage_of(p_student_id, p_on) f
$$;
