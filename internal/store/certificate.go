package store

import (
	"context"
	"database/sql"
	"time"
)

// Certificate is a member's certificate as stored: its DER and the
// intermediates uploaded with it (concatenated DER). Everything else is
// parsed from the DER when read.
type Certificate struct {
	ID          string
	OrgID       string
	MemberID    string
	AccountID   string
	DER         []byte
	Chain       []byte
	Fingerprint string
	NotAfter    time.Time
	UploadedBy  string
	CreatedAt   time.Time
}

const certColumns = `id, org_id, member_id, account_id, der, chain, fingerprint, not_after, uploaded_by, created_at`

func scanCert(row interface{ Scan(...any) error }) (*Certificate, error) {
	var c Certificate
	err := row.Scan(&c.ID, &c.OrgID, &c.MemberID, &c.AccountID, &c.DER, &c.Chain, &c.Fingerprint, &c.NotAfter, &c.UploadedBy, &c.CreatedAt)
	c.NotAfter, c.CreatedAt = c.NotAfter.UTC(), c.CreatedAt.UTC()
	return &c, err
}

// CreateCertificate stores a certificate; the same one twice for a member is a conflict.
func (tx *Tx) CreateCertificate(ctx context.Context, c *Certificate) error {
	if c.Chain == nil {
		c.Chain = []byte{} // an empty chain, not an unknown one
	}
	_, err := tx.exec(ctx, `INSERT INTO certificates (`+certColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		c.ID, c.OrgID, c.MemberID, c.AccountID, c.DER, c.Chain, c.Fingerprint, c.NotAfter.UTC(), c.UploadedBy, c.CreatedAt.UTC())
	return err
}

// FindCertificate returns one certificate of an organization.
func (tx *Tx) FindCertificate(ctx context.Context, orgID, id string) (*Certificate, error) {
	c, err := scanCert(tx.q.queryRow(ctx, `SELECT `+certColumns+` FROM certificates WHERE id = $1 AND org_id = $2`, id, orgID))
	if err != nil {
		return nil, notFound(err, "Certificate")
	}
	return c, nil
}

// FindMemberCertificates lists a member's certificates, newest first.
func (tx *Tx) FindMemberCertificates(ctx context.Context, orgID, memberID string) ([]*Certificate, error) {
	return tx.queryCerts(ctx, `SELECT `+certColumns+` FROM certificates WHERE org_id = $1 AND member_id = $2
		ORDER BY created_at DESC, id DESC`, orgID, memberID)
}

// FindAccountCertificatesByFingerprint returns the certificates with this
// fingerprint bound to any member (for logging in with a certificate).
func (tx *Tx) FindCertificatesByFingerprint(ctx context.Context, fingerprint string) ([]*Certificate, error) {
	return tx.queryCerts(ctx, `SELECT `+certColumns+` FROM certificates WHERE fingerprint = $1 ORDER BY created_at`, fingerprint)
}

// FindCertificatesExpiringBetween lists certificates whose validity ends in [from, to).
func (tx *Tx) FindCertificatesExpiringBetween(ctx context.Context, from, to time.Time) ([]*Certificate, error) {
	return tx.queryCerts(ctx, `SELECT `+certColumns+` FROM certificates WHERE not_after >= $1 AND not_after < $2 ORDER BY not_after`,
		from.UTC(), to.UTC())
}

// CountAccountCertificates counts the certificates bound to an account in
// any organization (once there is one, the person's name is fixed by it).
func (tx *Tx) CountAccountCertificates(ctx context.Context, accountID string) (int, error) {
	var n int
	err := tx.q.queryRow(ctx, `SELECT COUNT(*) FROM certificates WHERE account_id = $1`, accountID).Scan(&n)
	return n, translate(err)
}

// DeleteCertificate removes a certificate of an organization.
func (tx *Tx) DeleteCertificate(ctx context.Context, orgID, id string) error {
	return tx.execOne(ctx, "Certificate", `DELETE FROM certificates WHERE id = $1 AND org_id = $2`, id, orgID)
}

