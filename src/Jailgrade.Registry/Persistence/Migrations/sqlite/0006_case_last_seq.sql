-- The last event of each part of a case (issue 11, "Performance"): a header's own events and each
-- involvement's, kept in the write transaction that appends them (EventLog). A caller's projection's
-- last event is then the greatest of its header's and its visible involvements' (CaseService.ViewsAsync)
-- with no scan of the events through the visibility predicate. Filled from the events already written.
-- And a reporter's cases in list order: a page of a reporter's list reads a page of this index, not
-- every case the reporter filed (Visibility.ReportedOr); it serves the foreign key's lookups as well.

ALTER TABLE cases ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE involvements ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;

UPDATE cases SET last_seq = COALESCE((SELECT MAX(e.seq) FROM event_envelopes e WHERE e.case_id = cases.id AND e.involvement_id IS NULL), 0);
UPDATE involvements SET last_seq = COALESCE((SELECT MAX(e.seq) FROM event_envelopes e WHERE e.case_id = involvements.case_id AND e.involvement_id = involvements.id), 0);

DROP INDEX ix_cases_reporter_id;
CREATE INDEX ix_cases_reporter_id_created_at_id ON cases (reporter_id, created_at, id);
