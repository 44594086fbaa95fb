package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"paraph"
)

const memberColumns = `m.id, m.org_id, m.account_id, m.role, m.status, m.position, m.department_id, m.access_scope, m.created_at,
	a.full_name, COALESCE(a.email, ''), COALESCE(a.phone, ''), a.status`

func scanMember(row interface{ Scan(...any) error }) (*paraph.Member, error) {
	var ms memberScan
	err := row.Scan(ms.dest()...)
	return ms.member(), err
}

// memberScan is what memberColumns scan into, for rows that carry more.
type memberScan struct {
	m    paraph.Member
	dept sql.NullString
}

func (s *memberScan) dest() []any {
	m := &s.m
	return []any{&m.ID, &m.OrgID, &m.AccountID, &m.Role, &m.Status, &m.Position, &s.dept, &m.AccessScope, &m.CreatedAt,
		&m.FullName, &m.Email, &m.Phone, &m.AccountStatus}
}

func (s *memberScan) member() *paraph.Member {
	s.m.DepartmentID, s.m.CreatedAt = s.dept.String, s.m.CreatedAt.UTC()
	return &s.m
}

// CreateMember inserts a membership with its selected departments.
func (tx *Tx) CreateMember(ctx context.Context, m *paraph.Member) error {
	if _, err := tx.exec(ctx, `INSERT INTO members (id, org_id, account_id, role, status, position, department_id, access_scope,
		created_at, updated_at, search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9,
		(SELECT search_text FROM accounts WHERE id = $3))`,
		m.ID, m.OrgID, m.AccountID, m.Role, m.Status, m.Position, nullString(m.DepartmentID), m.AccessScope, m.CreatedAt.UTC()); err != nil {
		return err
	}
	return tx.setMemberDepartments(ctx, m)
}

// UpdateMember writes a membership's role, status, position, department and scope.
func (tx *Tx) UpdateMember(ctx context.Context, m *paraph.Member, now time.Time) error {
	if err := tx.execOne(ctx, "Member", `UPDATE members SET role = $3, status = $4, position = $5, department_id = $6,
		access_scope = $7, updated_at = $8 WHERE id = $1 AND org_id = $2`,
		m.ID, m.OrgID, m.Role, m.Status, m.Position, nullString(m.DepartmentID), m.AccessScope, now.UTC()); err != nil {
		return err
	}
	return tx.setMemberDepartments(ctx, m)
}

// setMemberDepartments keeps a member's selected departments; only the
// own_and_selected scope has any, so no other scope pays for reading them.
func (tx *Tx) setMemberDepartments(ctx context.Context, m *paraph.Member) error {
	if _, err := tx.exec(ctx, `DELETE FROM member_departments WHERE member_id = $1`, m.ID); err != nil {
		return err
	}
	if m.AccessScope != paraph.ScopeOwnAndSelected {
		return nil
	}
	for _, d := range m.AccessDepartments {
		if _, err := tx.exec(ctx, `INSERT INTO member_departments (member_id, department_id) VALUES ($1, $2)
			ON CONFLICT DO NOTHING`, m.ID, d); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) loadMemberDepartments(ctx context.Context, m *paraph.Member) error {
	m.AccessDepartments = nil
	if m.AccessScope != paraph.ScopeOwnAndSelected {
		return nil
	}
	rows, err := tx.q.query(ctx, `SELECT department_id FROM member_departments WHERE member_id = $1 ORDER BY department_id`, m.ID)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	m.AccessDepartments = nil
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return translate(err)
		}
		m.AccessDepartments = append(m.AccessDepartments, d)
	}
	return translate(rows.Err())
}

// FindMember returns a membership of an organization by its id.
func (tx *Tx) FindMember(ctx context.Context, orgID, id string) (*paraph.Member, error) {
	m, err := scanMember(tx.q.queryRow(ctx, `SELECT `+memberColumns+` FROM members m JOIN accounts a ON a.id = m.account_id
		WHERE m.id = $1 AND m.org_id = $2`, id, orgID))
	if err != nil {
		return nil, notFound(err, "Member")
	}
	return m, tx.loadMemberDepartments(ctx, m)
}

// FindMemberByAccount returns an account's membership in an organization.
func (tx *Tx) FindMemberByAccount(ctx context.Context, orgID, accountID string) (*paraph.Member, error) {
	m, err := scanMember(tx.q.queryRow(ctx, `SELECT `+memberColumns+` FROM members m JOIN accounts a ON a.id = m.account_id
		WHERE m.org_id = $1 AND m.account_id = $2`, orgID, accountID))
	if err != nil {
		return nil, notFound(err, "Member")
	}
	return m, tx.loadMemberDepartments(ctx, m)
}

// CountOwners counts the active owners of an organization.
func (tx *Tx) CountOwners(ctx context.Context, orgID string) (int, error) {
	var n int
	err := tx.q.queryRow(ctx, `SELECT COUNT(*) FROM members WHERE org_id = $1 AND role = 'owner' AND status = 'active'`, orgID).Scan(&n)
	return n, translate(err)
}

// MemberFilter selects members. OrgIDs must not be empty: core passes the
// organizations the actor may see, so the store never lists across tenants
// on its own.
type MemberFilter struct {
	OrgIDs       []string
	Query        string // matched in name, email and phone, case-insensitively
	ShowBlocked  bool
	DepartmentID string
	Role         paraph.Role
	Cursor       string // from MemberPage.Next: the last member id of the previous page
	Limit        int
}

