-- The data-protection lifecycle (docs/data-protection.md): retention rules and what they make due,
-- retention runs, legal holds, the erasure of one student with the redaction of the audit entries
-- that name them, the subject-access document, and the rows of a research export. For the owner
-- (the CLI) only: EXECUTE is revoked from PUBLIC on every function here. Written in PL/pgSQL so
-- that the tables of 005_data_protection.sql, created after these definitions, are looked up
-- when a function runs rather than when it is defined.
-- depends on: audit_log.sql, student_disadvantage.sql, report_cohorts.sql
-- after version: 22

-- Once students are gone (erased, or deleted whole by retention), every earlier entry of the
-- provider whose row key, before or after names one of them loses its before and after (the rows
-- as they were), keeping who, when, what action on which table. The change itself goes through
-- audit_log_redact (audit_log.sql), the audit log's one door, which records the redaction with
-- its reason (the erasure's token or the retention run). SECURITY DEFINER; EXECUTE for nobody but
-- the owner. Returns the number of entries redacted.
CREATE OR REPLACE FUNCTION gaptrack_redact_student_audit(p_provider_id bigint, p_student_ids bigint[], p_token text) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_students text[] := p_student_ids::text[];
    v_entries bigint[];
BEGIN
    SELECT coalesce(array_agg(a.audit_id), '{}') INTO v_entries
    FROM audit_log a
    WHERE a.provider_id = p_provider_id
      AND (a.row_key ->> 'student_id' = ANY (v_students) OR a.before ->> 'student_id' = ANY (v_students)
           OR a.after ->> 'student_id' = ANY (v_students));
    IF cardinality(v_entries) = 0 THEN
        RETURN 0;
    END IF;
    RETURN audit_log_redact(v_entries, p_token)::integer;
END
$$;
REVOKE ALL ON FUNCTION gaptrack_redact_student_audit(bigint, bigint[], text) FROM PUBLIC;

-- "date of birth + 25 years", "keep".
CREATE OR REPLACE FUNCTION retention_rule_text(p_basis text, p_years integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    RETURN CASE p_basis
        WHEN 'birth' THEN 'date of birth + ' || p_years || ' years'
        WHEN 'left' THEN 'left + ' || p_years || ' years'
        WHEN 'entry' THEN 'date of the record + ' || p_years || ' years'
        ELSE 'keep'
    END;
END
$$;

-- The rules in force for a provider: its own where set, else the default for its kind.
CREATE OR REPLACE FUNCTION retention_rules(p_provider_id bigint)
RETURNS TABLE (record_kind text, basis text, years integer, statutory_years integer, source text, set_by_provider boolean)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT d.record_kind::text,
           (CASE WHEN p.provider_id IS NULL THEN d.basis ELSE p.basis END)::text,
           CASE WHEN p.provider_id IS NULL THEN d.years ELSE p.years END,
           d.statutory_years,
           CASE WHEN p.provider_id IS NULL THEN d.source ELSE 'set by the provider (' || p.set_by || ', ' || p.set_at::date || '); default: ' || d.source END,
           p.provider_id IS NOT NULL
    FROM providers pr
    JOIN data_protection.retention_defaults d ON d.provider_kind = pr.kind
    LEFT JOIN data_protection.retention_policies p ON p.provider_id = pr.provider_id AND p.record_kind = d.record_kind
    WHERE pr.provider_id = p_provider_id
    ORDER BY d.record_kind;
END
$$;

-- Sets (or, with p_basis NULL, sets to "keep") a provider's rule for one kind of record. A
-- period shorter than the law requires is refused.
CREATE OR REPLACE FUNCTION retention_policy_set(p_provider_id bigint, p_record_kind text, p_basis text, p_years integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_default record;
BEGIN
    SELECT d.* INTO v_default FROM data_protection.retention_defaults d JOIN providers pr ON pr.kind = d.provider_kind
    WHERE pr.provider_id = p_provider_id AND d.record_kind = p_record_kind::data_protection.record_kind;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'provider % or record kind % does not exist', p_provider_id, p_record_kind USING ERRCODE = 'no_data_found';
    END IF;
    IF v_default.statutory_years IS NOT NULL
       AND (p_basis IS DISTINCT FROM v_default.basis::text OR p_years < v_default.statutory_years) THEN
        RAISE EXCEPTION 'the law requires % to be kept for %: %', replace(p_record_kind, '_', ' '),
            retention_rule_text(v_default.basis::text, v_default.statutory_years), v_default.source
            USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO data_protection.retention_policies (provider_id, record_kind, basis, years, set_by)
    VALUES (p_provider_id, p_record_kind::data_protection.record_kind, p_basis::data_protection.retention_basis, p_years, gaptrack_audit_actor())
    ON CONFLICT (provider_id, record_kind) DO UPDATE
        SET basis = EXCLUDED.basis, years = EXCLUDED.years, set_at = now(), set_by = EXCLUDED.set_by;
    INSERT INTO audit_log (provider_id, actor, action, table_name, row_key, before, after)
    VALUES (p_provider_id, gaptrack_audit_actor(), 'insert', 'retention_policies',
            jsonb_build_object('provider_id', p_provider_id, 'record_kind', p_record_kind), NULL,
            jsonb_build_object('basis', p_basis, 'years', p_years));
END
$$;

-- The day a student left: the latest leave date once every enrolment has one; NULL while any
-- enrolment is open, or when there is none. Every look-up of a student's rows in this file names
-- the student's provider, as the keys of the pupil-level tables lead with it (docs/scaling.md,
-- "Shard-ready schema"), so that it reads the student's own key range and needs no index by
-- student alone.
CREATE OR REPLACE FUNCTION retention_left_on(p_student_id bigint) RETURNS date
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT CASE WHEN count(*) > 0 AND bool_and(e.leave_date IS NOT NULL) THEN max(e.leave_date) END
            FROM enrolments e
            WHERE e.provider_id = (SELECT s.provider_id FROM students s WHERE s.student_id = p_student_id) AND e.student_id = p_student_id);
END
$$;

-- Every row the provider's rules make due on p_as_of, by kind of record and table, with the day
-- it fell due. Students under a legal hold are left out whole. A student due under the
-- student_record rule (who must also have left by p_as_of, or never been enrolled) is listed with
-- every row about them, and only under that rule; the other rules list the rows of everyone else.
-- The key columns: row_id for tables with a one-column key (the student, enrolment, marker,
-- history, support record; the assessment point for a result), session_date and session for
-- attendance marks.
CREATE OR REPLACE FUNCTION retention_due(p_provider_id bigint, p_as_of date)
RETURNS TABLE (record_kind text, table_name text, student_id bigint, row_id bigint, session_date date, session session_half, due_on date)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH rules AS (
        SELECT r.record_kind, r.basis, r.years FROM retention_rules(p_provider_id) r WHERE r.basis IS NOT NULL
    ),
    people AS (
        SELECT s.student_id, s.date_of_birth, retention_left_on(s.student_id) AS left_on,
               EXISTS (SELECT FROM enrolments e WHERE e.provider_id = p_provider_id AND e.student_id = s.student_id) AS enrolled
        FROM students s
        WHERE s.provider_id = p_provider_id
          AND NOT EXISTS (SELECT FROM data_protection.legal_holds h WHERE h.provider_id = p_provider_id AND h.student_id = s.student_id)
    ),
    -- When each rule's period ends for each student, for the bases that depend on the student.
    ends AS (
        SELECT p.student_id, r.record_kind, r.basis,
               CASE r.basis
                   WHEN 'birth' THEN (p.date_of_birth + make_interval(years => r.years))::date
                   WHEN 'left' THEN (p.left_on + make_interval(years => r.years))::date
               END AS ends_on,
               r.years
        FROM people p CROSS JOIN rules r
        -- Nobody still on roll is due under a rule that runs from the student.
        WHERE p.left_on <= p_as_of OR NOT p.enrolled
    ),
    whole AS (
        SELECT e.student_id, e.ends_on FROM ends e
        WHERE e.record_kind = 'student_record' AND e.basis <> 'entry' AND e.ends_on <= p_as_of
    ),
    others AS (
        SELECT p.student_id, p.date_of_birth, p.left_on, p.enrolled FROM people p
        WHERE NOT EXISTS (SELECT FROM whole w WHERE w.student_id = p.student_id)
    ),
    -- The day a row of a kind falls due: from the student (birth, left) or from its own date.
    rule_of AS (
        SELECT o.student_id, r.record_kind, r.basis, r.years, x.ends_on AS student_ends_on
        FROM others o CROSS JOIN rules r
        LEFT JOIN ends x ON x.student_id = o.student_id AND x.record_kind = r.record_kind
        WHERE r.record_kind <> 'student_record'
    )
    SELECT 'student_record', 'students', w.student_id, w.student_id, NULL::date, NULL::session_half, w.ends_on FROM whole w
    UNION ALL
    SELECT 'student_record', 'enrolments', w.student_id, e.enrolment_id, NULL, NULL, w.ends_on
    FROM whole w JOIN enrolments e ON e.provider_id = p_provider_id AND e.student_id = w.student_id
    UNION ALL
    SELECT 'student_record', 'student_markers', w.student_id, m.marker_id, NULL, NULL, w.ends_on
    FROM whole w JOIN student_markers m ON m.provider_id = p_provider_id AND m.student_id = w.student_id
    UNION ALL
    SELECT 'student_record', 'attendance_marks', w.student_id, NULL, a.session_date, a.session, w.ends_on
    FROM whole w JOIN attendance_marks a ON a.provider_id = p_provider_id AND a.student_id = w.student_id
    UNION ALL
    SELECT 'student_record', 'attendance_mark_history', w.student_id, h.history_id, NULL, NULL, w.ends_on
    FROM whole w JOIN attendance_mark_history h ON h.provider_id = p_provider_id AND h.student_id = w.student_id
    UNION ALL
    SELECT 'student_record', 'assessment_results', w.student_id, r.assessment_point_id, NULL, NULL, w.ends_on
    FROM whole w JOIN assessment_results r ON r.provider_id = p_provider_id AND r.student_id = w.student_id
    UNION ALL
    SELECT 'student_record', 'support_records', w.student_id, s.support_id, NULL, NULL, w.ends_on
    FROM whole w JOIN support_records s ON s.provider_id = p_provider_id AND s.student_id = w.student_id
    UNION ALL
    SELECT 'attendance', 'attendance_marks', a.student_id, NULL, a.session_date, a.session, d.due_on
    FROM rule_of k JOIN attendance_marks a ON a.provider_id = p_provider_id AND a.student_id = k.student_id
    CROSS JOIN LATERAL (SELECT CASE k.basis WHEN 'entry' THEN (a.session_date + make_interval(years => k.years))::date
                                            ELSE k.student_ends_on END AS due_on) d
    WHERE k.record_kind = 'attendance' AND d.due_on <= p_as_of
    UNION ALL
    SELECT 'attendance', 'attendance_mark_history', h.student_id, h.history_id, NULL, NULL, d.due_on
    FROM rule_of k JOIN attendance_mark_history h ON h.provider_id = p_provider_id AND h.student_id = k.student_id
    CROSS JOIN LATERAL (SELECT CASE k.basis WHEN 'entry' THEN (h.session_date + make_interval(years => k.years))::date
                                            ELSE k.student_ends_on END AS due_on) d
    WHERE k.record_kind = 'attendance' AND d.due_on <= p_as_of
    UNION ALL
    SELECT 'results', 'assessment_results', r.student_id, r.assessment_point_id, NULL, NULL, d.due_on
    FROM rule_of k JOIN assessment_results r ON r.provider_id = p_provider_id AND r.student_id = k.student_id
    CROSS JOIN LATERAL (SELECT CASE k.basis WHEN 'entry' THEN (r.assessed_on + make_interval(years => k.years))::date
                                            ELSE k.student_ends_on END AS due_on) d
    WHERE k.record_kind = 'results' AND d.due_on <= p_as_of
    UNION ALL
    -- A support record runs from the day it ended; one still running (no end, not ended or
    -- cancelled) is never due from its own date.
    SELECT 'support', 'support_records', s.student_id, s.support_id, NULL, NULL, d.due_on
    FROM rule_of k JOIN support_records s ON s.provider_id = p_provider_id AND s.student_id = k.student_id
    CROSS JOIN LATERAL (SELECT CASE k.basis
                                   WHEN 'entry' THEN (coalesce(s.ends_on, CASE WHEN s.status IN ('ended', 'cancelled') THEN s.starts_on END)
                                                      + make_interval(years => k.years))::date
                                   ELSE k.student_ends_on END AS due_on) d
    WHERE k.record_kind = 'support' AND d.due_on <= p_as_of;
END
$$;

-- What `gaptrack retention plan` lists: per kind and table, the rule, the rows and students due,
-- and the earliest and latest day they fell due. Writes nothing.
CREATE OR REPLACE FUNCTION retention_plan(p_provider_id bigint, p_as_of date)
RETURNS TABLE (record_kind text, table_name text, rule text, source text, rows_due bigint, students bigint, earliest date, latest date)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT d.record_kind, d.table_name, retention_rule_text(r.basis, r.years), r.source,
           count(*), count(DISTINCT d.student_id), min(d.due_on), max(d.due_on)
    FROM retention_due(p_provider_id, p_as_of) d
    JOIN retention_rules(p_provider_id) r ON r.record_kind = d.record_kind
    GROUP BY d.record_kind, d.table_name, r.basis, r.years, r.source
    ORDER BY d.record_kind, d.table_name;
END
$$;

-- Deletes what retention_due lists, in one transaction (the caller's), and returns what was
-- deleted in retention_plan's shape. The audit triggers count the rows instead of copying them
-- (the personal data deleted never enters the audit log), and earlier entries that copied the
-- rows of students deleted whole are redacted: the rows per table go into one retention_runs
-- row and one audit entry naming the rules. Deletes nothing, and records nothing,
-- when nothing is due: a second run is a no-op.
CREATE OR REPLACE FUNCTION retention_apply(p_provider_id bigint, p_as_of date)
RETURNS TABLE (record_kind text, table_name text, rule text, source text, rows_due bigint, students bigint, earliest date, latest date)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_run bigint;
    v_deleted jsonb;
    v_redacted integer;
BEGIN
    DROP TABLE IF EXISTS pg_temp.retention_due_rows, pg_temp.retention_deleted;
    CREATE TEMPORARY TABLE retention_due_rows ON COMMIT DROP AS SELECT * FROM retention_due(p_provider_id, p_as_of);
    CREATE TEMPORARY TABLE retention_deleted (record_kind text, table_name text, student_id bigint, due_on date) ON COMMIT DROP;
    IF NOT EXISTS (SELECT FROM retention_due_rows) THEN
        RETURN;
    END IF;
    IF NOT gaptrack_import_audit_open() THEN
        RAISE EXCEPTION 'retention apply must run as the schema owner (gaptrack migrate''s login): only it can keep the deleted rows out of the audit log'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    WITH gone AS (
        DELETE FROM attendance_mark_history x USING retention_due_rows d
        WHERE d.table_name = 'attendance_mark_history' AND x.provider_id = p_provider_id AND x.history_id = d.row_id RETURNING d.record_kind, d.table_name, d.student_id, d.due_on)
    INSERT INTO retention_deleted SELECT * FROM gone;
    WITH gone AS (
        DELETE FROM attendance_marks x USING retention_due_rows d
        WHERE d.table_name = 'attendance_marks' AND x.provider_id = p_provider_id AND x.student_id = d.student_id AND x.session_date = d.session_date AND x.session = d.session
        RETURNING d.record_kind, d.table_name, d.student_id, d.due_on)
    INSERT INTO retention_deleted SELECT * FROM gone;
    WITH gone AS (
        DELETE FROM assessment_results x USING retention_due_rows d
        WHERE d.table_name = 'assessment_results' AND x.provider_id = p_provider_id AND x.student_id = d.student_id AND x.assessment_point_id = d.row_id
        RETURNING d.record_kind, d.table_name, d.student_id, d.due_on)
    INSERT INTO retention_deleted SELECT * FROM gone;
    WITH gone AS (
        DELETE FROM support_records x USING retention_due_rows d
        WHERE d.table_name = 'support_records' AND x.provider_id = p_provider_id AND x.support_id = d.row_id RETURNING d.record_kind, d.table_name, d.student_id, d.due_on)
    INSERT INTO retention_deleted SELECT * FROM gone;
    WITH gone AS (
        DELETE FROM student_markers x USING retention_due_rows d
        WHERE d.table_name = 'student_markers' AND x.provider_id = p_provider_id AND x.marker_id = d.row_id RETURNING d.record_kind, d.table_name, d.student_id, d.due_on)
    INSERT INTO retention_deleted SELECT * FROM gone;
    WITH gone AS (
        DELETE FROM enrolments x USING retention_due_rows d
        WHERE d.table_name = 'enrolments' AND x.provider_id = p_provider_id AND x.enrolment_id = d.row_id RETURNING d.record_kind, d.table_name, d.student_id, d.due_on)
    INSERT INTO retention_deleted SELECT * FROM gone;
    WITH gone AS (
        DELETE FROM students x USING retention_due_rows d
        WHERE d.table_name = 'students' AND x.provider_id = p_provider_id AND x.student_id = d.row_id RETURNING d.record_kind, d.table_name, d.student_id, d.due_on)
    INSERT INTO retention_deleted SELECT * FROM gone;
    DELETE FROM import_audit_scopes WHERE transaction_id = txid_current();
    -- Earlier audit entries copied the rows of students now deleted whole: their contents go too.
    v_redacted := gaptrack_redact_student_audit(p_provider_id,
        ARRAY(SELECT g.student_id FROM retention_deleted g WHERE g.table_name = 'students'),
        'retention-' || txid_current());

    SELECT jsonb_agg(jsonb_build_object('record_kind', x.record_kind, 'table', x.table_name, 'rule', retention_rule_text(r.basis, r.years),
                                        'rows', x.n) ORDER BY x.record_kind, x.table_name)
    INTO v_deleted
    FROM (SELECT g.record_kind, g.table_name, count(*) AS n FROM retention_deleted g GROUP BY 1, 2) x
    JOIN retention_rules(p_provider_id) r ON r.record_kind = x.record_kind;
    INSERT INTO data_protection.retention_runs (provider_id, as_of, ran_by, deleted, redacted_audit_entries)
    VALUES (p_provider_id, p_as_of, gaptrack_audit_actor(), v_deleted, v_redacted) RETURNING run_id INTO v_run;
    INSERT INTO audit_log (provider_id, actor, action, table_name, row_key, before, after)
    SELECT p_provider_id, gaptrack_audit_actor(), 'insert', 'retention_runs', jsonb_build_object('run_id', v_run), NULL, to_jsonb(r)
    FROM data_protection.retention_runs r WHERE r.run_id = v_run;
    -- Cached reports computed from the deleted rows (already stale: data_changes) go at once.
    DELETE FROM report_snapshots WHERE cache_key LIKE 'provider ' || p_provider_id || ';%';

    RETURN QUERY
    SELECT g.record_kind, g.table_name, retention_rule_text(r.basis, r.years), r.source,
           count(*), count(DISTINCT g.student_id), min(g.due_on), max(g.due_on)
    FROM retention_deleted g
    JOIN retention_rules(p_provider_id) r ON r.record_kind = g.record_kind
    GROUP BY g.record_kind, g.table_name, r.basis, r.years, r.source
    ORDER BY g.record_kind, g.table_name;
END
$$;

-- Sets or clears a legal hold on a student, each recorded in the audit log.
CREATE OR REPLACE FUNCTION legal_hold_set(p_student_id bigint, p_reason text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_protection.legal_holds (provider_id, student_id, reason, set_by)
    VALUES ((SELECT s.provider_id FROM students s WHERE s.student_id = p_student_id), p_student_id, p_reason, gaptrack_audit_actor())
    ON CONFLICT (provider_id, student_id) DO UPDATE SET reason = EXCLUDED.reason, set_at = now(), set_by = EXCLUDED.set_by;
    INSERT INTO audit_log (provider_id, actor, action, table_name, row_key, before, after)
    SELECT s.provider_id, gaptrack_audit_actor(), 'insert', 'legal_holds', jsonb_build_object('student_id', p_student_id), NULL, to_jsonb(h)
    FROM data_protection.legal_holds h JOIN students s ON s.provider_id = h.provider_id AND s.student_id = h.student_id
    WHERE h.provider_id = (SELECT x.provider_id FROM students x WHERE x.student_id = p_student_id) AND h.student_id = p_student_id;
END
$$;

CREATE OR REPLACE FUNCTION legal_hold_clear(p_student_id bigint) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_hold record;
BEGIN
    DELETE FROM data_protection.legal_holds h
    WHERE h.provider_id = (SELECT s.provider_id FROM students s WHERE s.student_id = p_student_id) AND h.student_id = p_student_id
    RETURNING h.* INTO v_hold;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO audit_log (provider_id, actor, action, table_name, row_key, before, after)
    SELECT s.provider_id, gaptrack_audit_actor(), 'delete', 'legal_holds', jsonb_build_object('student_id', p_student_id), to_jsonb(v_hold), NULL
    FROM students s WHERE s.student_id = p_student_id;
    RETURN true;
END
$$;

-- Why the student may not be erased on p_as_of, one reason a row; none when they may. UK GDPR
-- Art. 17(3): a legal hold (17(3)(e), legal claims); still on roll, or a record the law requires
-- to be kept still inside its period (17(3)(b), a legal obligation).
CREATE OR REPLACE FUNCTION student_erasure_refusals(p_student_id bigint, p_as_of date) RETURNS SETOF text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_rule record;
    v_count bigint;
    v_until date;
    v_provider bigint := (SELECT s.provider_id FROM students s WHERE s.student_id = p_student_id);
BEGIN
    RETURN QUERY
    SELECT format('a legal hold applies (set %s by %s: %s); clear it with `gaptrack student hold --clear` once it no longer does (UK GDPR Art. 17(3)(e))',
                  h.set_at::date, h.set_by, h.reason)
    FROM data_protection.legal_holds h WHERE h.provider_id = v_provider AND h.student_id = p_student_id;
    RETURN QUERY
    SELECT format('the student is still on roll (enrolment %s has %s); the provider must keep the record of a current student (UK GDPR Art. 17(3)(b)): record the leave date first',
                  e.academic_year, CASE WHEN e.leave_date IS NULL THEN 'no leave date' ELSE 'leave date ' || e.leave_date END)
    FROM enrolments e WHERE e.provider_id = v_provider AND e.student_id = p_student_id AND (e.leave_date IS NULL OR e.leave_date > p_as_of)
    ORDER BY e.academic_year;
    FOR v_rule IN
        SELECT r.record_kind, r.basis, r.statutory_years, r.source
        FROM retention_rules(v_provider) r
        WHERE r.statutory_years IS NOT NULL
    LOOP
        IF v_rule.record_kind = 'attendance' AND v_rule.basis = 'entry' THEN
            SELECT count(*), (max(a.session_date) + make_interval(years => v_rule.statutory_years))::date INTO v_count, v_until
            FROM attendance_marks a
            WHERE a.provider_id = v_provider AND a.student_id = p_student_id AND (a.session_date + make_interval(years => v_rule.statutory_years))::date > p_as_of;
            IF v_count > 0 THEN
                RETURN NEXT format('%s attendance marks must be kept until %s (%s; UK GDPR Art. 17(3)(b))', v_count, v_until, v_rule.source);
            END IF;
        END IF;
    END LOOP;
END
$$;

-- Erases one student: every row about them, in the caller's transaction, after checking
-- student_erasure_refusals again (under a lock on the student, so no hold can be set in between).
-- The audit triggers count the rows instead of copying them; the earlier entries that name the
-- student are redacted; the audit log gains one entry (the erasures row: when, by whom, why, the
-- token, rows per table). Returns that row as JSON.
CREATE OR REPLACE FUNCTION student_erase(p_student_id bigint, p_reason text, p_as_of date)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_provider bigint;
    v_token text := 'erasure-' || replace(gen_random_uuid()::text, '-', '');
    v_refusals text;
    v_imports bigint[];
    v_deleted jsonb := '{}';
    v_count bigint;
    v_table text;
    v_redacted integer;
    v_erasure record;
BEGIN
    SELECT s.provider_id INTO v_provider FROM students s WHERE s.student_id = p_student_id FOR UPDATE;
    IF v_provider IS NULL THEN
        RAISE EXCEPTION 'student % does not exist', p_student_id USING ERRCODE = 'no_data_found';
    END IF;
    SELECT string_agg(r, '; ') INTO v_refusals FROM student_erasure_refusals(p_student_id, p_as_of) AS r;
    IF v_refusals IS NOT NULL THEN
        RAISE EXCEPTION 'erasure refused: %', v_refusals USING ERRCODE = 'restrict_violation';
    END IF;
    SELECT coalesce(array_agg(DISTINCT i ORDER BY i), '{}') INTO v_imports FROM (
        SELECT import_id AS i FROM students WHERE provider_id = v_provider AND student_id = p_student_id
        UNION SELECT import_id FROM enrolments WHERE provider_id = v_provider AND student_id = p_student_id
        UNION SELECT import_id FROM student_markers WHERE provider_id = v_provider AND student_id = p_student_id
        UNION SELECT import_id FROM assessment_results WHERE provider_id = v_provider AND student_id = p_student_id
        UNION SELECT import_id FROM support_records WHERE provider_id = v_provider AND student_id = p_student_id
        UNION SELECT replaced_by_import_id FROM attendance_mark_history WHERE provider_id = v_provider AND student_id = p_student_id
    ) x WHERE i IS NOT NULL;
    IF NOT gaptrack_import_audit_open() THEN
        RAISE EXCEPTION 'erasure must run as the schema owner (gaptrack migrate''s login): only it can keep the erased rows out of the audit log'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- Children before the student, each table's deleted rows counted.
    FOREACH v_table IN ARRAY ARRAY['attendance_mark_history', 'attendance_marks', 'assessment_results', 'support_records',
                                   'student_markers', 'enrolments', 'students'] LOOP
        EXECUTE format('DELETE FROM %I WHERE provider_id = $1 AND student_id = $2', v_table) USING v_provider, p_student_id;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        v_deleted := v_deleted || jsonb_build_object(v_table, v_count);
    END LOOP;
    DELETE FROM import_audit_scopes WHERE transaction_id = txid_current();

    v_redacted := gaptrack_redact_student_audit(v_provider, ARRAY[p_student_id], v_token);
    INSERT INTO data_protection.erasures (provider_id, token, reason, erased_by, deleted, redacted_audit_entries, source_imports)
    VALUES (v_provider, v_token, p_reason, gaptrack_audit_actor(), v_deleted, v_redacted, v_imports)
    RETURNING * INTO v_erasure;
    INSERT INTO audit_log (provider_id, actor, action, table_name, row_key, before, after)
    VALUES (v_provider, gaptrack_audit_actor(), 'insert', 'erasures', jsonb_build_object('erasure_id', v_erasure.erasure_id), NULL,
            to_jsonb(v_erasure));
    DELETE FROM report_snapshots WHERE cache_key LIKE 'provider ' || v_provider || ';%';
    RETURN to_jsonb(v_erasure);
END
$$;

-- Everything held on one student, as one JSON document (its shape: docs/data-protection.md §5),
-- and an audit entry recording that it was exported and in which format.
CREATE OR REPLACE FUNCTION student_subject_access(p_student_id bigint, p_format text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_student record;
    v_document jsonb;
BEGIN
    SELECT * INTO v_student FROM students WHERE student_id = p_student_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'student % does not exist', p_student_id USING ERRCODE = 'no_data_found';
    END IF;
    SELECT jsonb_build_object(
        'format', 'gaptrack subject access export, version 1',
        'provider', (SELECT jsonb_build_object('code', p.code, 'name', p.name, 'kind', p.kind) FROM providers p WHERE p.provider_id = v_student.provider_id),
        'student', to_jsonb(v_student) - 'provider_id',
        'legal_hold', (SELECT to_jsonb(h) - 'student_id' - 'provider_id' FROM data_protection.legal_holds h WHERE h.provider_id = v_student.provider_id AND h.student_id = p_student_id),
        'enrolments', coalesce((SELECT jsonb_agg(to_jsonb(e) - 'student_id' ORDER BY e.academic_year, e.enrolment_id)
                                FROM enrolments e WHERE e.provider_id = v_student.provider_id AND e.student_id = p_student_id), '[]'),
        'markers', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                    'marker', m.marker, 'meaning', k.meaning, 'value', m.value, 'starts_on', m.starts_on,
                                    'ends_on', m.ends_on, 'source', m.source, 'import_id', m.import_id,
                                    'created_at', m.created_at, 'updated_at', m.updated_at) ORDER BY m.marker, m.starts_on)
                             FROM student_markers m JOIN marker_kinds k ON k.marker = m.marker WHERE m.provider_id = v_student.provider_id AND m.student_id = p_student_id), '[]'),
        'attendance', jsonb_build_object(
            'summary', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                        'academic_year', y.academic_year, 'possible_sessions', y.possible, 'attended_sessions', y.attended,
                                        'absent_sessions', y.absent, 'unauthorised_absences', y.unauthorised) ORDER BY y.academic_year)
                                 FROM (SELECT t.academic_year,
                                              count(*) FILTER (WHERE c.counts_as_possible) AS possible,
                                              count(*) FILTER (WHERE c.counts_as_attendance) AS attended,
                                              count(*) FILTER (WHERE c.counts_as_absence) AS absent,
                                              count(*) FILTER (WHERE c.counts_as_unauthorised) AS unauthorised
                                       FROM attendance_marks a
                                       JOIN attendance_codes c ON c.code = a.code
                                       JOIN terms t ON a.session_date BETWEEN t.starts_on AND t.ends_on
                                       WHERE a.provider_id = v_student.provider_id AND a.student_id = p_student_id GROUP BY t.academic_year) y), '[]'),
            'marks', coalesce((SELECT jsonb_agg(jsonb_build_object('session_date', a.session_date, 'session', a.session, 'code', a.code,
                                                                   'meaning', c.meaning) ORDER BY a.session_date, a.session)
                               FROM attendance_marks a JOIN attendance_codes c ON c.code = a.code WHERE a.provider_id = v_student.provider_id AND a.student_id = p_student_id), '[]'),
            'replaced_marks', coalesce((SELECT jsonb_agg(to_jsonb(h) - 'student_id' ORDER BY h.session_date, h.session, h.history_id)
                                        FROM attendance_mark_history h WHERE h.provider_id = v_student.provider_id AND h.student_id = p_student_id), '[]')),
        'results', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                    'subject', ap.subject, 'assessment', ap.name, 'academic_year', ap.academic_year, 'term', ap.term,
                                    'scale', r.scale, 'score', r.score, 'result', r.result_text, 'assessed_on', r.assessed_on,
                                    'import_id', r.import_id) ORDER BY r.assessed_on, ap.subject, ap.name)
                             FROM assessment_results r JOIN assessment_points ap ON ap.provider_id = r.provider_id AND ap.assessment_point_id = r.assessment_point_id
                             WHERE r.provider_id = v_student.provider_id AND r.student_id = p_student_id), '[]'),
        'support', coalesce((SELECT jsonb_agg(to_jsonb(s) - 'student_id' - 'provider_id' ORDER BY s.starts_on, s.support_id)
                             FROM support_records s WHERE s.provider_id = v_student.provider_id AND s.student_id = p_student_id), '[]'),
        'support_spend', (SELECT coalesce(sum(s.amount), 0) FROM support_records s WHERE s.provider_id = v_student.provider_id AND s.student_id = p_student_id),
        'audit_entries', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                          'audit_id', a.audit_id, 'occurred_at', a.occurred_at, 'actor', a.actor, 'action', a.action,
                                          'table', a.table_name, 'row_key', a.row_key, 'before', a.before, 'after', a.after) ORDER BY a.audit_id)
                                   FROM audit_log a
                                   WHERE a.provider_id = v_student.provider_id
                                     AND (a.row_key ->> 'student_id' = p_student_id::text OR a.before ->> 'student_id' = p_student_id::text
                                          OR a.after ->> 'student_id' = p_student_id::text)), '[]'),
        'imports', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                    'import_id', i.import_id, 'kind', i.kind, 'file_name', i.file_name, 'file_sha256', i.file_sha256,
                                    'started_at', i.started_at, 'os_user', i.os_user) ORDER BY i.import_id)
                             FROM imports i
                             WHERE i.provider_id = v_student.provider_id AND i.import_id IN (
                                 SELECT import_id FROM students WHERE provider_id = v_student.provider_id AND student_id = p_student_id
                                 UNION SELECT import_id FROM enrolments WHERE provider_id = v_student.provider_id AND student_id = p_student_id
                                 UNION SELECT import_id FROM student_markers WHERE provider_id = v_student.provider_id AND student_id = p_student_id
                                 UNION SELECT import_id FROM assessment_results WHERE provider_id = v_student.provider_id AND student_id = p_student_id
                                 UNION SELECT import_id FROM support_records WHERE provider_id = v_student.provider_id AND student_id = p_student_id
                                 UNION SELECT replaced_by_import_id FROM attendance_mark_history WHERE provider_id = v_student.provider_id AND student_id = p_student_id)), '[]')
    ) INTO v_document;
    INSERT INTO audit_log (provider_id, actor, action, table_name, row_key, before, after)
    VALUES (v_student.provider_id, gaptrack_audit_actor(), 'insert', 'subject_access_exports',
            jsonb_build_object('student_id', p_student_id), NULL,
            jsonb_build_object('student_id', p_student_id, 'format', p_format));
    RETURN v_document;
