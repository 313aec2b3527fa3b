-- gaptrack schema, part 6: attendance, one row per student per session.
--
-- Register codes (England, from August 2024): the School Attendance (Pupil Registration)
-- (England) Regulations 2024 and the DfE guidance "Working together to improve school attendance"
-- (August 2024); mirrored, with sources and the withdrawn codes, by GapTrackDomain.AttendanceCode.

CREATE TYPE session_half AS ENUM ('AM', 'PM');

-- The codes themselves. An enum rather than a foreign key to the code table: a foreign key
-- check runs once per inserted row, which made loading a million marks several times slower;
-- an enum value is checked as it is read. attendance_codes below has a row for every value.
CREATE TYPE attendance_code AS ENUM (
    '/', '\', 'L',                                              -- present
    'K', 'V', 'P', 'W', 'B',                                    -- approved educational activity
    'C', 'C1', 'C2', 'E', 'I', 'J1', 'M', 'R', 'S', 'T',       -- authorised absence
    'G', 'N', 'O', 'U',                                         -- unauthorised absence
    'D', 'X', 'Q', 'Y1', 'Y2', 'Y3', 'Y4', 'Y5', 'Y6', 'Y7', 'Z', '#', -- not a possible session
    'H', 'J', 'Y', 'F'                                          -- withdrawn (history only)
);

CREATE TYPE attendance_category AS ENUM (
    'present', 'approved_educational_activity', 'authorised_absence', 'unauthorised_absence', 'not_possible'
);

