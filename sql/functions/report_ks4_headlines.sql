-- The KS4 headline measures of a cohort from the school's own GCSE-scale results
-- (docs/methodology.md §8.3, "From the school's own results").
-- depends on: report_load_cohort.sql

-- The one copy of the rule which Attainment 8 slot a subject can fill, by the name the school's
-- file gives it (case, surrounding and repeated spaces ignored): 'english' for English language
-- or English literature (either counts for the English and maths measure, and the better of the
-- two is double weighted in Attainment 8), 'maths', 'ebacc' for the English Baccalaureate
-- subjects (sciences, computer science, geography, history, languages), 'open' for any other.
CREATE OR REPLACE FUNCTION ks4_subject_slot(p_subject text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN s IN ('english', 'english language', 'english literature', 'english lang', 'english lit') THEN 'english'
        WHEN s IN ('maths', 'mathematics', 'math') THEN 'maths'
        WHEN s IN ('science', 'combined science', 'biology', 'chemistry', 'physics', 'computer science', 'computing',
                   'geography', 'history', 'ancient history', 'french', 'german', 'spanish', 'italian', 'portuguese',
                   'russian', 'polish', 'arabic', 'urdu', 'bengali', 'chinese', 'mandarin', 'japanese', 'modern hebrew',
                   'biblical hebrew', 'latin', 'classical greek', 'ancient greek', 'turkish', 'punjabi', 'gujarati',
                   'persian', 'greek', 'dutch', 'panjabi') THEN 'ebacc'
        ELSE 'open'
    END
    FROM (SELECT regexp_replace(lower(btrim(p_subject)), '\s+', ' ', 'g') AS s) x
$$;

-- For every assessment (by name) of the term on the GCSE scale that holds both an English and a
-- maths result, per compared group of the loaded cohort (report_load_cohort; NULL is in neither
-- group): the pupils with any result at that assessment, those without an English or a maths
-- result there (they count as not reaching the grade, as pupils without an entry do in the DfE's
-- measure), those with grade 4 or above (and 5 or above) in both English and maths, and each
-- pupil's Attainment 8 points summed and squared; with the subjects held there and their slots,
-- (JSON arrays, in the same order), from which the report decides whether the results cover the Attainment 8 slots at all.
--
-- A pupil's Attainment 8 (docs/methodology.md §8.3): twice the better English grade, twice the
-- maths grade, the best three EBacc grades, and the best three of what is left (a second English,
-- EBacc beyond three, any other subject); a slot the pupil has no grade for scores 0. GCSE 9–1
-- grades are their own points.
CREATE OR REPLACE FUNCTION report_ks4_headlines(p_provider_id bigint, p_academic_year text, p_term term_name)
RETURNS TABLE (
    assessment text, disadvantaged boolean, pupils bigint, without_english_or_maths bigint, grade_4 bigint, grade_5 bigint,
    attainment_8_sum float8, attainment_8_sum_squares float8, subjects text, slots text
)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    PERFORM report_require_cohort();
    RETURN QUERY
    -- Each point's slot worked out once: inlined into the join, the rule's text matching ran for
    -- every result, 1.4 s of 2.2 s at 60,000 pupils (BENCHMARKS.md, 6 December 2026).
    WITH points AS MATERIALIZED (
        SELECT p.assessment_point_id, p.name, p.subject, ks4_subject_slot(p.subject) AS slot
        FROM assessment_points p
        WHERE p.provider_id = p_provider_id AND p.academic_year = p_academic_year AND p.term = p_term AND p.scale = 'gcse'
    ), results AS (
        SELECT p.name AS assessment, p.subject, p.slot, c.student_id, c.disadvantaged, r.score
        FROM points p
        JOIN assessment_results r ON r.assessment_point_id = p.assessment_point_id
        JOIN pg_temp.report_cohort c ON c.student_id = r.student_id
        WHERE c.disadvantaged IS NOT NULL
    ), held AS (
        SELECT x.assessment, array_agg(x.subject ORDER BY x.subject) AS subjects, array_agg(x.slot ORDER BY x.subject) AS slots
        FROM (SELECT DISTINCT assessment, subject, slot FROM results) x
        GROUP BY x.assessment
        HAVING bool_or(x.slot = 'english') AND bool_or(x.slot = 'maths')
    ), ranked AS (
        SELECT assessment, student_id, disadvantaged, slot, score,
               row_number() OVER (PARTITION BY assessment, student_id, slot ORDER BY score DESC) AS k
        FROM results
    ), leftover AS (
        SELECT assessment, student_id, score,
               row_number() OVER (PARTITION BY assessment, student_id ORDER BY score DESC) AS k
        FROM ranked
        WHERE slot = 'open' OR (slot = 'english' AND k > 1) OR (slot = 'ebacc' AND k > 3) OR (slot = 'maths' AND k > 1)
    ), open_top AS (
        -- The open slots' three best, per pupil and assessment, summed once for all pupils: asked
        -- per pupil (a correlated subquery), it read every pupil's leftovers for each pupil, and
        -- took minutes at 60,000 pupils (BENCHMARKS.md).
        SELECT assessment, student_id, sum(score) AS open_sum
        FROM leftover
        WHERE k <= 3
        GROUP BY assessment, student_id
    ), per_pupil AS (
        SELECT r.assessment, r.student_id, r.disadvantaged,
               max(r.score) FILTER (WHERE r.slot = 'english') AS english,
               max(r.score) FILTER (WHERE r.slot = 'maths') AS maths,
               2 * coalesce(max(r.score) FILTER (WHERE r.slot = 'english'), 0)
                   + 2 * coalesce(max(r.score) FILTER (WHERE r.slot = 'maths'), 0)
                   + coalesce(sum(r.score) FILTER (WHERE r.slot = 'ebacc' AND r.k <= 3), 0)
                   + coalesce(max(t.open_sum), 0) AS a8
        FROM ranked r
        -- At most one row per pupil and assessment, so the pupil's own rows are not repeated.
        LEFT JOIN open_top t ON t.assessment = r.assessment AND t.student_id = r.student_id
        GROUP BY r.assessment, r.student_id, r.disadvantaged
    )
    SELECT u.assessment, u.disadvantaged, count(*),
           count(*) FILTER (WHERE u.english IS NULL OR u.maths IS NULL),
           count(*) FILTER (WHERE u.english >= 4 AND u.maths >= 4),
           count(*) FILTER (WHERE u.english >= 5 AND u.maths >= 5),
           sum(u.a8)::float8, sum(u.a8 * u.a8)::float8, array_to_json(h.subjects)::text, array_to_json(h.slots)::text
    FROM per_pupil u
    JOIN held h ON h.assessment = u.assessment
    GROUP BY u.assessment, u.disadvantaged, h.subjects, h.slots
    ORDER BY u.assessment, u.disadvantaged DESC;
END
$$;
COMMENT ON FUNCTION report_ks4_headlines(bigint, text, term_name) IS
    'Grade 4+ and 5+ in English and maths and Attainment 8 points per compared group of the loaded report cohort, for each GCSE-scale assessment of the term with English and maths results (docs/methodology.md §8.3).';
