package store

import (
	"context"
	"database/sql"
	"errors"
)

// InstanceValue returns a value of the instance's own settings, "" if unset.
func (tx *Tx) InstanceValue(ctx context.Context, key string) (string, error) {
	var v string
	err := tx.q.queryRow(ctx, `SELECT value FROM instance WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, translate(err)
}

// InitInstanceValue sets key to value unless it is already set, and returns
// the value in force: several instances starting at once agree on one.
func (tx *Tx) InitInstanceValue(ctx context.Context, key, value string) (string, error) {
	if _, err := tx.exec(ctx, `INSERT INTO instance (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, key, value); err != nil {
		return "", err
	}
	return tx.InstanceValue(ctx, key)
}
