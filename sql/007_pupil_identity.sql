-- One pupil stays one pupil (docs/methodology.md §2.1, §2.4), and the Common Transfer File as a
-- kind of import (docs/import-formats.md, "Common Transfer File").
--
-- A temporary UPN ends in a letter; schools replace it with the permanent one when the DfE or the
-- previous school supplies it. The flag is derived from the UPN itself, so it can never disagree
-- with it. When a pupil's UPN is replaced, the UPN they had is kept in former_upns, so a later
-- file that still carries the old one finds the same pupil instead of creating a second.

ALTER TYPE import_kind ADD VALUE IF NOT EXISTS 'ctf';

ALTER TABLE students
    ADD COLUMN upn_is_temporary boolean GENERATED ALWAYS AS (upn ~ '[A-Z]$') STORED,
    ADD COLUMN former_upns text[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT students_upn_not_former CHECK (NOT (upn = ANY (former_upns)));

COMMENT ON COLUMN students.upn_is_temporary IS
    'The UPN ends in a letter: a temporary UPN (docs/methodology.md §2.1), to be replaced by the permanent one.';
COMMENT ON COLUMN students.former_upns IS
    'UPNs this pupil had before (a temporary UPN, or a CTF FormerUPN); imports match a pupil by these too.';

CREATE INDEX students_former_upns_idx ON students USING gin (former_upns);
