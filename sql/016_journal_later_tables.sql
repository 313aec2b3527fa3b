-- The import journal (008_import_undo.sql) for the tables imports write that later numbered files
-- made: the school calendar (009) and a university's student records (013). 008 put the journal's
-- triggers on every import-written table that existed then; these came after it, so without this
-- `gaptrack import undo` would not see what a calendar or student-record import wrote
-- (docs/import-formats.md, "Undo and dry run"). A later file that adds a table an import writes
-- calls gaptrack_journal_import_changes for it in the same way.
SELECT gaptrack_journal_import_changes(t)
FROM unnest(ARRAY['school_calendar', 'he_courses', 'he_instances', 'he_instance_years']::regclass[]) AS t;
