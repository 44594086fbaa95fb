-- +goose Up
-- Funnel counts spread over shards: every signature that moves a document
-- on updates a count, and with one row per organization, department and
-- step, concurrent signers of one organization waited for each other's
-- commit on that row (PostgreSQL; SQLite writes one at a time and keeps
-- shard 0). Readers sum the shards.
CREATE TABLE document_counts_new (
    org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    department_id TEXT NOT NULL DEFAULT '',
    step          TEXT NOT NULL,
    n             BIGINT NOT NULL DEFAULT 0,
    shard         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, department_id, step, shard)
);
INSERT INTO document_counts_new (org_id, department_id, step, n) SELECT org_id, department_id, step, n FROM document_counts;
DROP TABLE document_counts;
ALTER TABLE document_counts_new RENAME TO document_counts;

-- +goose Down
CREATE TABLE document_counts_old (
    org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    department_id TEXT NOT NULL DEFAULT '',
    step          TEXT NOT NULL,
    n             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, department_id, step)
);
INSERT INTO document_counts_old (org_id, department_id, step, n)
    SELECT org_id, department_id, step, SUM(n) FROM document_counts GROUP BY org_id, department_id, step;
DROP TABLE document_counts;
ALTER TABLE document_counts_old RENAME TO document_counts;
