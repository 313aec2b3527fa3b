-- after version: 13
-- The student lifecycle measures of the Office for Students, one row per course instance
-- (docs/methodology.md §11).
--
-- Continuation: continuing in study, or qualified, one year and 15 days after commencement
-- (two years and 15 days part-time); completion: qualified, or still studying, four years and 15
-- days after (six years and 15 days part-time) (OfS, student outcomes data dashboard, "About the
-- dashboard"; docs/methodology.md §11.3). A measure whose date is after p_as_of is not yet known
-- (NULL), and so is one for a student who died before it: the OfS leaves them out of the
-- population. Attainment: first or upper second among classified first degrees (§11.4).
-- Progression: a positive Graduate Outcomes activity among those recorded (§11.5).
-- Whether an instance was continuing, or had qualified (or transferred: the OfS counts a move to
-- another provider as continuing), on the measure's date; NULL when that date is after p_as_of or
-- the student died before it.
CREATE OR REPLACE FUNCTION lifecycle_positive(p_left_on date, p_outcome he_leaving_outcome, p_on date, p_as_of date)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN p_on > p_as_of THEN NULL
        WHEN p_left_on IS NULL OR p_left_on >= p_on THEN true
        WHEN p_outcome = 'died' THEN NULL
        ELSE p_outcome IN ('qualified', 'award_pending', 'transferred')
    END
$$;
CREATE OR REPLACE FUNCTION lifecycle_students(p_provider_id bigint, p_as_of date)
RETURNS TABLE (student_id bigint, entry_year text, commenced_on date, course_code text, course_level text,
               mode he_study_mode, tariff_points integer, imd_quintile smallint, polar4_quintile smallint,
               tundra_quintile smallint, abcs_quintile smallint, fsm_at_school boolean, care_leaver boolean,
               estranged boolean, first_in_family boolean, disabled boolean, mature boolean, sex text,
               ethnicity_group text, continued boolean, completed boolean, good_honours boolean, progressed boolean)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH i AS (
        SELECT h.*, c.level AS course_level, s.gender, s.ethnicity, s.date_of_birth,
               extract(year FROM h.commenced_on)::int - CASE WHEN extract(month FROM h.commenced_on) < 8 THEN 1 ELSE 0 END AS start_year,
               (h.commenced_on + CASE h.mode WHEN 'full_time' THEN interval '1 year 15 days' ELSE interval '2 years 15 days' END)::date AS continuation_on,
               (h.commenced_on + CASE h.mode WHEN 'full_time' THEN interval '4 years 15 days' ELSE interval '6 years 15 days' END)::date AS completion_on
        FROM he_instances h
        JOIN he_courses c ON c.provider_id = h.provider_id AND c.course_code = h.course_code
        JOIN students s ON s.student_id = h.student_id
        WHERE h.provider_id = p_provider_id
    )
    SELECT i.student_id,
           i.start_year || '/' || lpad(((i.start_year + 1) % 100)::text, 2, '0'),
           i.commenced_on, i.course_code, i.course_level, i.mode, i.tariff_points,
           i.imd_quintile, i.polar4_quintile, i.tundra_quintile, i.abcs_quintile,
           i.fsm_at_school, i.care_leaver, i.estranged, i.first_in_family, i.disabled,
           -- Mature: 21 or over on commencement (docs/methodology.md §11.6).
           i.commenced_on >= (i.date_of_birth + interval '21 years')::date,
           CASE WHEN i.gender IN ('F', 'M') THEN i.gender END,
           -- HESA ETHNIC codes (10-19 white; 21-80 Asian, Black, mixed, other) or DfE codes.
           CASE WHEN i.ethnicity ~ '^1[0-9]$' OR i.ethnicity ~ '^W' THEN 'white'
                WHEN i.ethnicity ~ '^(2[0-9]|3[0-9]|4[0-9]|50|80)$' OR i.ethnicity ~ '^(A|B|M|C|O)' THEN 'abmo' END,
           lifecycle_positive(i.left_on, i.leaving_outcome, i.continuation_on, p_as_of),
           lifecycle_positive(i.left_on, i.leaving_outcome, i.completion_on, p_as_of),
           CASE WHEN i.course_level <> 'first_degree' THEN NULL
                WHEN i.classification IN ('first', 'upper_second') THEN true
                WHEN i.classification IN ('lower_second', 'third_or_pass') THEN false END,
           CASE WHEN i.progression IS NULL THEN NULL ELSE i.progression <> 'other' END
    FROM i
$$;

COMMENT ON FUNCTION lifecycle_students(bigint, date) IS
    'One row per course instance of the provider: entry year, characteristics at entry and the OfS lifecycle measures (NULL = not yet known or not in the population).';
