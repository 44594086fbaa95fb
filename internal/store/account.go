package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"paraph"
)

// AccountRecord is an account with its password hash, which never leaves core.
type AccountRecord struct {
	paraph.Account
	PasswordHash      string
	PasswordChangedAt time.Time
}

const accountColumns = `id, full_name, COALESCE(email, ''), COALESCE(phone, ''), password_hash, language, status,
	created_at, confirmed_at, password_changed_at, inn, snils, instance_admin`

func scanAccount(row interface{ Scan(...any) error }) (*AccountRecord, error) {
	var a AccountRecord
	var confirmed sql.NullTime
	err := row.Scan(&a.ID, &a.FullName, &a.Email, &a.Phone, &a.PasswordHash, &a.Language, &a.Status,
		&a.CreatedAt, &confirmed, &a.PasswordChangedAt, &a.INN, &a.SNILS, &a.InstanceAdmin)
	if err != nil {
		return nil, err
	}
	a.CreatedAt = a.CreatedAt.UTC()
	a.ConfirmedAt = timeOf(confirmed)
	a.PasswordChangedAt = a.PasswordChangedAt.UTC()
	return &a, nil
}

// CreateAccount inserts a new account; a taken email or phone is a conflict.
func (tx *Tx) CreateAccount(ctx context.Context, a *AccountRecord) error {
	_, err := tx.exec(ctx, `INSERT INTO accounts (id, full_name, email, phone, password_hash, language, status,
		created_at, confirmed_at, password_changed_at, search_text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.ID, a.FullName, nullString(a.Email), nullString(a.Phone), a.PasswordHash, a.Language, a.Status,
		a.CreatedAt.UTC(), nullTime(a.ConfirmedAt), a.PasswordChangedAt.UTC(), searchText(&a.Account))
	return err
}

// FindAccountByID returns one account.
func (tx *Tx) FindAccountByID(ctx context.Context, id string) (*AccountRecord, error) {
	a, err := scanAccount(tx.q.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, "Account")
	}
	return a, nil
}

// FindAccountByLogin returns the account whose email or phone is login
// (already normalized).
func (tx *Tx) FindAccountByLogin(ctx context.Context, login string) (*AccountRecord, error) {
	a, err := scanAccount(tx.q.queryRow(ctx,
		`SELECT `+accountColumns+` FROM accounts WHERE email = $1 OR phone = $1`, login))
	if err != nil {
		return nil, notFound(err, "Account")
	}
	return a, nil
}

// UpdateAccount writes every mutable field of a.
func (tx *Tx) UpdateAccount(ctx context.Context, a *AccountRecord) error {
	search := searchText(&a.Account)
	if err := tx.execOne(ctx, "Account", `UPDATE accounts SET full_name = $2, email = $3, phone = $4, password_hash = $5,
		language = $6, status = $7, confirmed_at = $8, password_changed_at = $9, search_text = $10, inn = $11, snils = $12,
		instance_admin = $13 WHERE id = $1`,
		a.ID, a.FullName, nullString(a.Email), nullString(a.Phone), a.PasswordHash, a.Language, a.Status,
		nullTime(a.ConfirmedAt), a.PasswordChangedAt.UTC(), search, a.INN, a.SNILS, a.InstanceAdmin); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE members SET search_text = $2 WHERE account_id = $1 AND search_text <> $2`, a.ID, search)
	return err
}

// DeleteAccount removes an account (used to replace a stale, never-confirmed
// registration); its codes and tokens go with it.
func (tx *Tx) DeleteAccount(ctx context.Context, id string) error {
	return tx.execOne(ctx, "Account", `DELETE FROM accounts WHERE id = $1`, id)
}

// searchText is what a search for a person matches: name, email and phone,
// lower-cased here because SQLite's lower() knows only ASCII.
func searchText(a *paraph.Account) string {
	return strings.ToLower(a.FullName + " " + a.Email + " " + a.Phone)
}