func (tx *Tx) queryCerts(ctx context.Context, q string, args ...any) ([]*Certificate, error) {
	rows, err := tx.q.query(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*Certificate
	for rows.Next() {
		c, err := scanCert(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

// POA is a stored machine-readable power of attorney.
type POA struct {
	ID            string
	OrgID         string
	MemberID      string
	Number        string
	XML           []byte
	Sig           []byte
	ValidUntil    time.Time
	IsMain        bool
	RevokedAt     time.Time
	RevokedReason string
	UploadedBy    string
	CreatedAt     time.Time
}

const poaColumns = `id, org_id, member_id, number, xml, sig, valid_until, is_main, revoked_at, revoked_reason, uploaded_by, created_at`

func scanPOA(row interface{ Scan(...any) error }) (*POA, error) {
	var p POA
	var revoked sql.NullTime
	err := row.Scan(&p.ID, &p.OrgID, &p.MemberID, &p.Number, &p.XML, &p.Sig, &p.ValidUntil, &p.IsMain, &revoked,
		&p.RevokedReason, &p.UploadedBy, &p.CreatedAt)
	p.ValidUntil, p.CreatedAt, p.RevokedAt = p.ValidUntil.UTC(), p.CreatedAt.UTC(), timeOf(revoked)
	return &p, err
}

// CreatePOA stores a power of attorney; the same number twice for a member is a conflict.
func (tx *Tx) CreatePOA(ctx context.Context, p *POA) error {
	_, err := tx.exec(ctx, `INSERT INTO poas (`+poaColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		p.ID, p.OrgID, p.MemberID, p.Number, p.XML, p.Sig, p.ValidUntil.UTC(), p.IsMain, nullTime(p.RevokedAt),
		p.RevokedReason, p.UploadedBy, p.CreatedAt.UTC())
	return err
}

// UpdatePOA writes the mutable fields: main flag and revocation.
func (tx *Tx) UpdatePOA(ctx context.Context, p *POA) error {
	return tx.execOne(ctx, "Power of attorney", `UPDATE poas SET is_main = $3, revoked_at = $4, revoked_reason = $5
		WHERE id = $1 AND org_id = $2`, p.ID, p.OrgID, p.IsMain, nullTime(p.RevokedAt), p.RevokedReason)
}

// ClearMainPOA unsets the main flag of a member's powers of attorney.
func (tx *Tx) ClearMainPOA(ctx context.Context, orgID, memberID string) error {
	_, err := tx.exec(ctx, `UPDATE poas SET is_main = $3 WHERE org_id = $1 AND member_id = $2 AND is_main = $4`, orgID, memberID, false, true)
	return err
}

// FindPOA returns one power of attorney of an organization.
func (tx *Tx) FindPOA(ctx context.Context, orgID, id string) (*POA, error) {
	p, err := scanPOA(tx.q.queryRow(ctx, `SELECT `+poaColumns+` FROM poas WHERE id = $1 AND org_id = $2`, id, orgID))
	if err != nil {
		return nil, notFound(err, "Power of attorney")
	}
	return p, nil
}

// FindMemberPOAs lists a member's powers of attorney, main first, then newest.
func (tx *Tx) FindMemberPOAs(ctx context.Context, orgID, memberID string) ([]*POA, error) {
	rows, err := tx.q.query(ctx, `SELECT `+poaColumns+` FROM poas WHERE org_id = $1 AND member_id = $2
		ORDER BY is_main DESC, created_at DESC, id DESC`, orgID, memberID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*POA
	for rows.Next() {
		p, err := scanPOA(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, p)
	}
	return out, translate(rows.Err())
}

// TrustRoot is a root certificate the instance administrator added.
type TrustRoot struct {
	ID          string
	DER         []byte
	Fingerprint string
	AddedBy     string
	CreatedAt   time.Time
}

// CreateTrustRoot adds a root; the same one twice is a conflict.
func (tx *Tx) CreateTrustRoot(ctx context.Context, r *TrustRoot) error {
	_, err := tx.exec(ctx, `INSERT INTO trust_roots (id, der, fingerprint, added_by, created_at) VALUES ($1, $2, $3, $4, $5)`,
		r.ID, r.DER, r.Fingerprint, r.AddedBy, r.CreatedAt.UTC())
	return err
}

// DeleteTrustRoot removes a root.
func (tx *Tx) DeleteTrustRoot(ctx context.Context, id string) error {
	return tx.execOne(ctx, "Trusted root", `DELETE FROM trust_roots WHERE id = $1`, id)
}

// FindTrustRoots lists the roots added in the instance.
func (tx *Tx) FindTrustRoots(ctx context.Context) ([]*TrustRoot, error) {
	rows, err := tx.q.query(ctx, `SELECT id, der, fingerprint, added_by, created_at FROM trust_roots ORDER BY created_at, id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*TrustRoot
	for rows.Next() {
		var r TrustRoot
		if err := rows.Scan(&r.ID, &r.DER, &r.Fingerprint, &r.AddedBy, &r.CreatedAt); err != nil {
			return nil, translate(err)
		}
		r.CreatedAt = r.CreatedAt.UTC()
		out = append(out, &r)
	}
	return out, translate(rows.Err())
}

// Challenge is a nonce a person signs to log in with a certificate.
type Challenge struct {
	ID          string
	Nonce       string
	Fingerprint string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      time.Time
}

// CreateChallenge stores a login challenge.
func (tx *Tx) CreateChallenge(ctx context.Context, c *Challenge) error {
	_, err := tx.exec(ctx, `INSERT INTO auth_challenges (id, nonce, cert_fp, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		c.ID, c.Nonce, c.Fingerprint, c.CreatedAt.UTC(), c.ExpiresAt.UTC())
	return err
}

// UseChallenge spends a challenge once; it returns it as it was.
func (tx *Tx) UseChallenge(ctx context.Context, id string, at time.Time) (*Challenge, error) {
	var c Challenge
	var used sql.NullTime
	err := tx.q.queryRow(ctx, `SELECT id, nonce, cert_fp, created_at, expires_at, used_at FROM auth_challenges WHERE id = $1`, id).
		Scan(&c.ID, &c.Nonce, &c.Fingerprint, &c.CreatedAt, &c.ExpiresAt, &used)
	if err != nil {
		return nil, notFound(err, "Challenge")
	}
	c.CreatedAt, c.ExpiresAt, c.UsedAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC(), timeOf(used)
	if err := tx.execOne(ctx, "Challenge", `UPDATE auth_challenges SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, id, at.UTC()); err != nil {
		return nil, err
	}
	return &c, nil
}

// DeleteOldChallenges removes challenges that expired before a time.
func (tx *Tx) DeleteOldChallenges(ctx context.Context, before time.Time) error {
	_, err := tx.exec(ctx, `DELETE FROM auth_challenges WHERE expires_at < $1`, before.UTC())
	return err
}
