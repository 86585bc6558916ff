-- The registry's first schema on SQLite. Times are Unix milliseconds (INTEGER); ids are UUID text.
-- Never edit this file once released: add a new numbered file (the migrator refuses a changed one).

CREATE TABLE organizations (
    id          TEXT    NOT NULL CONSTRAINT pk_organizations PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_organizations_name ON organizations (name);

CREATE TABLE users (
    id               TEXT    NOT NULL CONSTRAINT pk_users PRIMARY KEY,
    organization_id  TEXT    NOT NULL REFERENCES organizations (id),
    name             TEXT    NOT NULL,
    role             TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_users_organization_id_name ON users (organization_id, name);

CREATE TABLE api_keys (
    id             TEXT    NOT NULL CONSTRAINT pk_api_keys PRIMARY KEY,
    user_id        TEXT    NOT NULL REFERENCES users (id),
    environment    TEXT    NOT NULL,
    secret_sha256  BLOB    NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    last_used_at   INTEGER,
    revoked_at     INTEGER
);
CREATE INDEX ix_api_keys_user_id ON api_keys (user_id);

CREATE TABLE models (
    id          TEXT    NOT NULL CONSTRAINT pk_models PRIMARY KEY,
    lab_id      TEXT    NOT NULL REFERENCES organizations (id),
    name        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_models_lab_id_name ON models (lab_id, name);

CREATE TABLE releases (
    id          TEXT    NOT NULL CONSTRAINT pk_releases PRIMARY KEY,
    model_id    TEXT    NOT NULL REFERENCES models (id),
    version     TEXT    NOT NULL,
    exposure    TEXT    NOT NULL,
    regions     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_releases_model_id_version ON releases (model_id, version);

CREATE TABLE cases (
    id               TEXT    NOT NULL CONSTRAINT pk_cases PRIMARY KEY,
    title            TEXT    NOT NULL,
    reporter_id      TEXT    NOT NULL REFERENCES organizations (id),
    authority_id     TEXT    NOT NULL REFERENCES organizations (id),
    incident_type    TEXT,
    discovered_at    INTEGER,
    reported_at      INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    resolution       TEXT,
    duplicate_of_id  TEXT    REFERENCES cases (id),
    version          INTEGER NOT NULL
);
CREATE INDEX ix_cases_reporter_id ON cases (reporter_id);
CREATE INDEX ix_cases_authority_id ON cases (authority_id);
CREATE INDEX ix_cases_duplicate_of_id ON cases (duplicate_of_id);

CREATE TABLE involvements (
    id               TEXT    NOT NULL CONSTRAINT pk_involvements PRIMARY KEY,
    case_id          TEXT    NOT NULL REFERENCES cases (id),
    lab_id           TEXT    NOT NULL REFERENCES organizations (id),
    status           TEXT    NOT NULL,
    acknowledged_at  INTEGER,
    created_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL
);
CREATE UNIQUE INDEX ix_involvements_case_id_lab_id ON involvements (case_id, lab_id);
CREATE INDEX ix_involvements_lab_id ON involvements (lab_id);

CREATE TABLE involvement_releases (
    involvement_id  TEXT NOT NULL REFERENCES involvements (id),
    release_id      TEXT NOT NULL REFERENCES releases (id),
    CONSTRAINT pk_involvement_releases PRIMARY KEY (involvement_id, release_id)
);
CREATE INDEX ix_involvement_releases_release_id ON involvement_releases (release_id);

-- The record. Envelopes are immutable; a body may only be erased (salt and canonical set to NULL).
CREATE TABLE event_envelopes (
    seq             INTEGER NOT NULL CONSTRAINT pk_event_envelopes PRIMARY KEY,
    type            TEXT    NOT NULL,
    object_kind     TEXT    NOT NULL,
    object_id       TEXT    NOT NULL,
    case_id         TEXT,
    involvement_id  TEXT,
    occurred_at     INTEGER NOT NULL,
    commitment      BLOB    NOT NULL
);
CREATE INDEX ix_event_envelopes_object ON event_envelopes (object_kind, object_id);
CREATE INDEX ix_event_envelopes_case_id ON event_envelopes (case_id);

CREATE TRIGGER event_envelopes_refuse_update BEFORE UPDATE ON event_envelopes
BEGIN
    SELECT RAISE(ABORT, 'event envelopes are append-only: UPDATE refused');
END;

CREATE TRIGGER event_envelopes_refuse_delete BEFORE DELETE ON event_envelopes
BEGIN
    SELECT RAISE(ABORT, 'event envelopes are append-only: DELETE refused');
END;

CREATE TABLE event_bodies (
    seq        INTEGER NOT NULL CONSTRAINT pk_event_bodies PRIMARY KEY REFERENCES event_envelopes (seq),
    salt       BLOB,
    canonical  TEXT
);

CREATE TRIGGER event_bodies_erase_only BEFORE UPDATE ON event_bodies
WHEN NEW.seq IS NOT OLD.seq OR NEW.salt IS NOT NULL OR NEW.canonical IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'event bodies can only be erased (salt and canonical set to NULL)');
END;

CREATE TRIGGER event_bodies_refuse_delete BEFORE DELETE ON event_bodies
BEGIN
    SELECT RAISE(ABORT, 'event bodies are never deleted: erase them instead');
END;

CREATE TABLE settings (
    name   TEXT NOT NULL CONSTRAINT pk_settings PRIMARY KEY,
    value  TEXT NOT NULL
);
