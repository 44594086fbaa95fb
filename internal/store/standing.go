package store

import (
	"context"
	"database/sql"
	"strings"

	"paraph"
)

// Standing is what an account is in a document's organizations: its
// memberships in the document's organization and in its counterparty. For
// a signature it also holds what the signature is judged by: those
// members' certificates and powers of attorney, and the organizations.
type Standing struct {
	Members       []*paraph.Member
	Certificates  []*Certificate
	POAs          []*POA
	Organizations []*paraph.Organization
}

// Member is the account's membership of an organization, or nil.
func (s *Standing) Member(orgID string) *paraph.Member {
	if orgID == "" {
		return nil
	}
	for _, m := range s.Members {
		if m.OrgID == orgID {
			return m
		}
	}
	return nil
}

// Organization is one of the document's organizations, or nil.
func (s *Standing) Organization(id string) *paraph.Organization {
	for _, o := range s.Organizations {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// CertificatesOf are a member's certificates, newest first.
func (s *Standing) CertificatesOf(memberID string) []*Certificate {
	return ofMember(s.Certificates, memberID, func(c *Certificate) string { return c.MemberID })
}

// POAsOf are a member's powers of attorney, the main one first.
func (s *Standing) POAsOf(memberID string) []*POA {
	return ofMember(s.POAs, memberID, func(p *POA) string { return p.MemberID })
}

func ofMember[T any](all []T, memberID string, member func(T) string) []T {
	var out []T
	for _, x := range all {
		if member(x) == memberID {
			out = append(out, x)
		}
	}
	return out
}

// The standing's queries take the document ($1) and the account ($2) only,
// so they need nothing read before them and go in one round trip with the
// document's own query. accountMembers joins the account's memberships to
// the document's organizations.
const accountMembers = ` FROM documents d JOIN members m ON m.account_id = $2 AND (m.org_id = d.org_id OR m.org_id = d.counterparty_org_id)`

// FindDocumentAs reads a document with its route and an account's
// memberships in its organizations, with those organizations, at once: on
// PostgreSQL in one round trip.
func (tx *Tx) FindDocumentAs(ctx context.Context, docID, accountID string) (*paraph.Document, *Standing, error) {
	return tx.findDocumentAs(ctx, docID, accountID, false, false)
}

// FindDocumentForSigner is FindDocumentAs with the members' certificates:
// what preparing a qualified signature reads, in one round trip.
func (tx *Tx) FindDocumentForSigner(ctx context.Context, docID, accountID string) (*paraph.Document, *Standing, error) {
	return tx.findDocumentAs(ctx, docID, accountID, true, false)
}

// FindDocumentForSignature is FindDocumentForSigner with the members'
// powers of attorney: what deciding a qualified signature reads.
func (tx *Tx) FindDocumentForSignature(ctx context.Context, docID, accountID string) (*paraph.Document, *Standing, error) {
	return tx.findDocumentAs(ctx, docID, accountID, true, true)
}

func (tx *Tx) findDocumentAs(ctx context.Context, docID, accountID string, certs, poas bool) (*paraph.Document, *Standing, error) {
	var doc documentRows
	st := &Standing{}
	args := []any{docID, accountID}
	// The memberships with their organizations and, when asked for, their
	// certificates: a row per certificate (LEFT JOIN: a member without one
	// still has a row).
	members := `SELECT ` + memberColumns + `, ` + columnsOf("o", orgColumns)
	join := ``
	if certs {
		members += `, ` + columnsOf("c", certColumns)
		join = ` LEFT JOIN certificates c ON c.member_id = m.id`
	}
	members += accountMembers + ` JOIN accounts a ON a.id = m.account_id JOIN organizations o ON o.id = m.org_id` + join +
		` WHERE d.id = $1 ORDER BY m.id`
	if certs {
		members += `, c.created_at DESC, c.id DESC`
	}
	steps := []step{
		{query: documentQuery, args: args[:1], scan: doc.scan},
		{query: members, args: args, scan: func(rows rows) error {
			for rows.Next() {
				var ms memberScan
				o := &paraph.Organization{}
				var c nullCert
				dest := append(ms.dest(), orgDest(o)...)
				if certs {
					dest = append(dest, c.dest()...)
				}
				if err := rows.Scan(dest...); err != nil {
					return err
				}
				if n := len(st.Members); n == 0 || st.Members[n-1].ID != ms.m.ID {
					o.CreatedAt = o.CreatedAt.UTC()
					st.Members, st.Organizations = append(st.Members, ms.member()), append(st.Organizations, o)
				}
				if c.ID.Valid {
					st.Certificates = append(st.Certificates, c.certificate())
				}
			}
			return nil
		}},
	}
	if poas {
		steps = append(steps, step{query: `SELECT ` + columnsOf("p", poaColumns) + accountMembers + `
			JOIN poas p ON p.member_id = m.id WHERE d.id = $1 ORDER BY p.is_main DESC, p.created_at DESC, p.id DESC`, args: args,
			scan: func(rows rows) error {
				for rows.Next() {
					p, err := scanPOA(rows)
					if err != nil {
						return err
					}
					st.POAs = append(st.POAs, p)
				}
				return nil
			}})
	}
	if err := tx.q.run(ctx, false, steps...); err != nil {
		return nil, nil, err
	}
	d, _, err := tx.documentRead(docID, doc)
	if err != nil {
		return nil, nil, err
	}
	for _, m := range st.Members { // selected departments are rare: read when there are some
		if err := tx.loadMemberDepartments(ctx, m); err != nil {
			return nil, nil, err
		}
	}
	return d, st, nil
}

// columnsOf qualifies a list of plain columns with a table's alias.
func columnsOf(alias, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

// nullCert is what certColumns scan into from a LEFT JOIN: all NULL where
// there is no certificate.
type nullCert struct {
	ID, OrgID, MemberID, AccountID, Fingerprint, UploadedBy sql.NullString
	DER, Chain                                              []byte
	NotAfter, CreatedAt                                     sql.NullTime
}

func (c *nullCert) dest() []any {
	return []any{&c.ID, &c.OrgID, &c.MemberID, &c.AccountID, &c.DER, &c.Chain, &c.Fingerprint, &c.NotAfter, &c.UploadedBy, &c.CreatedAt}
}

func (c *nullCert) certificate() *Certificate {
	return &Certificate{ID: c.ID.String, OrgID: c.OrgID.String, MemberID: c.MemberID.String, AccountID: c.AccountID.String,
		DER: c.DER, Chain: c.Chain, Fingerprint: c.Fingerprint.String, NotAfter: timeOf(c.NotAfter), UploadedBy: c.UploadedBy.String,
		CreatedAt: timeOf(c.CreatedAt)}
}
