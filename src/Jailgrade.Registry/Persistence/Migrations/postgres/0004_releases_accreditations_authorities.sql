-- Models and releases carry a revision for their ETags (a release's `version` is its own version
-- string); accreditations of auditors by authorities, with their scope items; each authority's policy
-- and the organizations it names for the policy's parties.
-- The server's role gets the privileges Schema.ApplicationPrivileges lists for the new tables.
-- Never edit this file once released: add a new numbered file (the migrator refuses a changed one).

ALTER TABLE models ADD COLUMN revision bigint NOT NULL DEFAULT 1;
ALTER TABLE releases ADD COLUMN revision bigint NOT NULL DEFAULT 1;

CREATE TABLE accreditations (
    id              uuid        NOT NULL CONSTRAINT pk_accreditations PRIMARY KEY,
    auditor_id      uuid        NOT NULL REFERENCES organizations (id),
    authority_id    uuid        NOT NULL REFERENCES organizations (id),
    valid_from      timestamptz NOT NULL,
    valid_until     timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text,
    version         bigint      NOT NULL
);
CREATE INDEX ix_accreditations_auditor_id ON accreditations (auditor_id);
CREATE INDEX ix_accreditations_authority_id ON accreditations (authority_id);

CREATE TABLE accreditation_scopes (
    accreditation_id  uuid NOT NULL REFERENCES accreditations (id),
    item              text NOT NULL,
    CONSTRAINT pk_accreditation_scopes PRIMARY KEY (accreditation_id, item)
);

CREATE TABLE authority_policies (
    authority_id    uuid        NOT NULL CONSTRAINT pk_authority_policies PRIMARY KEY REFERENCES organizations (id),
    policy_id       text        NOT NULL,
    policy_version  text        NOT NULL,
    updated_at      timestamptz NOT NULL,
    version         bigint      NOT NULL
);

CREATE TABLE authority_parties (
    authority_id     uuid NOT NULL REFERENCES authority_policies (authority_id),
    party            text NOT NULL,
    organization_id  uuid NOT NULL REFERENCES organizations (id),
    CONSTRAINT pk_authority_parties PRIMARY KEY (authority_id, party, organization_id)
);
CREATE INDEX ix_authority_parties_organization_id ON authority_parties (organization_id);
