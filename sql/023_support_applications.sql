-- Applications for cost-of-living support: who applied to which fund in which academic year, and
-- what was decided. With the support records they give the funnel of the Office for Students'
-- financial support evaluation toolkit, eligible → applied → received, by student group
-- (docs/methodology.md §11.9); without them only "received" can be counted.

ALTER TYPE import_kind ADD VALUE IF NOT EXISTS 'support-applications';

-- What the provider decided. No decision recorded (NULL) means the application is counted by the
-- fund's rule where the row gives the household income and the fund's threshold, and as not yet
-- assessed otherwise (docs/methodology.md §11.9).
CREATE TYPE support_application_decision AS ENUM ('eligible', 'ineligible', 'withdrawn');

CREATE TABLE support_applications (
    provider_id       bigint NOT NULL,
    student_id        bigint NOT NULL,
    funding_source    text NOT NULL CHECK (funding_source ~ '^[a-z][a-z0-9_]*$' AND char_length(funding_source) <= 50),
    applied_on        date NOT NULL CHECK (applied_on BETWEEN '1990-01-01' AND '2100-12-31'),
    academic_year     text NOT NULL CHECK (academic_year ~ '^[0-9]{4}/[0-9]{2}$'),
    decision          support_application_decision,
    -- Household residual income as assessed, and the fund's income threshold that year, in pounds.
    household_income  numeric(12, 2) CHECK (household_income >= 0),
    income_threshold  numeric(12, 2) CHECK (income_threshold > 0),
    -- The support record the application led to, when it was awarded.
    support_id        bigint,
    import_id         bigint,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, student_id, funding_source, applied_on),
    FOREIGN KEY (student_id, provider_id) REFERENCES students (student_id, provider_id) ON DELETE CASCADE,
    FOREIGN KEY (provider_id, support_id) REFERENCES support_records (provider_id, support_id) ON DELETE SET NULL (support_id),
    -- The ledger row of the import that wrote it, by (provider, import) so that it moves with the provider.
    FOREIGN KEY (provider_id, import_id) REFERENCES imports (provider_id, import_id)
);

CREATE INDEX support_applications_support ON support_applications (provider_id, support_id) WHERE support_id IS NOT NULL;

SELECT gaptrack_protect_provider_table('support_applications');
SELECT gaptrack_track_data_changes('support_applications');
SELECT gaptrack_journal_import_changes('support_applications');

-- Reports read through gaptrack_report (sql/004_report_audience.sql), as for every provider table.
GRANT SELECT ON support_applications TO gaptrack_report;
CREATE POLICY report_reads_own_provider ON support_applications FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());
