-- The school calendar (docs/methodology.md §3.3, docs/import-formats.md "calendar.csv"): a
-- provider's term dates, holidays, closures and INSET days, and the English bank holidays that
-- apply when a provider has recorded none of its own. Attendance marks are checked against it
-- and a report's possible sessions come from it (functions/school_calendar.sql).

ALTER TYPE import_kind ADD VALUE IF NOT EXISTS 'calendar';

CREATE TYPE school_calendar_kind AS ENUM ('term', 'holiday', 'closure', 'inset');

-- One period of the calendar as the school publishes it. A term is the span the school is open;
-- holidays (half terms included), closures and INSET days inside it take days out. The key
-- carries provider_id so that a provider's calendar moves with its shard.
CREATE TABLE school_calendar (
    provider_id  bigint NOT NULL REFERENCES providers,
    kind         school_calendar_kind NOT NULL,
    date_from    date NOT NULL,
    date_to      date NOT NULL,
    description  text NOT NULL DEFAULT '' CHECK (char_length(description) <= 200),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, kind, date_from),
    CHECK (date_to >= date_from),
    -- No period is longer than a year; a longer one is a typing error in a year.
    CHECK (date_to - date_from <= 366)
);

SELECT gaptrack_protect_provider_table('school_calendar');
SELECT gaptrack_track_data_changes('school_calendar');
GRANT SELECT ON school_calendar TO gaptrack_report;
CREATE POLICY report_reads_own_provider ON school_calendar FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());

-- Bank holidays in England and Wales, as published at https://www.gov.uk/bank-holidays
-- (docs/methodology.md §3.3): shared reference data, no provider_id.
CREATE TABLE bank_holidays (
    day   date PRIMARY KEY,
    name  text NOT NULL CHECK (btrim(name) <> '')
);
GRANT SELECT ON bank_holidays TO gaptrack_service, gaptrack_governor, gaptrack_report;
-- Reports read it (possible sessions), so a change to it makes cached reports compute afresh.
SELECT gaptrack_track_data_changes('bank_holidays');

INSERT INTO bank_holidays (day, name) VALUES
    ('2023-01-02', 'New Year''s Day (substitute day)'),
    ('2023-04-07', 'Good Friday'),
    ('2023-04-10', 'Easter Monday'),
    ('2023-05-01', 'Early May bank holiday'),
    ('2023-05-08', 'Bank holiday for the coronation of King Charles III'),
    ('2023-05-29', 'Spring bank holiday'),
    ('2023-08-28', 'Summer bank holiday'),
    ('2023-12-25', 'Christmas Day'),
    ('2023-12-26', 'Boxing Day'),
    ('2024-01-01', 'New Year''s Day'),
    ('2024-03-29', 'Good Friday'),
    ('2024-04-01', 'Easter Monday'),
    ('2024-05-06', 'Early May bank holiday'),
    ('2024-05-27', 'Spring bank holiday'),
    ('2024-08-26', 'Summer bank holiday'),
    ('2024-12-25', 'Christmas Day'),
    ('2024-12-26', 'Boxing Day'),
    ('2025-01-01', 'New Year''s Day'),
    ('2025-04-18', 'Good Friday'),
    ('2025-04-21', 'Easter Monday'),
    ('2025-05-05', 'Early May bank holiday'),
    ('2025-05-26', 'Spring bank holiday'),
    ('2025-08-25', 'Summer bank holiday'),
    ('2025-12-25', 'Christmas Day'),
    ('2025-12-26', 'Boxing Day'),
    ('2026-01-01', 'New Year''s Day'),
    ('2026-04-03', 'Good Friday'),
    ('2026-04-06', 'Easter Monday'),
    ('2026-05-04', 'Early May bank holiday'),
    ('2026-05-25', 'Spring bank holiday'),
    ('2026-08-31', 'Summer bank holiday'),
    ('2026-12-25', 'Christmas Day'),
    ('2026-12-28', 'Boxing Day (substitute day)');

-- A provider's own catalogue (docs/import-formats.md, "A provider's own catalogue"): support
-- types and funding sources a provider adds beside the shared ones (intervention_types,
-- funding_sources, which stay shared reference rows with no provider_id). Keyed (provider_id,
-- code), so that another provider neither sees nor can use them (row-level security) and the rows
-- move with their provider's shard. A code is never removed once added, since records use it.
CREATE TABLE provider_support_types (
    provider_id   bigint NOT NULL REFERENCES providers,
    type          text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*$' AND char_length(type) <= 50),
    display_name  text NOT NULL CHECK (btrim(display_name) <> '' AND char_length(display_name) <= 200),
    -- Money or goods given to the student rather than teaching time (as intervention_types).
    is_financial  boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, type)
);

CREATE TABLE provider_funding_sources (
    provider_id     bigint NOT NULL REFERENCES providers,
    funding_source  text NOT NULL CHECK (funding_source ~ '^[a-z][a-z0-9_]*$' AND char_length(funding_source) <= 50),
    display_name    text NOT NULL CHECK (btrim(display_name) <> '' AND char_length(display_name) <= 200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider_id, funding_source)
);

SELECT gaptrack_protect_provider_table('provider_support_types');
SELECT gaptrack_protect_provider_table('provider_funding_sources');
SELECT gaptrack_track_data_changes('provider_support_types');
SELECT gaptrack_track_data_changes('provider_funding_sources');
GRANT SELECT ON provider_support_types, provider_funding_sources TO gaptrack_report;
CREATE POLICY report_reads_own_provider ON provider_support_types FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());
CREATE POLICY report_reads_own_provider ON provider_funding_sources FOR SELECT TO gaptrack_report
    USING (provider_id = gaptrack_current_provider());

-- A support record's type and fund are a shared code or one of its own provider's: no single
-- foreign key can say that, so a trigger does (functions/support_catalogue.sql).
ALTER TABLE support_records
    DROP CONSTRAINT support_records_type_fkey,
    DROP CONSTRAINT support_records_funding_source_fkey;
CREATE TRIGGER support_records_catalogue_codes
    BEFORE INSERT OR UPDATE OF type, funding_source, provider_id ON support_records
    FOR EACH ROW EXECUTE FUNCTION support_records_check_catalogue();
