-- +goose Up
-- Each document's funnel step, kept with it, and running counts per
-- organization, department and step, kept in the same transaction as every
-- change: the funnel of an organization with a million documents is a read
-- of a few rows, not a count of a million.
ALTER TABLE documents ADD COLUMN step TEXT NOT NULL DEFAULT 'draft';
UPDATE documents SET step = CASE
    WHEN state = 'in_progress' AND EXISTS (SELECT 1 FROM stages s WHERE s.document_id = documents.id
        AND s.idx = documents.current_stage AND s.side = 'counterparty') THEN 'waiting_counterparty'
    WHEN state = 'in_progress' THEN 'waiting_us'
    WHEN state IN ('declined', 'revoked') THEN 'declined_or_revoked'
    ELSE state END;
CREATE TABLE document_counts (
    org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    department_id TEXT NOT NULL DEFAULT '',
    step          TEXT NOT NULL,
    n             BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, department_id, step)
);
INSERT INTO document_counts (org_id, department_id, step, n)
    SELECT org_id, COALESCE(department_id, ''), step, COUNT(*) FROM documents GROUP BY org_id, COALESCE(department_id, ''), step;
-- Boxes are read newest first: walk the organization's documents by time
-- and stop at the page size.
CREATE INDEX documents_org_created ON documents (org_id, created_at, id);
CREATE INDEX documents_counterparty_created ON documents (counterparty_org_id, created_at, id);

-- +goose Down
DROP INDEX documents_counterparty_created;
DROP INDEX documents_org_created;
DROP TABLE document_counts;
ALTER TABLE documents DROP COLUMN step;