END
$$;

-- The subject-access document for the service (GET /v1/students/{student}/export): only for an
-- admin or data-lead request of the student's own provider (the request scope the service binds,
-- sql/functions/service_context.sql, which row-level security trusts too). SECURITY DEFINER
-- because the document includes what those roles cannot read themselves (the audit entries, the
-- legal hold) and its own audit entry; EXECUTE for gaptrack_service only.
CREATE OR REPLACE FUNCTION student_subject_access_for_service(p_student_id bigint, p_format text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF coalesce(gaptrack_current_role() NOT IN ('admin', 'data_lead'), true)
       OR NOT EXISTS (SELECT FROM students s WHERE s.student_id = p_student_id AND s.provider_id = gaptrack_current_provider()) THEN
        RAISE EXCEPTION 'a subject-access export is for an admin or data lead of the student''s provider'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN student_subject_access(p_student_id, p_format);
END
$$;
REVOKE ALL ON FUNCTION student_subject_access_for_service(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION student_subject_access_for_service(bigint, text) TO gaptrack_service;

-- The students of a cohort in an academic year (any enrolment of the year whose cohort codes
-- include p_cohort: report_cohort_codes), with what a research export may show of them and their
-- disadvantage facts on the year's autumn census day (docs/methodology.md §1, §7).
CREATE OR REPLACE FUNCTION research_cohort(p_provider_id bigint, p_academic_year text, p_cohort text)
RETURNS TABLE (student_id bigint, date_of_birth date, gender text, ethnicity text, disadvantaged boolean, sen text, eal boolean,
               possible_sessions bigint, attended_sessions bigint, absent_sessions bigint, unauthorised_absences bigint)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
DECLARE
    v_census date := (SELECT c.census_date FROM census_days c WHERE c.academic_year = p_academic_year AND c.collection = 'autumn');
BEGIN
    RETURN QUERY
    WITH members AS (
        SELECT DISTINCT s.student_id, s.date_of_birth, s.gender, s.ethnicity
        FROM students s
        JOIN providers pr ON pr.provider_id = s.provider_id
        JOIN enrolments e ON e.provider_id = s.provider_id AND e.student_id = s.student_id AND e.academic_year = p_academic_year
        WHERE s.provider_id = p_provider_id
          AND lower(p_cohort) = ANY (report_cohort_codes(pr.kind, e.year_group, e.course,
                  CASE WHEN pr.kind <> 'school' THEN coalesce(e.intake_year,
                      (SELECT min(x.academic_year) FROM enrolments x WHERE x.provider_id = e.provider_id AND x.student_id = e.student_id)) END))
    )
    SELECT m.student_id, m.date_of_birth, m.gender, m.ethnicity,
           coalesce(f.disadvantaged, false), f.sen, coalesce(f.eal, false),
           coalesce(a.possible, 0), coalesce(a.attended, 0), coalesce(a.absent, 0), coalesce(a.unauthorised, 0)
    FROM members m
    LEFT JOIN student_disadvantage(p_provider_id, v_census) f ON f.student_id = m.student_id
    LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE c.counts_as_possible) AS possible,
               count(*) FILTER (WHERE c.counts_as_attendance) AS attended,
               count(*) FILTER (WHERE c.counts_as_absence) AS absent,
               count(*) FILTER (WHERE c.counts_as_unauthorised) AS unauthorised
        FROM attendance_marks x JOIN attendance_codes c ON c.code = x.code
        JOIN academic_years y ON y.academic_year = p_academic_year
        WHERE x.provider_id = p_provider_id AND x.student_id = m.student_id AND x.session_date BETWEEN y.starts_on AND y.ends_on) a ON true
    ORDER BY m.student_id;
