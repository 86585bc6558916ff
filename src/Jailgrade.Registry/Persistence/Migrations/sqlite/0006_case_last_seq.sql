-- The last event of each part of a case (issue 11, "Performance"): a header's own events and each
-- involvement's, kept in the write transaction that appends them (EventLog). A caller's projection's
-- last event is then the greatest of its header's and its visible involvements' (CaseService.ViewsAsync)
-- with no scan of the events through the visibility predicate. Filled from the events already written.

ALTER TABLE cases ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE involvements ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0;

UPDATE cases SET last_seq = COALESCE((SELECT MAX(e.seq) FROM event_envelopes e WHERE e.case_id = cases.id AND e.involvement_id IS NULL), 0);
UPDATE involvements SET last_seq = COALESCE((SELECT MAX(e.seq) FROM event_envelopes e WHERE e.case_id = involvements.case_id AND e.involvement_id = involvements.id), 0);
