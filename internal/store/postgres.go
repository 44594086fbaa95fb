package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"paraph"
)

// PostgreSQL runs through pgx itself rather than database/sql, for one
// thing database/sql cannot do: send several statements in one round trip.
// On a loopback connection the round trip, not the statement, is the cost —
// a pipeline of 20 primary-key reads runs about 6 times faster than the
// same reads one by one (pgbench, 2 cores) — so a transaction keeps the
// writes whose results nobody reads at once, and sends them with its next
// read or its COMMIT.

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres %s: %w", redact(dsn), err)
	}
	// Connections beyond a few per core only queue inside PostgreSQL and add
	// context switches: on 2 cores, 12 signed 358–411/s against 40's
	// 327–344/s (bench/signing). Transactions never need a second
	// connection, so a small pool cannot starve them. pool_max_conns in the
	// URL overrides it.
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = int32(min(40, max(12, 6*runtime.GOMAXPROCS(0))))
	}
	cfg.MaxConnIdleTime = 5 * time.Minute
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(pingCtx, cfg)
	if err == nil {
		err = pool.Ping(pingCtx)
	}
	if err != nil {
		if pool != nil {
			pool.Close()
		}
		return nil, fmt.Errorf("store: connect to postgres %s: %w", redact(dsn), err)
	}
	// database/sql over the same pool, for goose, health checks and tests.
	return &DB{sql: stdlib.OpenDBFromPool(pool), pool: pool, dialect: Postgres, source: redact(dsn)}, nil
}

// pgRows are pgx's rows as the store reads them; done runs once they are
// closed (a batch's end).
type pgRows struct {
	pgx.Rows
	done    func() error
	doneErr error
}

// Next closes the rows after the last, as database/sql's do: the
// connection is free for the next statement.
func (r *pgRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *pgRows) Close() error {
	r.Rows.Close()
	if r.done != nil {
		r.doneErr = r.done()
		r.done = nil
	}
	return r.doneErr
}

func (r *pgRows) Err() error {
	if err := r.Rows.Err(); err != nil {
		return err
	}
	return r.doneErr
}

// oneRow is QueryRow over rows: the first row, or sql.ErrNoRows.
type oneRow struct {
	r   rows
	err error
}

