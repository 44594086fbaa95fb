-- +goose Up
-- Lower-cased "name email phone" for searching people; lower-casing is done
-- in Go because SQLite's lower() only knows ASCII. Binary collation so both
-- databases sort members the same way.
ALTER TABLE accounts ADD COLUMN search_text TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE accounts SET search_text = lower(full_name || ' ' || COALESCE(email, '') || ' ' || COALESCE(phone, ''));

CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('legal', 'individual')),
    country    TEXT NOT NULL CHECK (country IN ('RU', 'UA', 'BY')),
    name       TEXT NOT NULL,
    inn        TEXT NOT NULL DEFAULT '',
    kpp        TEXT NOT NULL DEFAULT '',
    ogrn       TEXT NOT NULL DEFAULT '',
    edrpou     TEXT NOT NULL DEFAULT '',
    rnokpp     TEXT NOT NULL DEFAULT '',
    unp        TEXT NOT NULL DEFAULT '',
    email      TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    unique_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE departments (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    parent_id  TEXT REFERENCES departments (id),
    name       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX departments_org ON departments (org_id, parent_id);

CREATE TABLE members (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    role          TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'signer', 'employee')),
    status        TEXT NOT NULL CHECK (status IN ('active', 'blocked')),
    position      TEXT NOT NULL DEFAULT '',
    department_id TEXT REFERENCES departments (id),
    access_scope  TEXT NOT NULL CHECK (access_scope IN ('all', 'own', 'own_and_children', 'own_and_selected')),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, account_id)
);
CREATE INDEX members_account ON members (account_id, status);
CREATE INDEX members_org_status ON members (org_id, status, id);
CREATE INDEX members_department ON members (department_id);

-- The departments an own_and_selected member may see besides their own.
CREATE TABLE member_departments (
    member_id     TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    department_id TEXT NOT NULL REFERENCES departments (id) ON DELETE CASCADE,
    PRIMARY KEY (member_id, department_id)
);
CREATE INDEX member_departments_department ON member_departments (department_id);

-- Set-password links for people added to an organization without an account.
CREATE TABLE invitations (
    id         TEXT PRIMARY KEY,
    member_id  TEXT NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX invitations_member ON invitations (member_id, created_at);

-- +goose Down
DROP TABLE invitations;
DROP TABLE member_departments;
DROP TABLE members;
DROP TABLE departments;
DROP TABLE organizations;
ALTER TABLE accounts DROP COLUMN search_text;
