-- Organizations carry a version, the ETag that If-Match names on a change (issue 11: no lost updates).

ALTER TABLE organizations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
