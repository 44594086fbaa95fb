package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is a unit of background work, durable in the database.
type Job struct {
	ID             string
	Kind           string
	Payload        string
	IdempotencyKey string
	State          string
	Attempts       int
	MaxAttempts    int
	RunAt          time.Time
	LockedUntil    time.Time
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

const jobColumns = `id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at, locked_until, last_error, created_at, updated_at`

func scanJob(row interface{ Scan(...any) error }) (*Job, error) {
	var j Job
	var locked sql.NullTime
	if err := row.Scan(&j.ID, &j.Kind, &j.Payload, &j.IdempotencyKey, &j.State, &j.Attempts, &j.MaxAttempts,
		&j.RunAt, &locked, &j.LastError, &j.CreatedAt, &j.UpdatedAt); err != nil {
		return nil, err
	}
	j.RunAt, j.LockedUntil, j.CreatedAt, j.UpdatedAt = j.RunAt.UTC(), timeOf(locked), j.CreatedAt.UTC(), j.UpdatedAt.UTC()
	return &j, nil
}

// EnqueueJob adds a job unless one with the same idempotency key exists. On
// PostgreSQL it waits to go with the transaction's next statement.
func (tx *Tx) EnqueueJob(ctx context.Context, j *Job) error {
	return tx.later(ctx, "", `INSERT INTO jobs (id, kind, payload, idempotency_key, state, attempts, max_attempts, run_at,
		last_error, created_at, updated_at) VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, '', $7, $7)
		ON CONFLICT (idempotency_key) DO NOTHING`,
		j.ID, j.Kind, j.Payload, j.IdempotencyKey, j.MaxAttempts, j.RunAt.UTC(), j.CreatedAt.UTC())
}

// ClaimJob takes the next job that is due — queued, or running with an
// expired lease (its worker died) — and leases it until now+lease. It returns
// nil when nothing is due. Several workers, on several instances, never take
// the same job: PostgreSQL skips locked rows, SQLite has one writer.
func (tx *Tx) ClaimJob(ctx context.Context, now time.Time, lease time.Duration) (*Job, error) {
	skipLocked := ""
	if tx.dialect == Postgres {
		skipLocked = " FOR UPDATE SKIP LOCKED"
	}
	j, err := scanJob(tx.q.queryRow(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1,
		locked_until = $2, updated_at = $1
		WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= $1) OR (state = 'running' AND locked_until < $1)
			ORDER BY run_at, id LIMIT 1`+skipLocked+`)
		RETURNING `+jobColumns, now.UTC(), now.Add(lease).UTC()))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, translate(err)
	}
	return j, nil
}

// FinishJob marks a job done and replaces its payload (which may have held a
// one-time code) with what is worth keeping.
func (tx *Tx) FinishJob(ctx context.Context, id string, now time.Time, keptPayload string) error {
	return tx.execOne(ctx, "Job", `UPDATE jobs SET state = 'done', locked_until = NULL, last_error = '', payload = $3, updated_at = $2 WHERE id = $1`,
		id, now.UTC(), keptPayload)
}

// RetryJob puts a job back in the queue to run at runAt, recording the error.
func (tx *Tx) RetryJob(ctx context.Context, id string, now, runAt time.Time, lastError string) error {
	return tx.execOne(ctx, "Job", `UPDATE jobs SET state = 'queued', locked_until = NULL, run_at = $3, last_error = $4, updated_at = $2 WHERE id = $1`,
		id, now.UTC(), runAt.UTC(), lastError)
}

// FailJob gives up on a job for good.
func (tx *Tx) FailJob(ctx context.Context, id string, now time.Time, lastError, keptPayload string) error {
	return tx.execOne(ctx, "Job", `UPDATE jobs SET state = 'failed', locked_until = NULL, last_error = $3, payload = $4, updated_at = $2 WHERE id = $1`,
		id, now.UTC(), lastError, keptPayload)
}

// FindJobByKey returns the job with an idempotency key.
func (tx *Tx) FindJobByKey(ctx context.Context, key string) (*Job, error) {
	j, err := scanJob(tx.q.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE idempotency_key = $1`, key))
	if err != nil {
		return nil, notFound(err, "Job")
	}
	return j, nil
}

// JobCounts returns how many jobs are in each state, for metrics.
func (tx *Tx) JobCounts(ctx context.Context) (map[string]int, error) {
	rows, err := tx.q.query(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]int{JobQueued: 0, JobRunning: 0, JobDone: 0, JobFailed: 0}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, translate(err)
		}
		out[s] = n
	}
	return out, translate(rows.Err())
}
