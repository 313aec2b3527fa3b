-- Which days a provider's school is open (docs/methodology.md §3.3).
-- after version: 9

-- Every day from p_from to p_to with why it is not a school day, or NULL reason for a school
-- day. In order of precedence: a weekend; a holiday, closure or INSET day in the provider's
-- calendar; an English bank holiday; a day outside the provider's terms, when it has recorded
-- terms for that academic year (1 August to 31 July); and, for a year without recorded terms,
-- August, which the default calendar takes as the summer holiday. detail is the period's
-- description or the bank holiday's name; period_from and period_to the calendar period's dates.
CREATE OR REPLACE FUNCTION school_calendar_days(p_provider_id bigint, p_from date, p_to date)
RETURNS TABLE (day date, reason text, detail text, period_from date, period_to date)
LANGUAGE sql STABLE AS $$
    WITH days AS (
        SELECT d::date AS day,
               make_date(extract(year FROM d - interval '7 months')::int, 8, 1) AS year_start
        FROM generate_series(p_from, p_to, interval '1 day') AS d
    ), periods AS (
        SELECT c.kind, c.date_from, c.date_to, c.description
        FROM school_calendar c
        WHERE c.provider_id = p_provider_id AND c.date_from <= p_to AND c.date_to >= p_from - 400
    )
    SELECT d.day,
           CASE WHEN extract(isodow FROM d.day) >= 6 THEN 'weekend'
                WHEN closed.kind IS NOT NULL THEN closed.kind::text
                WHEN b.day IS NOT NULL THEN 'bank_holiday'
                WHEN terms.any_term AND NOT terms.in_term THEN 'outside_terms'
                WHEN NOT terms.any_term AND extract(month FROM d.day) = 8 THEN 'default_summer'
           END,
           CASE WHEN extract(isodow FROM d.day) >= 6 THEN NULL
                WHEN closed.kind IS NOT NULL THEN closed.description
                WHEN b.day IS NOT NULL THEN b.name
           END,
           CASE WHEN extract(isodow FROM d.day) < 6 THEN closed.date_from END,
           CASE WHEN extract(isodow FROM d.day) < 6 THEN closed.date_to END
    FROM days d
    LEFT JOIN bank_holidays b ON b.day = d.day
    LEFT JOIN LATERAL (
        SELECT p.kind, p.date_from, p.date_to, p.description FROM periods p
        WHERE p.kind <> 'term' AND d.day BETWEEN p.date_from AND p.date_to
        ORDER BY p.kind DESC, p.date_from LIMIT 1
    ) closed ON true
    CROSS JOIN LATERAL (
        SELECT coalesce(bool_or(true), false) AS any_term,
               coalesce(bool_or(d.day BETWEEN p.date_from AND p.date_to), false) AS in_term
        FROM periods p
        WHERE p.kind = 'term' AND p.date_to >= d.year_start AND p.date_from < (d.year_start + interval '1 year')::date
    ) terms
    ORDER BY d.day
$$;

-- The days a provider's school is open from p_from to p_to.
CREATE OR REPLACE FUNCTION school_days(p_provider_id bigint, p_from date, p_to date)
RETURNS SETOF date
LANGUAGE sql STABLE AS $$
    SELECT c.day FROM school_calendar_days(p_provider_id, p_from, p_to) c WHERE c.reason IS NULL
$$;
