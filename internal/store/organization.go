package store

import (
	"context"

	"paraph"
)

const orgColumns = `id, kind, country, name, inn, kpp, ogrn, edrpou, rnokpp, unp, email, address, created_at`

func scanOrg(row interface{ Scan(...any) error }) (*paraph.Organization, error) {
	var o paraph.Organization
	err := row.Scan(orgDest(&o)...)
	o.CreatedAt = o.CreatedAt.UTC()
	return &o, err
}

func orgDest(o *paraph.Organization) []any {
	return []any{&o.ID, &o.Kind, &o.Country, &o.Name, &o.INN, &o.KPP, &o.OGRN, &o.EDRPOU, &o.RNOKPP, &o.UNP, &o.Email, &o.Address, &o.CreatedAt}
}

// CreateOrganization inserts an organization; the same identifiers twice are a conflict.
func (tx *Tx) CreateOrganization(ctx context.Context, o *paraph.Organization) error {
	_, err := tx.exec(ctx, `INSERT INTO organizations (`+orgColumns+`, unique_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		o.ID, o.Kind, o.Country, o.Name, o.INN, o.KPP, o.OGRN, o.EDRPOU, o.RNOKPP, o.UNP, o.Email, o.Address,
		o.CreatedAt.UTC(), o.UniqueKey())
	return err
}

// UpdateOrganization writes an organization's fields.
func (tx *Tx) UpdateOrganization(ctx context.Context, o *paraph.Organization) error {
	return tx.execOne(ctx, "Organization", `UPDATE organizations SET kind = $2, country = $3, name = $4, inn = $5, kpp = $6,
		ogrn = $7, edrpou = $8, rnokpp = $9, unp = $10, email = $11, address = $12, unique_key = $13 WHERE id = $1`,
		o.ID, o.Kind, o.Country, o.Name, o.INN, o.KPP, o.OGRN, o.EDRPOU, o.RNOKPP, o.UNP, o.Email, o.Address, o.UniqueKey())
}

// FindOrganizationByID returns one organization.
func (tx *Tx) FindOrganizationByID(ctx context.Context, id string) (*paraph.Organization, error) {
	o, err := scanOrg(tx.q.queryRow(ctx, `SELECT `+orgColumns+` FROM organizations WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "Organization")
	}
	return o, nil
}

// FindOrganizationByKey returns the organization registered with these identifiers.
func (tx *Tx) FindOrganizationByKey(ctx context.Context, key string) (*paraph.Organization, error) {
	o, err := scanOrg(tx.q.queryRow(ctx, `SELECT `+orgColumns+` FROM organizations WHERE unique_key = $1`, key))
	if err != nil {
		return nil, notFound(err, "Organization")
	}
	return o, nil
}

// AccountOrganization is an organization seen by one of its members.
type AccountOrganization struct {
	paraph.Organization
	MemberID string
	Role     paraph.Role
}

// FindAccountOrganizations lists the organizations where an account is an
// active member, by name.
func (tx *Tx) FindAccountOrganizations(ctx context.Context, accountID string) ([]*AccountOrganization, error) {
	rows, err := tx.q.query(ctx, `SELECT o.id, o.kind, o.country, o.name, o.inn, o.kpp, o.ogrn, o.edrpou, o.rnokpp, o.unp,
		o.email, o.address, o.created_at, m.id, m.role
		FROM members m JOIN organizations o ON o.id = m.org_id
		WHERE m.account_id = $1 AND m.status = 'active' ORDER BY o.name, o.id`, accountID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*AccountOrganization
	for rows.Next() {
		var ao AccountOrganization
		o := &ao.Organization
		if err := rows.Scan(&o.ID, &o.Kind, &o.Country, &o.Name, &o.INN, &o.KPP, &o.OGRN, &o.EDRPOU, &o.RNOKPP, &o.UNP,
			&o.Email, &o.Address, &o.CreatedAt, &ao.MemberID, &ao.Role); err != nil {
			return nil, translate(err)
		}
		o.CreatedAt = o.CreatedAt.UTC()
		out = append(out, &ao)
	}
	return out, translate(rows.Err())
}
