-- Cases, part 1 (issue 11): what the reporter named, the encrypted technique detail and its per-case
-- data key, the state salts of header and involvements, assigned auditors, regulator scopes, and the
-- acting organization of each case event (for "what did party X change since T").
-- Never edit this file once released: add a new numbered file (the migrator refuses a changed one).

ALTER TABLE cases ADD COLUMN lab_as_reported text NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN model_as_reported text NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN reported_at_asserted boolean NOT NULL DEFAULT false;
ALTER TABLE cases ADD COLUMN technique bytea;
ALTER TABLE cases ADD COLUMN state_salt bytea NOT NULL DEFAULT '\x';
CREATE INDEX ix_cases_created_at_id ON cases (created_at, id);

ALTER TABLE involvements ADD COLUMN state_salt bytea NOT NULL DEFAULT '\x';

CREATE TABLE case_keys (
    case_id        uuid        NOT NULL REFERENCES cases (id),
    key_version    integer     NOT NULL,
    master_key_id  text        NOT NULL,
    wrapped        bytea       NOT NULL,
    created_at     timestamptz NOT NULL,
    CONSTRAINT pk_case_keys PRIMARY KEY (case_id, key_version)
);

CREATE TABLE case_auditors (
    case_id     uuid NOT NULL REFERENCES cases (id),
    auditor_id  uuid NOT NULL REFERENCES organizations (id),
    CONSTRAINT pk_case_auditors PRIMARY KEY (case_id, auditor_id)
);
CREATE INDEX ix_case_auditors_auditor_id ON case_auditors (auditor_id);

-- No row for an authority means scope "all" (the single-authority default).
CREATE TABLE authority_scopes (
    authority_id  uuid NOT NULL REFERENCES organizations (id),
    kind          text NOT NULL,
    value         text NOT NULL,
    CONSTRAINT pk_authority_scopes PRIMARY KEY (authority_id, kind, value)
);

CREATE TABLE case_event_actors (
    seq              bigint NOT NULL CONSTRAINT pk_case_event_actors PRIMARY KEY REFERENCES event_envelopes (seq),
    organization_id  uuid   NOT NULL REFERENCES organizations (id)
);
CREATE INDEX ix_case_event_actors_organization_id ON case_event_actors (organization_id);
