-- The support records an impact report counts as the intervention (docs/methodology.md §6).

-- The support records of an intervention that overlap [p_from, p_to], whatever their status: the
-- records of the types p_types, or, with p_programme, of one programme, i.e. the records whose
-- reference starts with that text (case ignored), e.g. 'NTP-2024' for NTP-2024-0001 ... A
-- programme is named by a reference prefix because support.csv has no programme column and
-- providers already number a programme's records under one prefix. Impact counts a record as
-- delivered when its status is active or ended (GapTrackDomain.SupportStatus.wasDelivered).
CREATE OR REPLACE FUNCTION impact_intervention_records(
    p_provider_id bigint, p_types text[], p_programme text, p_from date, p_to date)
RETURNS SETOF support_records
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT r.*
    FROM support_records r
    WHERE r.provider_id = p_provider_id
      AND CASE WHEN p_programme IS NULL THEN r.type = ANY (p_types)
               ELSE lower(left(r.reference, length(p_programme))) = lower(p_programme) END
      AND daterange(r.starts_on, r.ends_on, '[]') && daterange(p_from, p_to, '[]')
$$;
