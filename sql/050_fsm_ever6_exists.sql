-- gaptrack performance, part 1: FSM Ever 6 in student_disadvantage_all (migration 005), faster.
--
-- Same definition, same results: a student is FSM Ever 6 on a date when an FSM spell covers a
-- school census day C with date - 6 years < C <= date (domain reference, section 1; DfE,
-- "Eligible for free school meals in the past 6 years"). Only the way the spells are matched
-- to census days changes. 005 joined every FSM spell to every census day it covers and then
-- removed the repeats with DISTINCT: a spell of several years met up to 18 census days, so the
-- join produced many times more rows than there are spells, and this was the largest single
-- cost of a report (benchmarks/run.sh: 2.7 s of 7.4 s at 600,000 students). Asking, for each
-- spell, whether any census day of the window falls in it (EXISTS, which stops at the first)
-- keeps one row per spell. GapTrackStoreTests.DisadvantageTests check the definition against
-- GapTrackDomain.FSMEver6 and pass unchanged.

CREATE OR REPLACE FUNCTION student_disadvantage_all(p_on date)
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
        -- FSM Ever 6: the students with an FSM spell covering a census day of the six years.
        -- Asked per spell (EXISTS) rather than joined, so that no spell is repeated once per
        -- census day it covers before DISTINCT removes the repeats.
        SELECT DISTINCT m.student_id
        FROM student_markers m
        WHERE m.marker = 'fsm'
          AND EXISTS (SELECT 1 FROM census_days c
                      WHERE m.spell @> c.census_date
                        AND c.census_date > (p_on - interval '6 years')::date
                        AND c.census_date <= p_on)
    ) e6 ON e6.student_id = s.student_id
    LEFT JOIN smc_parental_occupations o ON o.answer = cur.smc_answer
$$;
