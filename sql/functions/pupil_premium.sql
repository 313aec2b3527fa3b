-- The pupil premium counts and spend a strategy statement rests on (docs/methodology.md §1.4, §6.4).
-- depends on: student_disadvantage.sql
-- after version: 22

-- Pupils on roll on a census day, reception to year 11 (the year groups the grant funds), and of
-- them in reception to year 6 (a school with none has no primary FSM Ever 6 pupils to protect), by the
-- ground each attracts funding on. A pupil is counted once, on the ground with the highest rate:
-- looked after (paid to the local authority), then previously looked after, then FSM Ever 6 (the
-- primary rate for reception to year 6, the secondary rate for years 7 to 11), then service child.
-- docs/methodology.md §1.4 gives the mapping from markers to the DfE's census counts.
CREATE OR REPLACE FUNCTION pupil_premium_census_counts(p_provider_id bigint, p_census date)
RETURNS TABLE (pupils_on_roll bigint, primary_on_roll bigint, fsm_ever6_primary bigint, fsm_ever6_secondary bigint,
               previously_looked_after bigint, looked_after bigint, service_child bigint)
LANGUAGE sql STABLE AS $$
    WITH on_roll AS (
        SELECT e.student_id, e.year_group IN ('R', '1', '2', '3', '4', '5', '6') AS primary_phase
        FROM enrolments e
        JOIN academic_years a ON a.academic_year = e.academic_year AND p_census BETWEEN a.starts_on AND a.ends_on
        WHERE e.provider_id = p_provider_id
          AND e.year_group IN ('R', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11')
          AND e.start_date <= p_census AND (e.leave_date IS NULL OR e.leave_date >= p_census)
    ), ground AS (
        SELECT r.primary_phase,
               CASE WHEN d.looked_after THEN 'looked_after'
                    WHEN d.previously_looked_after THEN 'previously_looked_after'
                    WHEN d.fsm_ever6 THEN 'fsm_ever6'
                    WHEN d.service_child THEN 'service_child' END AS ground
        FROM on_roll r
        LEFT JOIN student_disadvantage(p_provider_id, p_census) d ON d.student_id = r.student_id
    )
    SELECT count(*),
           count(*) FILTER (WHERE primary_phase),
           count(*) FILTER (WHERE ground = 'fsm_ever6' AND primary_phase),
           count(*) FILTER (WHERE ground = 'fsm_ever6' AND NOT primary_phase),
           count(*) FILTER (WHERE ground = 'previously_looked_after'),
           count(*) FILTER (WHERE ground = 'looked_after'),
           count(*) FILTER (WHERE ground = 'service_child')
    FROM ground
$$;

-- Pupil premium spend in an academic year by EEF tier: support records funded by the pupil premium
-- that took place (active or ended), each type in its provider's tier or the default one (tier NULL
-- for a type with neither). Money or goods count in the year they start; teaching time is shared
-- between academic years in proportion to its days in each, as report_support_records shares it
-- between terms; a record with no end date counts in full in the year it starts.
CREATE OR REPLACE FUNCTION pupil_premium_spend_by_tier(p_provider_id bigint, p_academic_year text)
RETURNS TABLE (tier text, students bigint, spend_pence bigint)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(pa.tier, pd.tier)::text,
           count(DISTINCT r.student_id),
           coalesce(round(sum(r.amount * x.share) * 100), 0)::bigint
    FROM support_records r
    JOIN intervention_types it ON it.type = r.type
    JOIN academic_years a ON a.academic_year = p_academic_year
    LEFT JOIN pupil_premium_tier_assignments pa ON pa.provider_id = r.provider_id AND pa.type = r.type
    LEFT JOIN pupil_premium_tier_defaults pd ON pd.type = r.type
    CROSS JOIN LATERAL (
        SELECT CASE
            WHEN it.is_financial OR r.ends_on IS NULL THEN 1
            ELSE (least(r.ends_on, a.ends_on) - greatest(r.starts_on, a.starts_on) + 1)::numeric / (r.ends_on - r.starts_on + 1)
        END AS share
    ) x
    WHERE r.provider_id = p_provider_id
      AND r.funding_source = 'pupil_premium'
      AND r.status IN ('active', 'ended')
      AND r.starts_on <= a.ends_on
      AND CASE WHEN it.is_financial OR r.ends_on IS NULL THEN r.starts_on >= a.starts_on
               ELSE r.ends_on >= a.starts_on END
    GROUP BY 1
    ORDER BY 1
$$;
