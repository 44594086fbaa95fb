-- +goose Up
-- A document's history is read from the audit trail by target.
CREATE INDEX audit_events_target ON audit_events (target, seq);

-- +goose Down
DROP INDEX audit_events_target;
