-- +goose Up
-- Audit events of PostgreSQL transactions wait here until the chainer links
-- them into audit_events (see the PostgreSQL migration). SQLite writes one
-- at a time and chains at once; the table stays empty.
CREATE TABLE audit_pending (
    n          INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    account_id TEXT,
    org_id     TEXT,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    ip         TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    details    TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_pending_account ON audit_pending (account_id, n);
CREATE INDEX audit_pending_target ON audit_pending (target, n);

-- +goose Down
DROP TABLE audit_pending;
