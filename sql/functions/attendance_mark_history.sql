-- Attendance history: a mark an import replaces is kept with the mark and import that replaced it
-- (docs/methodology.md §3), so a changed register can be audited.

-- Fills the history from any UPDATE of attendance_marks, whoever runs it, once per statement
-- (transition tables), so a merge of a million rows is not a million trigger calls. The import
-- says who it is with set_config('gaptrack.import_id', id, true) for its transaction.
CREATE OR REPLACE FUNCTION attendance_marks_keep_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attendance_mark_history
        (provider_id, student_id, session_date, session, code, replaced_by_code, replaced_by_import_id)
    SELECT o.provider_id, o.student_id, o.session_date, o.session, o.code, n.code,
           nullif(current_setting('gaptrack.import_id', true), '')::bigint
    FROM old_marks o
    JOIN new_marks n USING (provider_id, student_id, session_date, session)
    WHERE o.code <> n.code;
    RETURN NULL;
END
$$;
