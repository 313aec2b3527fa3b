-- Restricted records: support for care-experienced students is always restricted, whoever writes it
-- (who may see restricted records: 001_baseline.sql and service_context.sql).

CREATE OR REPLACE FUNCTION support_records_restrict_care_programmes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.type = 'care_experienced_transition' THEN
        NEW.restricted := true;
    END IF;
    RETURN NEW;
END
$$;
