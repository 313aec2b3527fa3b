-- gaptrack schema, part 7: assessments. Every result names its scale, so that it can be checked,
-- ranked and standardised (domain reference, section 4).

-- Stable values shared with GapTrackDomain.AssessmentScale.
CREATE TYPE assessment_scale AS ENUM (
    'ks2_scaled_score', 'gcse', 'standardised_score', 'percentage', 'he_mark', 'degree_class'
);

-- The code table for scales: range, and whether scores are whole numbers.
CREATE TABLE assessment_scales (
    scale          assessment_scale PRIMARY KEY,
    display_name   text NOT NULL,
    min_score      numeric NOT NULL,
    max_score      numeric NOT NULL,
    whole_numbers  boolean NOT NULL,
    meaning        text NOT NULL,
    CHECK (min_score < max_score)
);
INSERT INTO assessment_scales VALUES
    ('ks2_scaled_score', 'KS2 scaled score', 80, 120, true,
     'Key stage 2 scaled score; 100 = expected standard, 110 = high standard (Standards and Testing Agency).'),
    ('gcse', 'GCSE grade', 0, 9, true,
     'GCSE grade 9 (highest) to 1; U (ungraded) is stored as 0 (Ofqual 9 to 1 grading).'),
    ('standardised_score', 'standardised score', 55, 145, true,
     'Standardised score, mean 100 and standard deviation 15; 55-145 accepts any publisher''s range.'),
    ('percentage', 'percentage', 0, 100, false, 'A percentage mark.'),
    ('he_mark', 'HE module mark', 0, 100, false, 'A higher education module mark out of 100.'),
    ('degree_class', 'degree classification', 1, 4, true,
     'UK honours degree classification: 1 = third, 2 = 2:2, 3 = 2:1, 4 = first.');

-- An assessment point: one named assessment of one subject in one term at one provider
-- ("Year 11 autumn mock, maths, 2024/25 autumn"). Results on it are on one scale.
CREATE TABLE assessment_points (
    assessment_point_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider_id          bigint NOT NULL REFERENCES providers,
    subject              text NOT NULL CHECK (btrim(subject) <> ''),
    name                 text NOT NULL CHECK (btrim(name) <> ''),
    scale                assessment_scale NOT NULL REFERENCES assessment_scales,
    academic_year        text NOT NULL,
    term                 term_name NOT NULL,
    -- The first day on which results were taken (each result keeps its own date too); NULL when
    -- the point was recorded without results.
    held_on              date,
    import_id            bigint REFERENCES imports,
    FOREIGN KEY (academic_year, term) REFERENCES terms,
    -- Inside the academic year the point belongs to.
    CHECK (held_on IS NULL OR held_on BETWEEN make_date(left(academic_year, 4)::int, 8, 1) AND make_date(left(academic_year, 4)::int + 1, 7, 31)),
    -- The natural key imports upsert on. Subject and name are matched as written.
    UNIQUE (provider_id, academic_year, term, subject, name),
    -- Lets results repeat the scale under a foreign key, so their score can be range-checked.
    UNIQUE (assessment_point_id, scale)
);

-- One result per student per assessment point.
CREATE TABLE assessment_results (
    assessment_point_id  bigint NOT NULL,
    scale                assessment_scale NOT NULL,
    student_id           bigint NOT NULL REFERENCES students ON DELETE CASCADE,
    -- The numeric score on the scale (GCSE U = 0; degree class 1-4), and the result as written.
    score                numeric NOT NULL,
    result_text          text NOT NULL CHECK (btrim(result_text) <> ''),
    -- The day the student sat it.
    assessed_on          date NOT NULL,
    import_id            bigint REFERENCES imports,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (assessment_point_id, student_id),
    FOREIGN KEY (assessment_point_id, scale) REFERENCES assessment_points (assessment_point_id, scale) ON DELETE CASCADE,
    CHECK (CASE scale
        WHEN 'ks2_scaled_score' THEN score BETWEEN 80 AND 120 AND score = trunc(score)
        WHEN 'gcse' THEN score BETWEEN 0 AND 9 AND score = trunc(score)
        WHEN 'standardised_score' THEN score BETWEEN 55 AND 145 AND score = trunc(score)
        WHEN 'percentage' THEN score BETWEEN 0 AND 100
        WHEN 'he_mark' THEN score BETWEEN 0 AND 100
        WHEN 'degree_class' THEN score IN (1, 2, 3, 4)
    END)
);
CREATE INDEX assessment_results_student_idx ON assessment_results (student_id);
