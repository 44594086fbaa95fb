package store

import (
	"context"
	"database/sql"
	"time"
)

// Final is the final PDF of a completed document: the row is made with
// completion, so the public verification id exists at once; SHA256 is empty
// until the job has built and stored the file.
type Final struct {
	DocumentID string
	VerifyID   string // the unguessable id of the public page /v/{id}
	SHA256     string // the final PDF in the blob store; "" while it is being built
	Size       int64
	Error      string // why the last build failed, for the people who manage the document
	CreatedAt  time.Time
	BuiltAt    time.Time
}

const finalColumns = `document_id, verify_id, sha256, size, error, created_at, built_at`

func scanFinal(row interface{ Scan(...any) error }) (*Final, error) {
	var f Final
	var built sql.NullTime
	if err := row.Scan(&f.DocumentID, &f.VerifyID, &f.SHA256, &f.Size, &f.Error, &f.CreatedAt, &built); err != nil {
		return nil, notFound(err, "Final PDF")
	}
	f.BuiltAt = timeOf(built)
	return &f, nil
}

// CreateFinal records that a document's final PDF is due.
func (tx *Tx) CreateFinal(ctx context.Context, f *Final) error {
	_, err := tx.exec(ctx, `INSERT INTO finals (document_id, verify_id, created_at) VALUES ($1, $2, $3)`,
		f.DocumentID, f.VerifyID, f.CreatedAt.UTC())
	return err
}

// FindFinal returns a document's final PDF record.
func (tx *Tx) FindFinal(ctx context.Context, docID string) (*Final, error) {
	return scanFinal(tx.q.queryRow(ctx, `SELECT `+finalColumns+` FROM finals WHERE document_id = $1`, docID))
}

// FindFinalByVerifyID returns the final PDF record a public link names.
func (tx *Tx) FindFinalByVerifyID(ctx context.Context, verifyID string) (*Final, error) {
	return scanFinal(tx.q.queryRow(ctx, `SELECT `+finalColumns+` FROM finals WHERE verify_id = $1`, verifyID))
}

// FindFinalBySHA256 returns the final PDF record whose file has this hash.
func (tx *Tx) FindFinalBySHA256(ctx context.Context, sum string) (*Final, error) {
	return scanFinal(tx.q.queryRow(ctx, `SELECT `+finalColumns+` FROM finals WHERE sha256 = $1 AND sha256 <> ''
		ORDER BY created_at LIMIT 1`, sum))
}

// FindFinalsByOriginal lists the final PDF records of completed documents
// whose original has this hash, oldest first, at most limit.
func (tx *Tx) FindFinalsByOriginal(ctx context.Context, sum string, limit int) ([]*Final, error) {
	rows, err := tx.q.query(ctx, `SELECT f.document_id, f.verify_id, f.sha256, f.size, f.error, f.created_at, f.built_at
		FROM documents d JOIN finals f ON f.document_id = d.id WHERE d.sha256 = $1 ORDER BY f.created_at, f.document_id LIMIT $2`, sum, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*Final
	for rows.Next() {
		f, err := scanFinal(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, translate(rows.Err())
}

// SetFinalBuilt records the built file.
func (tx *Tx) SetFinalBuilt(ctx context.Context, docID, sum string, size int64, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE finals SET sha256 = $2, size = $3, error = '', built_at = $4 WHERE document_id = $1`,
		docID, sum, size, at.UTC())
	return err
}

// SetFinalError records why the last build failed.
func (tx *Tx) SetFinalError(ctx context.Context, docID, msg string) error {
	_, err := tx.exec(ctx, `UPDATE finals SET error = $2 WHERE document_id = $1`, docID, msg)
	return err
}

// CreateVerifyReport keeps a public verification's report (JSON).
func (tx *Tx) CreateVerifyReport(ctx context.Context, id, report string, at time.Time) error {
	_, err := tx.exec(ctx, `INSERT INTO verify_reports (id, report, created_at) VALUES ($1, $2, $3)`, id, report, at.UTC())
	return err
}

// FindVerifyReport returns a kept report made after since.
func (tx *Tx) FindVerifyReport(ctx context.Context, id string, since time.Time) (string, error) {
	var report string
	err := tx.q.queryRow(ctx, `SELECT report FROM verify_reports WHERE id = $1 AND created_at > $2`, id, since.UTC()).Scan(&report)
	return report, notFound(err, "Report")
}

// DeleteVerifyReports forgets reports made before the time.
func (tx *Tx) DeleteVerifyReports(ctx context.Context, before time.Time) error {
	_, err := tx.exec(ctx, `DELETE FROM verify_reports WHERE created_at < $1`, before.UTC())
	return err
}
