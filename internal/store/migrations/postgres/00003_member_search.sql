-- +goose Up
-- Members carry their account's search text so a members list is read in
-- index order (organization, name) and stops at the page size, instead of
-- joining and sorting every member of a 10,000-person organization.
ALTER TABLE members ADD COLUMN search_text TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE members SET search_text = (SELECT a.search_text FROM accounts a WHERE a.id = members.account_id);
CREATE INDEX members_org_search ON members (org_id, search_text, id);
CREATE INDEX members_org_department_search ON members (org_id, department_id, search_text, id);

-- +goose Down
DROP INDEX members_org_department_search;
DROP INDEX members_org_search;
ALTER TABLE members DROP COLUMN search_text;
