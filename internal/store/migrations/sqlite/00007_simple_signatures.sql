-- +goose Up
-- A person outside signs by a link bound to them: only its hash is kept.
ALTER TABLE signers ADD COLUMN link_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE signers ADD COLUMN link_expires_at TIMESTAMP;
CREATE INDEX signers_link ON signers (link_hash);

-- One-time codes for simple signatures, hashed like login codes.
CREATE TABLE sign_codes (
    id         TEXT PRIMARY KEY,
    signer_id  TEXT NOT NULL REFERENCES signers (id) ON DELETE CASCADE,
    channel    TEXT NOT NULL,
    address    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX sign_codes_signer ON sign_codes (signer_id, created_at);

-- The drawn or uploaded signature image (and stamp) of a simple signature, in the blob store.
ALTER TABLE signatures ADD COLUMN image_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE signatures ADD COLUMN stamp_sha256 TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE signatures DROP COLUMN stamp_sha256;
ALTER TABLE signatures DROP COLUMN image_sha256;
DROP TABLE sign_codes;
DROP INDEX signers_link;
ALTER TABLE signers DROP COLUMN link_expires_at;
ALTER TABLE signers DROP COLUMN link_hash;
