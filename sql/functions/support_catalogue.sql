-- The support types and funding sources a provider may use: the shared catalogue and its own
-- (sql/009_calendar_catalogue.sql; docs/import-formats.md, "A provider's own catalogue"). The one
-- lookup every door uses: the support import and the service read it (SupportRecordRules), and the
-- trigger below checks each written record against it. PL/pgSQL so that it may be defined before
-- the provider tables exist (009 creates the trigger that calls it).
-- after version: 7

CREATE OR REPLACE FUNCTION support_catalogue(p_provider_id bigint)
RETURNS TABLE (kind text, code text, display_name text, is_financial boolean, own boolean)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT 'support-type'::text, t.type, t.display_name, t.is_financial, false FROM intervention_types t
    UNION ALL
    SELECT 'support-type'::text, p.type, p.display_name, p.is_financial, true
    FROM provider_support_types p WHERE p.provider_id = p_provider_id
    UNION ALL
    SELECT 'funding-source'::text, f.funding_source, f.display_name, NULL::boolean, false FROM funding_sources f
    UNION ALL
    SELECT 'funding-source'::text, p.funding_source, p.display_name, NULL::boolean, true
    FROM provider_funding_sources p WHERE p.provider_id = p_provider_id;
END
$$;

-- The foreign key support_records cannot have: its type and fund are in its provider's catalogue.
CREATE OR REPLACE FUNCTION support_records_check_catalogue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM intervention_types t WHERE t.type = NEW.type)
       AND NOT EXISTS (SELECT FROM provider_support_types p WHERE p.provider_id = NEW.provider_id AND p.type = NEW.type) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('support type %L is not in the catalogue of provider %s', NEW.type, NEW.provider_id);
    END IF;
    IF NEW.funding_source IS NOT NULL
       AND NOT EXISTS (SELECT FROM funding_sources f WHERE f.funding_source = NEW.funding_source)
       AND NOT EXISTS (SELECT FROM provider_funding_sources p
                       WHERE p.provider_id = NEW.provider_id AND p.funding_source = NEW.funding_source) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('funding source %L is not in the catalogue of provider %s', NEW.funding_source, NEW.provider_id);
    END IF;
    RETURN NEW;
END
$$;
