-- +goose Up
-- A prepared signature is now a keyed token (nothing stored): its
-- attributes are reproduced at completion.
DROP TABLE prepares;

-- +goose Down
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
