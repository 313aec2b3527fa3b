-- Support and interventions delivered to a cohort in a term, and their spend (docs/methodology.md §6, §7).
-- depends on: report_load_cohort.sql, support_catalogue.sql

-- Only support that took place counts (status active or ended; planned and cancelled records are
-- left out). Which term a record belongs to depends on what it is (is_financial of its type in the
-- provider's catalogue, support_catalogue.sql):
-- * money or goods given to a student (a bursary, an award, a laptop): the term it starts in,
--   with all of its amount: it is given once;
-- * teaching time (tutoring, mentoring, language support…): every term its dates overlap, with
--   its hours, sessions and amount shared between them in proportion to its days in each, so
--   that a programme from January to July shows in spring and summer and the termly figures add
--   up over the year. A record with no end date is still going on: it counts in every term from
--   its start, but its hours, sessions and amount (whose span is not known yet) count in full in
--   the term it started.
-- Amounts are numeric (exact) until the end, then returned in whole pence; pro-rated sessions
-- are rounded to whole sessions. The cohort is the loaded report_cohort.
CREATE OR REPLACE FUNCTION report_support_records(p_provider_id bigint, p_academic_year text, p_term term_name)
RETURNS TABLE (student_id bigint, disadvantaged boolean, type text, funding_source text, sessions numeric, hours numeric, amount numeric)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_require_cohort();
    RETURN QUERY
    SELECT r.student_id, c.disadvantaged, r.type, r.funding_source,
           r.sessions * x.share, r.hours * x.share, r.amount * x.share
    FROM support_records r
    JOIN support_catalogue(p_provider_id) it ON it.kind = 'support-type' AND it.code = r.type
    JOIN report_cohort c ON c.student_id = r.student_id
    JOIN terms t ON t.academic_year = p_academic_year AND t.term = p_term
    CROSS JOIN LATERAL (
        SELECT CASE
            WHEN it.is_financial OR r.ends_on IS NULL THEN
                CASE WHEN r.starts_on >= t.starts_on THEN 1 ELSE 0 END
            ELSE (least(r.ends_on, t.ends_on) - greatest(r.starts_on, t.starts_on) + 1)::numeric / (r.ends_on - r.starts_on + 1)
        END AS share
    ) x
    WHERE r.provider_id = p_provider_id
      AND r.status IN ('active', 'ended')
      AND r.starts_on <= t.ends_on
      AND CASE WHEN it.is_financial THEN r.starts_on >= t.starts_on
               ELSE coalesce(r.ends_on, t.ends_on) >= t.starts_on END;
END
$$;

-- One row per intervention type delivered, then one row for all support (type NULL): distinct
-- students, of whom disadvantaged, sessions, hours and spend. The all-support row is there even
-- when nothing was delivered (with zeros).
CREATE OR REPLACE FUNCTION report_support(p_provider_id bigint, p_academic_year text, p_term term_name)
RETURNS TABLE (type text, label text, students bigint, disadvantaged_students bigint, sessions bigint, hours numeric, spend_pence bigint)
LANGUAGE sql STABLE AS $$
    SELECT d.type, max(it.display_name),
           count(DISTINCT d.student_id), count(DISTINCT d.student_id) FILTER (WHERE d.disadvantaged),
           coalesce(round(sum(d.sessions)), 0)::bigint, round(coalesce(sum(d.hours), 0), 2), coalesce(round(sum(d.amount) * 100), 0)::bigint
    FROM report_support_records(p_provider_id, p_academic_year, p_term) d
    LEFT JOIN support_catalogue(p_provider_id) it ON it.kind = 'support-type' AND it.code = d.type
    GROUP BY GROUPING SETS ((d.type), ())
    ORDER BY d.type IS NULL, max(it.display_name), d.type
$$;

-- Spend and distinct students by funding source (NULL: none recorded).
CREATE OR REPLACE FUNCTION report_support_funding(p_provider_id bigint, p_academic_year text, p_term term_name)
RETURNS TABLE (funding_source text, label text, students bigint, spend_pence bigint)
LANGUAGE sql STABLE AS $$
    SELECT d.funding_source, max(fs.display_name), count(DISTINCT d.student_id), coalesce(round(sum(d.amount) * 100), 0)::bigint
    FROM report_support_records(p_provider_id, p_academic_year, p_term) d
    LEFT JOIN support_catalogue(p_provider_id) fs ON fs.kind = 'funding-source' AND fs.code = d.funding_source
    GROUP BY d.funding_source
    ORDER BY d.funding_source IS NULL, max(fs.display_name), d.funding_source
$$;

-- Spend by type and funding source together (never printed): the cells behind the support and
-- funding tables that the disclosure audit needs, since a fund that pays for one type only gives
-- that type's spend away (docs/disclosure-control.md §7.2).
CREATE OR REPLACE FUNCTION report_support_type_fund(p_provider_id bigint, p_academic_year text, p_term term_name)
RETURNS TABLE (type text, funding_source text, spend_pence bigint)
LANGUAGE sql STABLE AS $$
    SELECT d.type, d.funding_source, coalesce(round(sum(d.amount) * 100), 0)::bigint
    FROM report_support_records(p_provider_id, p_academic_year, p_term) d
    GROUP BY d.type, d.funding_source
    ORDER BY d.type, d.funding_source NULLS LAST
$$;
