-- +goose Up
-- Where a signer's stamp goes on the original's pages (JSON {page, x, y},
-- millimetres from the top-left corner; '' for the last page).
ALTER TABLE signers ADD COLUMN place TEXT NOT NULL DEFAULT '';

-- The final PDF of a completed document: the row comes with completion (the
-- public verification id is known at once), the file when the job built it.
CREATE TABLE finals (
    document_id  TEXT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    verify_id    TEXT NOT NULL UNIQUE,
    sha256       TEXT NOT NULL DEFAULT '',
    size         BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    built_at     TIMESTAMPTZ
);
CREATE INDEX finals_sha256 ON finals (sha256);

-- Public verification finds a signed document by the hash of its original.
CREATE INDEX documents_sha256 ON documents (sha256);

-- Reports of public verifications, kept for a while so that the page can
-- offer the report as a PDF without the file being uploaded again.
CREATE TABLE verify_reports (
    id          TEXT PRIMARY KEY,
    report      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX verify_reports_created ON verify_reports (created_at);

-- +goose Down
DROP TABLE verify_reports;
DROP INDEX documents_sha256;
DROP TABLE finals;
ALTER TABLE signers DROP COLUMN place;