func (o oneRow) Scan(dest ...any) error {
	if o.err != nil {
		return o.err
	}
	defer o.r.Close()
	if !o.r.Next() {
		if err := o.r.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := o.r.Scan(dest...); err != nil {
		return err
	}
	o.r.Close()
	return o.r.Err()
}

// pgPool runs statements outside a transaction, each on any connection.
type pgPool struct{ p *pgxpool.Pool }

func (q pgPool) query(ctx context.Context, query string, args ...any) (rows, error) {
	r, err := q.p.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return &pgRows{Rows: r}, nil
}

func (q pgPool) queryRow(ctx context.Context, query string, args ...any) row {
	return q.p.QueryRow(ctx, query, args...)
}

func (q pgPool) run(ctx context.Context, _ bool, steps ...step) error {
	c, err := q.p.Acquire(ctx)
	if err != nil {
		return translate(err)
	}
	defer c.Release()
	br := c.SendBatch(ctx, batchOf(steps, "", nil))
	err = readSteps(br, steps)
	if cerr := br.Close(); err == nil {
		err = translate(cerr)
	}
	return err
}

// pgTx is a transaction on one connection. Its BEGIN and its queued steps
// wait to go with the next statement whose answer is needed, and its last
// queued steps with COMMIT: a transaction that locks a row, reads under
// the lock and writes a few rows takes two round trips, not one per
// statement.
type pgTx struct {
	conn    *pgxpool.Conn
	pending []step
	begun   bool  // BEGIN has gone to the server
	err     error // a queued step failed: the transaction is over
}

func beginPostgres(ctx context.Context, pool *pgxpool.Pool) (*pgTx, error) {
	c, err := pool.Acquire(ctx)
	if err != nil {
		return nil, paraph.Internal(fmt.Errorf("store: begin: %w", err))
	}
	return &pgTx{conn: c, pending: []step{{query: "BEGIN"}}}, nil
}

// flush sends the queued steps, then now, then query (when not ""), in one
// batch. A queued step's failure ends the transaction; a failure among now
// is returned as the statements' own. The batch is returned open when query
// is set: its last result is query's.
func (t *pgTx) flush(ctx context.Context, now []step, query string, args []any) (pgx.BatchResults, error) {
	if t.err != nil {
		return nil, t.err
	}
	pending := t.pending
	t.pending = nil
	br := t.conn.SendBatch(ctx, batchOf(append(pending, now...), query, args))
	t.begun = true
	if err := readSteps(br, pending); err != nil {
		br.Close()
		t.err = err
		return nil, err
	}
	err := readSteps(br, now)
	if err != nil || query == "" {
		if cerr := br.Close(); err == nil {
			err = translate(cerr)
		}
		return nil, err
	}
	return br, nil
}

func (t *pgTx) query(ctx context.Context, query string, args ...any) (rows, error) {
	if len(t.pending) == 0 && t.err == nil {
		r, err := t.conn.Query(ctx, query, args...)
		if err != nil {
			return nil, err
		}
		return &pgRows{Rows: r}, nil
	}
	br, err := t.flush(ctx, nil, query, args)
	if err != nil {
		return nil, err
	}
	r, err := br.Query()
	if err != nil {
		br.Close()
		return nil, err
	}
	return &pgRows{Rows: r, done: br.Close}, nil
}

func (t *pgTx) queryRow(ctx context.Context, query string, args ...any) row {
	r, err := t.query(ctx, query, args...)
	return oneRow{r: r, err: err}
}

func (t *pgTx) run(ctx context.Context, queue bool, steps ...step) error {
	if t.err != nil {
		return t.err
	}
	if queue {
		t.pending = append(t.pending, steps...)
		return nil
	}
	_, err := t.flush(ctx, steps, "", nil)
	return err
}

// commit sends what is queued with COMMIT. A transaction that ran nothing
// sends nothing.
func (t *pgTx) commit(ctx context.Context) error {
	if t.err != nil {
		return t.err
	}
	if !t.begun && len(t.pending) == 1 {
		return nil
	}
	br, err := t.flush(ctx, nil, "COMMIT", nil)
	if err != nil {
		return err
	}
	tag, err := br.Exec()
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return translate(fmt.Errorf("store: commit: %w", err))
	}
	if tag.String() != "COMMIT" { // an aborted transaction "commits" as ROLLBACK
		return paraph.Internal(errors.New("store: commit: the transaction was rolled back"))
	}
	return nil
}

// release rolls back what did not commit and gives the connection back (a
// connection still in a transaction is closed instead, by the pool).
func (t *pgTx) release(ctx context.Context, committed bool) {
	if !committed && t.begun && !t.conn.Conn().IsClosed() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		t.conn.Exec(rctx, "ROLLBACK")
		cancel()
	}
	t.conn.Release()
}

func batchOf(steps []step, query string, args []any) *pgx.Batch {
	b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(steps)+1)}
	for _, s := range steps {
		b.Queue(s.query, s.args...)
	}
	if query != "" {
		b.Queue(query, args...)
	}
	return b
}

// readSteps reads the results of steps, in order, from the start of br,
// and returns the first failure.
func readSteps(br pgx.BatchResults, steps []step) error {
	for _, s := range steps {
		if s.scan != nil {
			r, err := br.Query()
			if err != nil {
				return translate(err)
			}
			pr := &pgRows{Rows: r}
			err = s.scan(pr)
			pr.Close()
			if err == nil {
				err = r.Err()
			}
			if err != nil {
				return translate(err)
			}
			continue
		}
		tag, err := br.Exec()
		if err != nil {
			return translate(err)
		}
		if s.check != nil {
			if err := s.check(tag.RowsAffected()); err != nil {
				return err
			}
		}
	}
	return nil
}