-- The code table: which category each code is in, what it means, and when it was withdrawn.
-- Reports count sessions by joining marks to this table, never by listing codes themselves.
CREATE TABLE attendance_codes (
    code                  attendance_code PRIMARY KEY,
    category              attendance_category NOT NULL,
    meaning               text NOT NULL,
    -- The first day on which a withdrawn code may no longer be recorded; NULL = in use.
    withdrawn_from        date,
    -- Counts towards possible sessions (the denominator of the absence rate).
    counts_as_possible    boolean GENERATED ALWAYS AS (category <> 'not_possible') STORED,
    -- Present, or at an approved educational activity away from school.
    counts_as_attendance  boolean GENERATED ALWAYS AS (category IN ('present', 'approved_educational_activity')) STORED,
    counts_as_absence     boolean GENERATED ALWAYS AS (category IN ('authorised_absence', 'unauthorised_absence')) STORED,
    counts_as_unauthorised boolean GENERATED ALWAYS AS (category = 'unauthorised_absence') STORED
);
INSERT INTO attendance_codes (code, category, meaning, withdrawn_from) VALUES
    ('/', 'present', 'Present (morning)', NULL),
    ('\', 'present', 'Present (afternoon)', NULL),
    ('L', 'present', 'Late, arrived before the register closed', NULL),
    ('K', 'approved_educational_activity', 'Attending education provision arranged by the local authority', NULL),
    ('V', 'approved_educational_activity', 'Attending an educational visit or trip', NULL),
    ('P', 'approved_educational_activity', 'Participating in a supervised sporting activity', NULL),
    ('W', 'approved_educational_activity', 'Attending work experience', NULL),
    ('B', 'approved_educational_activity', 'Attending any other approved educational activity', NULL),
    ('C', 'authorised_absence', 'Leave of absence for exceptional circumstances', NULL),
    ('C1', 'authorised_absence', 'Leave of absence for a regulated performance or employment abroad', NULL),
    ('C2', 'authorised_absence', 'Leave of absence for a part-time timetable', NULL),
    ('E', 'authorised_absence', 'Suspended or permanently excluded, no alternative provision', NULL),
    ('I', 'authorised_absence', 'Illness (not medical or dental appointment)', NULL),
    ('J1', 'authorised_absence', 'Leave of absence for an interview', NULL),
    ('M', 'authorised_absence', 'Leave of absence for a medical or dental appointment', NULL),
    ('R', 'authorised_absence', 'Religious observance', NULL),
    ('S', 'authorised_absence', 'Leave of absence for study leave', NULL),
    ('T', 'authorised_absence', 'Parent travelling for occupational purposes', NULL),
    ('G', 'unauthorised_absence', 'Holiday not granted by the school', NULL),
    ('N', 'unauthorised_absence', 'Reason for absence not yet established', NULL),
    ('O', 'unauthorised_absence', 'Absent in other or unknown circumstances', NULL),
    ('U', 'unauthorised_absence', 'Arrived in school after the register closed', NULL),
    ('D', 'not_possible', 'Dual registered, attending the other school', NULL),
    ('X', 'not_possible', 'Not required to attend: not of compulsory school age', NULL),
    ('Q', 'not_possible', 'Unable to attend: lack of access arrangements', NULL),
    ('Y1', 'not_possible', 'Unable to attend: transport not available', NULL),
    ('Y2', 'not_possible', 'Unable to attend: widespread travel disruption', NULL),
    ('Y3', 'not_possible', 'Unable to attend: part of the school premises closed', NULL),
    ('Y4', 'not_possible', 'Unable to attend: whole school site closed unexpectedly', NULL),
    ('Y5', 'not_possible', 'Unable to attend: in criminal justice detention', NULL),
    ('Y6', 'not_possible', 'Unable to attend: public health guidance or law', NULL),
    ('Y7', 'not_possible', 'Unable to attend: any other unavoidable cause', NULL),
    ('Z', 'not_possible', 'Prospective pupil not yet on the admission register', NULL),
    ('#', 'not_possible', 'Planned whole or partial school closure', NULL),
    ('H', 'authorised_absence', 'Holiday authorised by the school (withdrawn 2024)', '2024-08-01'),
    ('J', 'approved_educational_activity', 'Interview (withdrawn 2024; now J1, an authorised absence)', '2024-08-01'),
    ('Y', 'not_possible', 'Unable to attend due to exceptional circumstances (withdrawn 2024; now Q and Y1-Y7)', '2024-08-01'),
    ('F', 'authorised_absence', 'Agreed extended family holiday (withdrawn September 2013)', '2013-09-01');

-- One row per student per session. Partitioned by reporting term (fixed windows, see `terms`):
-- an import whose term has no partition yet loads it into a fresh table, builds the primary key
-- in one sorted pass and attaches it, which is several times faster than maintaining the index
-- and the foreign keys row by row (measured: docs/import-formats.md, "Performance"). Marks for a
-- term that already has a partition are merged into it with set-based SQL. Reads see one table.
CREATE TABLE attendance_marks (
    student_id    bigint NOT NULL REFERENCES students ON DELETE CASCADE,
    session_date  date NOT NULL,
    session       session_half NOT NULL,
    code          attendance_code NOT NULL,
    -- No import_id here (unlike the other tables): at a million marks a file it made every row
    -- 8 bytes wider and added a foreign key to check, about a quarter of the load time. The
    -- import ledger names the files, and the history below names the import that replaced a mark.
    PRIMARY KEY (student_id, session_date, session),
    -- A withdrawn code may only be recorded for a session before its withdrawal (kept in step
    -- with attendance_codes.withdrawn_from; a test checks that they agree).
    CONSTRAINT attendance_marks_code_in_use CHECK (
        (code NOT IN ('H', 'J', 'Y') OR session_date < DATE '2024-08-01')
        AND (code <> 'F' OR session_date < DATE '2013-09-01'))
) PARTITION BY RANGE (session_date);
COMMENT ON TABLE attendance_marks IS
    'One row per student per session (date, AM/PM) with its DfE register code; join attendance_codes for the category. Replaced marks are kept in attendance_mark_history.';

-- Catches marks written outside the import (for a term that has no partition yet), so that
-- inserting never fails for want of a partition.
CREATE TABLE attendance_marks_default PARTITION OF attendance_marks DEFAULT;

-- Every mark that was replaced by a different code: re-recording a session keeps its history.
CREATE TABLE attendance_mark_history (
    history_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    student_id        bigint NOT NULL REFERENCES students ON DELETE CASCADE,
    session_date      date NOT NULL,
    session           session_half NOT NULL,
    -- The code that was replaced.
    code              attendance_code NOT NULL,
    -- The code that replaced it, and the import that did so (NULL when changed outside an import).
    replaced_by_code  attendance_code NOT NULL,
    replaced_by_import_id bigint REFERENCES imports,
    replaced_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (code <> replaced_by_code)
);
CREATE INDEX attendance_mark_history_session_idx ON attendance_mark_history (student_id, session_date, session);

-- Fills the history from any UPDATE of attendance_marks, whoever runs it, once per statement
-- (transition tables), so a merge of a million rows is not a million trigger calls. The import
-- says who it is with set_config('gaptrack.import_id', id, true) for its transaction.
CREATE FUNCTION attendance_marks_keep_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attendance_mark_history
        (student_id, session_date, session, code, replaced_by_code, replaced_by_import_id)
    SELECT o.student_id, o.session_date, o.session, o.code, n.code,
           nullif(current_setting('gaptrack.import_id', true), '')::bigint
    FROM old_marks o
    JOIN new_marks n USING (student_id, session_date, session)
    WHERE o.code <> n.code;
    RETURN NULL;
END
$$;
CREATE TRIGGER attendance_marks_history AFTER UPDATE ON attendance_marks
    REFERENCING OLD TABLE AS old_marks NEW TABLE AS new_marks
    FOR EACH STATEMENT EXECUTE FUNCTION attendance_marks_keep_history();

-- The name of the partition that holds a term's marks, e.g. attendance_marks_2024_25_autumn.
CREATE FUNCTION attendance_partition_name(p_academic_year text, p_term term_name) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT format('attendance_marks_%s_%s', replace(p_academic_year, '/', '_'), p_term)
$$;

-- Whether the term's marks can be bulk-loaded into a new partition: it has none yet, and the
-- default partition holds no marks in its dates.
CREATE FUNCTION attendance_term_is_empty(p_academic_year text, p_term term_name) RETURNS boolean
LANGUAGE sql STABLE STRICT AS $$
    SELECT to_regclass(attendance_partition_name(p_academic_year, p_term)) IS NULL
       AND NOT EXISTS (
           SELECT 1 FROM attendance_marks_default d, terms t
           WHERE t.academic_year = p_academic_year AND t.term = p_term
             AND d.session_date BETWEEN t.starts_on AND t.ends_on)
$$;

-- Step 1 of a bulk load: a detached table shaped like attendance_marks, with a CHECK that its
-- dates fall in the term (so that attaching it needs no scan). Returns the table's name; the
-- importer COPYs into it, then calls attendance_attach_term_table.
CREATE FUNCTION attendance_create_term_table(p_academic_year text, p_term term_name) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_name text := attendance_partition_name(p_academic_year, p_term);
    v_term terms%ROWTYPE;
BEGIN
    SELECT * INTO STRICT v_term FROM terms WHERE academic_year = p_academic_year AND term = p_term;
    IF NOT attendance_term_is_empty(p_academic_year, p_term) THEN
        RAISE EXCEPTION 'attendance for % % already has marks; merge into attendance_marks instead', p_academic_year, p_term;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE attendance_marks INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', v_name);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (session_date BETWEEN %L AND %L)',
                   v_name, v_name || '_in_term', v_term.starts_on, v_term.ends_on);
    RETURN v_name;
END
$$;

-- Step 2: build the primary key in one pass and attach the table as the term's partition. The
-- parent's foreign key is cloned onto it and validated with one set-based query. The importer
-- COPYs the marks in primary-key order, so the index build's sort finds them sorted; parallel
-- workers would each re-sort a share and were slower here, hence none.
CREATE FUNCTION attendance_attach_term_table(p_academic_year text, p_term term_name) RETURNS void
LANGUAGE plpgsql SET max_parallel_maintenance_workers = 0 AS $$
DECLARE
    v_name text := attendance_partition_name(p_academic_year, p_term);
    v_term terms%ROWTYPE;
BEGIN
    SELECT * INTO STRICT v_term FROM terms WHERE academic_year = p_academic_year AND term = p_term;
    EXECUTE format('ALTER TABLE %I ADD PRIMARY KEY (student_id, session_date, session)', v_name);
    EXECUTE format('ALTER TABLE attendance_marks ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   v_name, v_term.starts_on, v_term.ends_on + 1);
END
$$;
