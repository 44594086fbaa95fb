-- +goose Up
-- What each signer is asked to fill in when signing (JSON list of fields),
-- and what they filled in (JSON object, name → value).
ALTER TABLE signers ADD COLUMN fields TEXT NOT NULL DEFAULT '[]';
ALTER TABLE signatures ADD COLUMN field_values TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE signatures DROP COLUMN field_values;
ALTER TABLE signers DROP COLUMN fields;
