-- A new support record's id is drawn at random and checked against every provider's records
-- before use (support_records_new_id, sql/functions/record_ids.sql; docs/security.md, "No side
-- channels"). Since 022 the primary key is (provider_id, support_id), and no index served a
-- look-up by support_id alone: the check read the whole table for each new record, so a first
-- load of N records read about N²/2 rows (26 s at 23,601 records, more than 14 minutes at
-- 236,000: BENCHMARKS.md, "Support load"), and each record the service writes read every
-- school's. With this index the check is one index probe. Not unique: uniqueness across
-- providers is what the check itself keeps, and a unique key without provider_id is not
-- shard-ready (docs/scaling.md, "Shard-ready schema").
CREATE INDEX support_records_support_id_idx ON support_records (support_id);
