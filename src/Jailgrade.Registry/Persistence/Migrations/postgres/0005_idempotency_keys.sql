-- Idempotency keys (issue 11): a POST's Idempotency-Key, scoped to the caller, with the response it got.
-- A row is reserved (status NULL: in flight) in a short transaction of its own, and completed (status
-- and the sealed response) in the same transaction as the request's write, so the write and its key
-- commit together or not at all. Rows expire 24 hours after they were reserved.

CREATE TABLE idempotency_keys (
    user_id      uuid        NOT NULL REFERENCES users (id),
    key          text        NOT NULL,
    fingerprint  bytea       NOT NULL,
    token        uuid        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    status       integer,
    response     bytea,
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (user_id, key)
);
CREATE INDEX ix_idempotency_keys_expires_at ON idempotency_keys (expires_at);
