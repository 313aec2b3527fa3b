-- The provider of a pupil-level row (enrolments, markers, results, attendance marks and their
-- history) is its student's: every gaptrack writer supplies it (docs/scaling.md, "Shard-ready
-- schema"), and this fills it for a row written by hand without it. Not SECURITY DEFINER: under
-- row-level security a session sees only its own provider's students, so a row for another
-- provider's student finds none and is refused (provider_id is NOT NULL).
CREATE OR REPLACE FUNCTION gaptrack_fill_student_provider() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.provider_id := (SELECT s.provider_id FROM students s WHERE s.student_id = NEW.student_id);
    RETURN NEW;
END
$$;
