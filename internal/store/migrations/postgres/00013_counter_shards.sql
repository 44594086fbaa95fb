-- +goose Up
-- Funnel counts spread over shards: every signature that moves a document
-- on updates a count, and with one row per organization, department and
-- step, concurrent signers of one organization waited for each other's
-- commit on that row. Readers sum the shards.
ALTER TABLE document_counts ADD COLUMN shard INTEGER NOT NULL DEFAULT 0;
ALTER TABLE document_counts DROP CONSTRAINT document_counts_pkey;
ALTER TABLE document_counts ADD PRIMARY KEY (org_id, department_id, step, shard);

-- +goose Down
CREATE TABLE document_counts_one AS
    SELECT org_id, department_id, step, SUM(n) AS n FROM document_counts GROUP BY org_id, department_id, step;
DELETE FROM document_counts;
ALTER TABLE document_counts DROP CONSTRAINT document_counts_pkey;
ALTER TABLE document_counts DROP COLUMN shard;
ALTER TABLE document_counts ADD PRIMARY KEY (org_id, department_id, step);
INSERT INTO document_counts (org_id, department_id, step, n) SELECT org_id, department_id, step, n FROM document_counts_one;
DROP TABLE document_counts_one;
