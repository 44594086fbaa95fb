package store

import (
	"context"
	"database/sql"
	"time"
)

// Token kinds.
const (
	TokenSession  = "session"  // web session cookie
	TokenBearer   = "bearer"   // from POST /api/v1/auth/login
	TokenPersonal = "personal" // created by the person in the profile
)

// Token is a session or API token. Only the hash of its secret is kept; Hint
// is a few characters that help a person recognise it in a list.
type Token struct {
	ID         string
	AccountID  string
	Kind       string
	Name       string
	Hash       string
	Hint       string
	CreatedAt  time.Time
	ExpiresAt  time.Time // zero: never
	LastUsedAt time.Time
	IP         string
	UserAgent  string
}

const tokenColumns = `id, account_id, kind, name, hash, hint, created_at, expires_at, last_used_at, ip, user_agent`

func scanToken(row interface{ Scan(...any) error }) (*Token, error) {
	var t Token
	var exp, used sql.NullTime
	if err := row.Scan(&t.ID, &t.AccountID, &t.Kind, &t.Name, &t.Hash, &t.Hint, &t.CreatedAt, &exp, &used, &t.IP, &t.UserAgent); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt = t.CreatedAt.UTC(), timeOf(exp), timeOf(used)
	return &t, nil
}

// CreateToken stores a token.
func (tx *Tx) CreateToken(ctx context.Context, t *Token) error {
	_, err := tx.exec(ctx, `INSERT INTO tokens (`+tokenColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.ID, t.AccountID, t.Kind, t.Name, t.Hash, t.Hint, t.CreatedAt.UTC(), nullTime(t.ExpiresAt), nullTime(t.LastUsedAt), t.IP, t.UserAgent)
	return err
}

// FindTokenByHash returns the token with this hash.
func (tx *Tx) FindTokenByHash(ctx context.Context, hash string) (*Token, error) {
	t, err := scanToken(tx.q.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = $1`, hash))
	if err != nil {
		return nil, notFound(err, "Token")
	}
	return t, nil
}

// FindTokens lists an account's tokens of a kind, newest first.
func (tx *Tx) FindTokens(ctx context.Context, accountID, kind string) ([]*Token, error) {
	rows, err := tx.q.query(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE account_id = $1 AND kind = $2
		ORDER BY created_at DESC, id DESC`, accountID, kind)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, t)
	}
	return out, translate(rows.Err())
}

// TouchToken records a use, at most once a minute so reads stay reads.
func (tx *Tx) TouchToken(ctx context.Context, id string, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`,
		id, at.UTC(), at.Add(-time.Minute).UTC())
	return err
}

// DeleteToken removes one token of an account.
func (tx *Tx) DeleteToken(ctx context.Context, accountID, id string) error {
	return tx.execOne(ctx, "Token", `DELETE FROM tokens WHERE id = $1 AND account_id = $2`, id, accountID)
}

// DeleteTokensExcept removes every session and bearer token of an account but
// one (the one in use; "" for none): after a password change or reset.
func (tx *Tx) DeleteTokensExcept(ctx context.Context, accountID, keepID string) error {
	_, err := tx.exec(ctx, `DELETE FROM tokens WHERE account_id = $1 AND kind IN ('session', 'bearer') AND id <> $2`, accountID, keepID)
	return err
}

// DeleteExpiredTokens removes tokens past their expiry.
func (tx *Tx) DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error) {
	return tx.exec(ctx, `DELETE FROM tokens WHERE expires_at IS NOT NULL AND expires_at < $1`, now.UTC())
}

// FindTokenAccount returns a token by hash with its account, in one query:
// this runs on every authenticated request.
func (tx *Tx) FindTokenAccount(ctx context.Context, hash string) (*Token, *AccountRecord, error) {
	var t Token
	var exp, used, confirmed sql.NullTime
	var a AccountRecord
	err := tx.q.queryRow(ctx, `SELECT t.id, t.account_id, t.kind, t.name, t.hint, t.created_at, t.expires_at, t.last_used_at,
		a.id, a.full_name, COALESCE(a.email, ''), COALESCE(a.phone, ''), a.language, a.status, a.created_at, a.confirmed_at,
		a.inn, a.snils, a.instance_admin
		FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = $1`, hash).
		Scan(&t.ID, &t.AccountID, &t.Kind, &t.Name, &t.Hint, &t.CreatedAt, &exp, &used,
			&a.ID, &a.FullName, &a.Email, &a.Phone, &a.Language, &a.Status, &a.CreatedAt, &confirmed,
			&a.INN, &a.SNILS, &a.InstanceAdmin)
	if err != nil {
		return nil, nil, notFound(err, "Token")
	}
	t.Hash = hash
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt = t.CreatedAt.UTC(), timeOf(exp), timeOf(used)
	a.CreatedAt, a.ConfirmedAt = a.CreatedAt.UTC(), timeOf(confirmed)
	return &t, &a, nil
}
