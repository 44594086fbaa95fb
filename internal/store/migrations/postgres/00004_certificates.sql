-- +goose Up
-- A member's certificates. Only the DER is authoritative: everything shown
-- (subject, identifiers, status) is parsed from it when read, so a status
-- is never stale. not_after is kept for the expiry reminders' query.
CREATE TABLE certificates (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    der         BYTEA NOT NULL,
    chain       BYTEA NOT NULL,
    fingerprint TEXT NOT NULL,
    not_after   TIMESTAMPTZ NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (member_id, fingerprint)
);
CREATE INDEX certificates_member ON certificates (org_id, member_id, created_at);
CREATE INDEX certificates_account ON certificates (account_id, fingerprint);
CREATE INDEX certificates_not_after ON certificates (not_after);

-- Machine-readable powers of attorney (МЧД): the XML and its detached
-- signature exactly as uploaded, and what is needed to list and pick them.
CREATE TABLE poas (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    member_id      TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    number         TEXT NOT NULL,
    xml            BYTEA NOT NULL,
    sig            BYTEA NOT NULL,
    valid_until    TIMESTAMPTZ NOT NULL,
    is_main        BOOLEAN NOT NULL DEFAULT FALSE,
    revoked_at     TIMESTAMPTZ,
    revoked_reason TEXT NOT NULL DEFAULT '',
    uploaded_by    TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, member_id, number)
);
CREATE INDEX poas_member ON poas (org_id, member_id, created_at);
-- At most one main power of attorney per member per organization.
CREATE UNIQUE INDEX poas_main ON poas (org_id, member_id) WHERE is_main;

-- Roots the instance administrator trusts, besides those from --trust-roots.
CREATE TABLE trust_roots (
    id          TEXT PRIMARY KEY,
    der         BYTEA NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    added_by    TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

-- Challenges for logging in with a certificate: signed once, then spent.
CREATE TABLE auth_challenges (
    id         TEXT PRIMARY KEY,
    nonce      TEXT NOT NULL,
    cert_fp    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);

-- +goose Down
DROP TABLE auth_challenges;
DROP TABLE trust_roots;
DROP TABLE poas;
DROP TABLE certificates;