// MemberPage is one page of members, sorted by name.
type MemberPage struct {
	Members []*paraph.Member
	Next    string // "" on the last page
}

// FindMembers lists members page by page (keyset pagination on name, id).
func (tx *Tx) FindMembers(ctx context.Context, f MemberFilter) (*MemberPage, error) {
	if len(f.OrgIDs) == 0 {
		return &MemberPage{}, nil
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	ph := make([]string, len(f.OrgIDs))
	for i, id := range f.OrgIDs {
		ph[i] = arg(id)
	}
	where = append(where, "m.org_id IN ("+strings.Join(ph, ", ")+")")
	if !f.ShowBlocked {
		where = append(where, "m.status = 'active'")
	}
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		where = append(where, "m.search_text LIKE "+arg("%"+escapeLike(q)+"%")+" ESCAPE '\\'")
	}
	if f.DepartmentID != "" {
		where = append(where, "m.department_id = "+arg(f.DepartmentID))
	}
	if f.Role != "" {
		where = append(where, "m.role = "+arg(string(f.Role)))
	}
	if f.Cursor != "" {
		// The cursor is the last member's id: opaque, and no personal data
		// in page links. Its sort key is looked up, within the same orgs.
		c := arg(f.Cursor)
		key := "(SELECT search_text FROM members WHERE id = " + c + " AND org_id IN (" + strings.Join(ph, ", ") + "))"
		where = append(where, "(m.search_text > "+key+" OR (m.search_text = "+key+" AND m.id > "+c+"))")
	}
	rows, err := tx.q.query(ctx, `SELECT `+memberColumns+` FROM members m JOIN accounts a ON a.id = m.account_id
		WHERE `+strings.Join(where, " AND ")+` ORDER BY m.search_text, m.id LIMIT `+arg(f.Limit+1), args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	page := &MemberPage{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, translate(err)
		}
		page.Members = append(page.Members, m)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(err)
	}
	rows.Close()
	if len(page.Members) > f.Limit {
		page.Members = page.Members[:f.Limit]
		page.Next = page.Members[f.Limit-1].ID
	}
	for _, m := range page.Members {
		if m.AccessScope == paraph.ScopeOwnAndSelected {
			if err := tx.loadMemberDepartments(ctx, m); err != nil {
				return nil, err
			}
		}
	}
	return page, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Invitation is a set-password link for a person added without an account.
type Invitation struct {
	ID        string
	MemberID  string
	AccountID string
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
	InvitedBy string // the inviter's name as it was then
}

// CreateInvitation stores an invitation.
func (tx *Tx) CreateInvitation(ctx context.Context, inv *Invitation) error {
	_, err := tx.exec(ctx, `INSERT INTO invitations (id, member_id, account_id, token_hash, created_at, expires_at, invited_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, inv.ID, inv.MemberID, inv.AccountID, inv.TokenHash, inv.CreatedAt.UTC(),
		inv.ExpiresAt.UTC(), inv.InvitedBy)
	return err
}

// FindInvitationByHash returns an invitation by its token's hash.
func (tx *Tx) FindInvitationByHash(ctx context.Context, hash string) (*Invitation, error) {
	var inv Invitation
	var used sql.NullTime
	err := tx.q.queryRow(ctx, `SELECT id, member_id, account_id, token_hash, created_at, expires_at, used_at, invited_by
		FROM invitations WHERE token_hash = $1`, hash).
		Scan(&inv.ID, &inv.MemberID, &inv.AccountID, &inv.TokenHash, &inv.CreatedAt, &inv.ExpiresAt, &used, &inv.InvitedBy)
	if err != nil {
		return nil, notFound(err, "Invitation")
	}
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC(), timeOf(used)
	return &inv, nil
}

// UseInvitations marks every open invitation of an account used: once the
// person has set a password, no old link may set it again.
func (tx *Tx) UseInvitations(ctx context.Context, accountID string, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE invitations SET used_at = $2 WHERE account_id = $1 AND used_at IS NULL`, accountID, at.UTC())
	return err
}

// FindLatestInvitation returns the newest invitation of a member.
func (tx *Tx) FindLatestInvitation(ctx context.Context, memberID string) (*Invitation, error) {
	var inv Invitation
	var used sql.NullTime
	err := tx.q.queryRow(ctx, `SELECT id, member_id, account_id, token_hash, created_at, expires_at, used_at
		FROM invitations WHERE member_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1`, memberID).
		Scan(&inv.ID, &inv.MemberID, &inv.AccountID, &inv.TokenHash, &inv.CreatedAt, &inv.ExpiresAt, &used)
	if err != nil {
		return nil, notFound(err, "Invitation")
	}
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC(), timeOf(used)
	return &inv, nil
}

// FindMemberByID returns a membership by id alone: only for an invitation
// link, which names its member and is itself the credential.
func (tx *Tx) FindMemberByID(ctx context.Context, id string) (*paraph.Member, error) {
	m, err := scanMember(tx.q.queryRow(ctx, `SELECT `+memberColumns+` FROM members m JOIN accounts a ON a.id = m.account_id
		WHERE m.id = $1`, id))
	if err != nil {
		return nil, notFound(err, "Member")
	}
	return m, nil
}
