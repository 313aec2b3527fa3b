-- The pupil premium strategy (docs/methodology.md §6.4): each support type's EEF tier, a
-- provider's planned budget by tier, and the rows of its strategy statement (challenges,
-- intended outcomes, activities) for an academic year. The per-pupil rates are not here: they
-- are the checked-in table GapTrackDomain.PupilPremiumRates (docs/methodology.md §1.4).

-- The three tiers of the EEF's tiered approach, which the DfE's strategy statement template
-- follows (docs/methodology.md §6.4). Mirrored by GapTrackDomain.PupilPremiumTier.
CREATE TYPE pupil_premium_tier AS ENUM ('high_quality_teaching', 'targeted_academic_support', 'wider_strategies');

-- Which tier a support type's spend counts in unless a provider says otherwise: a shared
-- catalogue, like intervention_types. The defaults and why are in docs/methodology.md §6.4.
CREATE TABLE pupil_premium_tier_defaults (
    type  text PRIMARY KEY REFERENCES intervention_types,
    tier  pupil_premium_tier NOT NULL
);

INSERT INTO pupil_premium_tier_defaults (type, tier) VALUES
    ('tutoring', 'targeted_academic_support'),
    ('language_support', 'targeted_academic_support'),
    ('mentoring', 'wider_strategies'),
    ('care_experienced_transition', 'wider_strategies'),
    ('enrichment', 'wider_strategies'),
    ('bursary', 'wider_strategies'),
    ('hardship_award', 'wider_strategies'),
    ('food_support', 'wider_strategies'),
    ('housing_support', 'wider_strategies'),
    ('device_or_data', 'wider_strategies');

-- A provider's own assignment of a support type to a tier, overriding the default.
CREATE TABLE pupil_premium_tier_assignments (
    provider_id  bigint NOT NULL REFERENCES providers,
    type         text NOT NULL REFERENCES intervention_types,
    tier         pupil_premium_tier NOT NULL,
    PRIMARY KEY (provider_id, type)
);

-- The planned budget of one tier in one academic year, in pounds and pence (numeric, exact).
CREATE TABLE pupil_premium_budgets (
    provider_id    bigint NOT NULL REFERENCES providers,
    academic_year  text NOT NULL REFERENCES academic_years,
    tier           pupil_premium_tier NOT NULL,
    amount         numeric(12, 2) NOT NULL CHECK (amount >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, academic_year, tier)
);

-- The text rows of a strategy statement, numbered within their section as the DfE template
-- numbers them: challenges (1, 2, ...), intended outcomes, and activities by tier with the
-- evidence for them and the challenges they address.
CREATE TYPE pupil_premium_section AS ENUM ('challenge', 'intended_outcome', 'activity');

CREATE TABLE pupil_premium_statement_rows (
    provider_id        bigint NOT NULL REFERENCES providers,
    academic_year      text NOT NULL REFERENCES academic_years,
    section            pupil_premium_section NOT NULL,
    number             integer NOT NULL CHECK (number BETWEEN 1 AND 999),
    text               text NOT NULL CHECK (btrim(text) <> ''),
    -- Activities: their tier, the evidence that supports them, the challenges they address.
    tier               pupil_premium_tier,
    evidence           text CHECK (btrim(evidence) <> ''),
    challenges         integer[] NOT NULL DEFAULT '{}',
    -- Activities bought from outside the school: the programme's provider (template part B).
    external_provider  text CHECK (btrim(external_provider) <> ''),
    -- Intended outcomes: how success will be judged.
    success_criteria   text CHECK (btrim(success_criteria) <> ''),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, academic_year, section, number),
    CHECK ((section = 'activity') = (tier IS NOT NULL)),
    CHECK (section = 'activity' OR (evidence IS NULL AND external_provider IS NULL AND challenges = '{}')),
    CHECK (section = 'intended_outcome' OR success_criteria IS NULL)
);

SELECT gaptrack_protect_provider_table('pupil_premium_tier_assignments');
SELECT gaptrack_protect_provider_table('pupil_premium_budgets');
SELECT gaptrack_protect_provider_table('pupil_premium_statement_rows');
SELECT gaptrack_track_data_changes('pupil_premium_tier_defaults');
SELECT gaptrack_track_data_changes('pupil_premium_tier_assignments');
SELECT gaptrack_track_data_changes('pupil_premium_budgets');
SELECT gaptrack_track_data_changes('pupil_premium_statement_rows');

-- Reports read through gaptrack_report (004_report_audience.sql): the same grants and
-- provider condition as every other report-read table.
GRANT SELECT ON pupil_premium_tier_defaults TO gaptrack_service, gaptrack_governor, gaptrack_report;
GRANT SELECT ON pupil_premium_tier_assignments, pupil_premium_budgets, pupil_premium_statement_rows TO gaptrack_report;
CREATE POLICY report_reads_own_provider ON pupil_premium_tier_assignments FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());
CREATE POLICY report_reads_own_provider ON pupil_premium_budgets FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());
CREATE POLICY report_reads_own_provider ON pupil_premium_statement_rows FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());
