package store

import (
	"context"
	"database/sql"
	"time"
)

// Code is a one-time code sent to an address for a purpose. Only its keyed
// hash is kept.
type Code struct {
	ID        string
	AccountID string
	Purpose   string
	Address   string
	Hash      string
	Attempts  int
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// CreateCode stores a new code.
func (tx *Tx) CreateCode(ctx context.Context, c *Code) error {
	_, err := tx.exec(ctx, `INSERT INTO codes (id, account_id, purpose, address, code_hash, attempts, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, 0, $6, $7)`,
		c.ID, c.AccountID, c.Purpose, c.Address, c.Hash, c.CreatedAt.UTC(), c.ExpiresAt.UTC())
	return err
}

// FindLatestCode returns the newest code of an account for a purpose.
func (tx *Tx) FindLatestCode(ctx context.Context, accountID, purpose string) (*Code, error) {
	var c Code
	var used sql.NullTime
	err := tx.q.queryRow(ctx, `SELECT id, account_id, purpose, address, code_hash, attempts, created_at, expires_at, used_at
		FROM codes WHERE account_id = $1 AND purpose = $2 ORDER BY created_at DESC, id DESC LIMIT 1`, accountID, purpose).
		Scan(&c.ID, &c.AccountID, &c.Purpose, &c.Address, &c.Hash, &c.Attempts, &c.CreatedAt, &c.ExpiresAt, &used)
	if err != nil {
		return nil, notFound(err, "Code")
	}
	c.CreatedAt, c.ExpiresAt, c.UsedAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC(), timeOf(used)
	return &c, nil
}

// CountCodesSince counts the codes of an account for a purpose created at or after since.
func (tx *Tx) CountCodesSince(ctx context.Context, accountID, purpose string, since time.Time) (int, error) {
	var n int
	err := tx.q.queryRow(ctx, `SELECT COUNT(*) FROM codes WHERE account_id = $1 AND purpose = $2 AND created_at >= $3`,
		accountID, purpose, since.UTC()).Scan(&n)
	return n, translate(err)
}

// AddCodeAttempt counts one wrong try; it is committed even when the use case
// fails, so core records it in its own transaction.
func (tx *Tx) AddCodeAttempt(ctx context.Context, id string) error {
	return tx.execOne(ctx, "Code", `UPDATE codes SET attempts = attempts + 1 WHERE id = $1`, id)
}

// UseCode marks a code used, once: a second use finds nothing to update.
func (tx *Tx) UseCode(ctx context.Context, id string, at time.Time) error {
	return tx.execOne(ctx, "Code", `UPDATE codes SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, id, at.UTC())
}