END
$$;

-- The cohort's results in the academic year, without dates (a date can single a pupil out).
CREATE OR REPLACE FUNCTION research_results(p_provider_id bigint, p_academic_year text, p_cohort text)
RETURNS TABLE (student_id bigint, subject text, assessment text, term text, scale text, score numeric)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT r.student_id, ap.subject, ap.name, ap.term::text, r.scale::text, r.score
    FROM research_cohort(p_provider_id, p_academic_year, p_cohort) c
    JOIN assessment_results r ON r.provider_id = p_provider_id AND r.student_id = c.student_id
    JOIN assessment_points ap ON ap.provider_id = p_provider_id AND ap.assessment_point_id = r.assessment_point_id AND ap.academic_year = p_academic_year
    ORDER BY r.student_id, ap.subject, ap.name;
END
$$;

-- The cohort's support that started in the academic year, by term, without free text (staff
-- names, intended outcomes) and without restricted records (they reveal care and safeguarding
-- context: 001_baseline.sql, restricted records).
CREATE OR REPLACE FUNCTION research_support(p_provider_id bigint, p_academic_year text, p_cohort text)
RETURNS TABLE (student_id bigint, type text, term text, hours numeric, sessions integer, amount numeric, funding_source text)
LANGUAGE plpgsql STABLE AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT s.student_id, s.type, t.term::text, s.hours, s.sessions, s.amount, s.funding_source
    FROM research_cohort(p_provider_id, p_academic_year, p_cohort) c
    JOIN support_records s ON s.provider_id = p_provider_id AND s.student_id = c.student_id AND NOT s.restricted
    JOIN terms t ON t.academic_year = p_academic_year AND s.starts_on BETWEEN t.starts_on AND t.ends_on
    ORDER BY s.student_id, t.term, s.type;
END
$$;

REVOKE ALL ON FUNCTION retention_rule_text(text, integer),
    retention_left_on(bigint), retention_rules(bigint), retention_policy_set(bigint, text, text, integer), retention_due(bigint, date),
    retention_plan(bigint, date), retention_apply(bigint, date), legal_hold_set(bigint, text), legal_hold_clear(bigint),
    student_erasure_refusals(bigint, date), student_erase(bigint, text, date), student_subject_access(bigint, text),
    research_cohort(bigint, text, text), research_results(bigint, text, text), research_support(bigint, text, text)
    FROM PUBLIC;
