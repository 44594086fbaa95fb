-- +goose Up
-- A person's own identifiers, compared with their certificates' (a
-- certificate with another SNILS or INN is refused); filled from the first
-- certificate bound when empty.
ALTER TABLE accounts ADD COLUMN inn TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN snils TEXT NOT NULL DEFAULT '';
-- The instance administrator manages instance-wide settings such as the
-- trusted roots. Granted from the command line only.
ALTER TABLE accounts ADD COLUMN instance_admin BOOLEAN NOT NULL DEFAULT FALSE;
-- Who sent an invitation, for the invitation page.
ALTER TABLE invitations ADD COLUMN invited_by TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE invitations DROP COLUMN invited_by;
ALTER TABLE accounts DROP COLUMN instance_admin;
ALTER TABLE accounts DROP COLUMN snils;
ALTER TABLE accounts DROP COLUMN inn;
