-- The registry's first schema on PostgreSQL, run by the role that owns the tables. The server's own
-- role gets only the privileges Schema.ApplicationPrivileges lists (granted after every migration).
-- Never edit this file once released: add a new numbered file (the migrator refuses a changed one).

CREATE TABLE organizations (
    id          uuid        NOT NULL CONSTRAINT pk_organizations PRIMARY KEY,
    name        text        NOT NULL,
    kind        text        NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX ix_organizations_name ON organizations (name);

CREATE TABLE users (
    id               uuid        NOT NULL CONSTRAINT pk_users PRIMARY KEY,
    organization_id  uuid        NOT NULL REFERENCES organizations (id),
    name             text        NOT NULL,
    role             text        NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE UNIQUE INDEX ix_users_organization_id_name ON users (organization_id, name);

CREATE TABLE api_keys (
    id             text        NOT NULL CONSTRAINT pk_api_keys PRIMARY KEY,
    user_id        uuid        NOT NULL REFERENCES users (id),
    environment    text        NOT NULL,
    secret_sha256  bytea       NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    last_used_at   timestamptz,
    revoked_at     timestamptz
);
CREATE INDEX ix_api_keys_user_id ON api_keys (user_id);

CREATE TABLE models (
    id          uuid        NOT NULL CONSTRAINT pk_models PRIMARY KEY,
    lab_id      uuid        NOT NULL REFERENCES organizations (id),
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX ix_models_lab_id_name ON models (lab_id, name);

CREATE TABLE releases (
    id          uuid        NOT NULL CONSTRAINT pk_releases PRIMARY KEY,
    model_id    uuid        NOT NULL REFERENCES models (id),
    version     text        NOT NULL,
    exposure    text        NOT NULL,
    regions     text        NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX ix_releases_model_id_version ON releases (model_id, version);

CREATE TABLE cases (
    id               uuid        NOT NULL CONSTRAINT pk_cases PRIMARY KEY,
    title            text        NOT NULL,
    reporter_id      uuid        NOT NULL REFERENCES organizations (id),
    authority_id     uuid        NOT NULL REFERENCES organizations (id),
    incident_type    text,
    discovered_at    timestamptz,
    reported_at      timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    resolution       text,
    duplicate_of_id  uuid        REFERENCES cases (id),
    version          bigint      NOT NULL
);
CREATE INDEX ix_cases_reporter_id ON cases (reporter_id);
CREATE INDEX ix_cases_authority_id ON cases (authority_id);
CREATE INDEX ix_cases_duplicate_of_id ON cases (duplicate_of_id);

CREATE TABLE involvements (
    id               uuid        NOT NULL CONSTRAINT pk_involvements PRIMARY KEY,
    case_id          uuid        NOT NULL REFERENCES cases (id),
    lab_id           uuid        NOT NULL REFERENCES organizations (id),
    status           text        NOT NULL,
    acknowledged_at  timestamptz,
    created_at       timestamptz NOT NULL,
    version          bigint      NOT NULL
);
CREATE UNIQUE INDEX ix_involvements_case_id_lab_id ON involvements (case_id, lab_id);
CREATE INDEX ix_involvements_lab_id ON involvements (lab_id);

CREATE TABLE involvement_releases (
    involvement_id  uuid NOT NULL REFERENCES involvements (id),
    release_id      uuid NOT NULL REFERENCES releases (id),
    CONSTRAINT pk_involvement_releases PRIMARY KEY (involvement_id, release_id)
);
CREATE INDEX ix_involvement_releases_release_id ON involvement_releases (release_id);

-- The record. Envelopes are immutable; a body may only be erased (salt and canonical set to NULL).
-- The server's role has no UPDATE, DELETE or TRUNCATE here; these triggers refuse them for the owner too.
CREATE TABLE event_envelopes (
    seq             bigint      NOT NULL CONSTRAINT pk_event_envelopes PRIMARY KEY,
    type            text        NOT NULL,
    object_kind     text        NOT NULL,
    object_id       uuid        NOT NULL,
    case_id         uuid,
    involvement_id  uuid,
    occurred_at     timestamptz NOT NULL,
    commitment      bytea       NOT NULL
);
CREATE INDEX ix_event_envelopes_object ON event_envelopes (object_kind, object_id);
CREATE INDEX ix_event_envelopes_case_id ON event_envelopes (case_id);

CREATE FUNCTION registry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END;
$$;

CREATE TRIGGER event_envelopes_refuse_update BEFORE UPDATE OR DELETE ON event_envelopes
    FOR EACH ROW EXECUTE FUNCTION registry_refuse_change();
CREATE TRIGGER event_envelopes_refuse_truncate BEFORE TRUNCATE ON event_envelopes
    FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_change();

CREATE TABLE event_bodies (
    seq        bigint NOT NULL CONSTRAINT pk_event_bodies PRIMARY KEY REFERENCES event_envelopes (seq),
    salt       bytea,
    canonical  text
);

CREATE FUNCTION event_bodies_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.seq IS DISTINCT FROM OLD.seq OR NEW.salt IS NOT NULL OR NEW.canonical IS NOT NULL THEN
        RAISE EXCEPTION 'event bodies can only be erased (salt and canonical set to NULL): % refused', TG_OP;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER event_bodies_erase_only BEFORE UPDATE OR DELETE ON event_bodies
    FOR EACH ROW EXECUTE FUNCTION event_bodies_erase_only();
CREATE TRIGGER event_bodies_refuse_truncate BEFORE TRUNCATE ON event_bodies
    FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_change();

CREATE TABLE settings (
    name   text NOT NULL CONSTRAINT pk_settings PRIMARY KEY,
    value  text NOT NULL
);
