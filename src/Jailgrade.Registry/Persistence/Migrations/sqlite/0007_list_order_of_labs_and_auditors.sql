-- A lab's and an auditor's case lists in list order (issue 11, "Performance"): each involvement and
-- each auditor assignment carries its case's created_at, so a page of a lab's list walks the index
-- (lab_id, case_created_at, case_id) and stops after a page, instead of reading and sorting every case
-- the lab is involved in (2,200 per lab, 10,000 for the auditor, at the benchmark's size). The new
-- indexes lead with lab_id and auditor_id, so they replace the single-column ones. Filled from cases.

ALTER TABLE involvements ADD COLUMN case_created_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE case_auditors ADD COLUMN case_created_at INTEGER NOT NULL DEFAULT 0;

UPDATE involvements SET case_created_at = (SELECT c.created_at FROM cases c WHERE c.id = involvements.case_id);
UPDATE case_auditors SET case_created_at = (SELECT c.created_at FROM cases c WHERE c.id = case_auditors.case_id);

DROP INDEX ix_involvements_lab_id;
CREATE INDEX ix_involvements_lab_id_case_created_at_case_id ON involvements (lab_id, case_created_at, case_id);
DROP INDEX ix_case_auditors_auditor_id;
CREATE INDEX ix_case_auditors_auditor_id_case_created_at_case_id ON case_auditors (auditor_id, case_created_at, case_id);
