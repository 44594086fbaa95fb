-- +goose Up
-- Audit events of PostgreSQL transactions wait here, in commit-independent
-- order, until the chainer links them into audit_events: chaining in the
-- transaction held the chain's one head row until every commit, so
-- concurrent writers queued behind each other. SQLite writes one at a time
-- and chains at once; it keeps the table empty.
CREATE TABLE audit_pending (
    n          BIGSERIAL PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    account_id TEXT,
    org_id     TEXT,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    details    TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_pending_account ON audit_pending (account_id, n);
CREATE INDEX audit_pending_target ON audit_pending (target, n);

-- +goose Down
DROP TABLE audit_pending;
