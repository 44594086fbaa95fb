-- +goose Up
-- A document: its bytes live in the blob store by SHA-256 (fixed once sent),
-- its metadata here. Amounts are in minor units (kopecks).
CREATE TABLE documents (
    id                  TEXT PRIMARY KEY,
    org_id              TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    author_member_id    TEXT NOT NULL REFERENCES members (id),
    department_id       TEXT REFERENCES departments (id),
    title               TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('act', 'invoice', 'contract', 'report', 'other')),
    number              TEXT NOT NULL DEFAULT '',
    doc_date            TEXT NOT NULL DEFAULT '',
    amount              BIGINT,
    currency            TEXT NOT NULL DEFAULT '',
    counterparty_org_id TEXT REFERENCES organizations (id),
    counterparty_name   TEXT NOT NULL DEFAULT '',
    comment             TEXT NOT NULL DEFAULT '',
    file_name           TEXT NOT NULL,
    content_type        TEXT NOT NULL,
    sha256              TEXT NOT NULL,
    size                BIGINT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('draft', 'in_progress', 'completed', 'declined', 'revoked')),
    current_stage       INTEGER NOT NULL DEFAULT 0,
    decline_comment     TEXT NOT NULL DEFAULT '',
    search_text         TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL,
    sent_at             TIMESTAMP,
    finished_at         TIMESTAMP
);
CREATE INDEX documents_org_state ON documents (org_id, state, created_at, id);
CREATE INDEX documents_counterparty ON documents (counterparty_org_id, state, created_at, id);

-- The route: ordered stages; a stage opens when every signer before it signed.
CREATE TABLE stages (
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    side        TEXT NOT NULL CHECK (side IN ('own', 'counterparty')),
    signature   TEXT NOT NULL CHECK (signature IN ('qualified', 'simple')),
    PRIMARY KEY (document_id, idx)
);

-- Who signs in a stage: a member of ours, a counterparty organization (any
-- of its members with the right to sign), or a person outside by contact.
CREATE TABLE signers (
    id          TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    stage_idx   INTEGER NOT NULL,
    member_id   TEXT REFERENCES members (id),
    org_id      TEXT REFERENCES organizations (id),
    full_name   TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL CHECK (state IN ('waiting', 'signed', 'declined')),
    signed_at   TIMESTAMP,
    reminded_at TIMESTAMP
);
CREATE INDEX signers_document ON signers (document_id, stage_idx);
CREATE INDEX signers_member ON signers (member_id, state);
CREATE INDEX signers_org ON signers (org_id, state);

-- Signatures: one per signer (the unique pair makes a repeated submission land once).
CREATE TABLE signatures (
    id             TEXT PRIMARY KEY,
    document_id    TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    signer_id      TEXT NOT NULL REFERENCES signers (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('qualified', 'simple')),
    account_id     TEXT,
    cms            BLOB,
    sha256         TEXT NOT NULL,
    indication     TEXT NOT NULL,
    sub_indication TEXT NOT NULL DEFAULT '',
    cert_fp        TEXT NOT NULL DEFAULT '',
    poa_id         TEXT NOT NULL DEFAULT '',
    evidence       TEXT NOT NULL DEFAULT '{}',
    signing_time   TIMESTAMP NOT NULL,
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (signer_id)
);
CREATE INDEX signatures_document ON signatures (document_id, created_at);

-- The two-step flow's first half: the signed attributes a signer's key must sign.
CREATE TABLE prepares (
    id           TEXT PRIMARY KEY,
    document_id  TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    signer_id    TEXT NOT NULL REFERENCES signers (id) ON DELETE CASCADE,
    account_id   TEXT NOT NULL,
    cert         BLOB NOT NULL,
    signed_attrs BLOB NOT NULL,
    signing_time TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE prepares;
DROP TABLE signatures;
DROP TABLE signers;
DROP TABLE stages;
DROP TABLE documents;
