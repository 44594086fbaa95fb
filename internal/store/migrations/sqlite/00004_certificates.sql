-- +goose Up
-- A member's certificates. Only the DER is authoritative: everything shown
-- (subject, identifiers, status) is parsed from it when read, so a status
-- is never stale. not_after is kept for the expiry reminders' query.
CREATE TABLE certificates (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    der         BLOB NOT NULL,
    chain       BLOB NOT NULL,
    fingerprint TEXT NOT NULL,
    not_after   TIMESTAMP NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
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
    xml            BLOB NOT NULL,
    sig            BLOB NOT NULL,
    valid_until    TIMESTAMP NOT NULL,
    is_main        INTEGER NOT NULL DEFAULT 0,
    revoked_at     TIMESTAMP,
    revoked_reason TEXT NOT NULL DEFAULT '',
    uploaded_by    TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (org_id, member_id, number)
);
CREATE INDEX poas_member ON poas (org_id, member_id, created_at);
-- At most one main power of attorney per member per organization.
CREATE UNIQUE INDEX poas_main ON poas (org_id, member_id) WHERE is_main = 1;

-- Roots the instance administrator trusts, besides those from --trust-roots.
CREATE TABLE trust_roots (
    id          TEXT PRIMARY KEY,
    der         BLOB NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    added_by    TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL
);

-- Challenges for logging in with a certificate: signed once, then spent.
CREATE TABLE auth_challenges (
    id         TEXT PRIMARY KEY,
    nonce      TEXT NOT NULL,
    cert_fp    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);

-- +goose Down
DROP TABLE auth_challenges;
DROP TABLE trust_roots;
DROP TABLE poas;
DROP TABLE certificates;
