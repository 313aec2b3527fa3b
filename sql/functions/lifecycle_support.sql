-- after version: 13
-- The support a student received in the first year of a course instance, for the evaluation of
-- cost-of-living support (docs/methodology.md §11.9): delivered support records (active or ended)
-- of the given types that began on or after the instance's commencement and within a year of it,
-- the year whose end the OfS continuation measure looks at. One row per instance and record.
CREATE OR REPLACE FUNCTION lifecycle_support_received(p_provider_id bigint, p_types text[])
RETURNS TABLE (student_id bigint, commenced_on date, support_type text, funding_source text, amount numeric)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT h.student_id, h.commenced_on, r.type, r.funding_source, r.amount
    FROM he_instances h
    JOIN support_records r ON r.student_id = h.student_id AND r.provider_id = h.provider_id
    WHERE h.provider_id = p_provider_id
      AND r.type = ANY (p_types)
      AND r.status IN ('active', 'ended')
      AND r.starts_on >= h.commenced_on
      AND r.starts_on < (h.commenced_on + interval '1 year')::date
$$;

COMMENT ON FUNCTION lifecycle_support_received(bigint, text[]) IS
    'Delivered support records of the given types that began in the first year of each course instance of the provider.';
