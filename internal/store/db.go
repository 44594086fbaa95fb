// Package store keeps Paraph's data in SQLite or PostgreSQL. It holds SQL only:
// authorization and business rules are decided in core, never here. The same
// statements ($1 placeholders) run on both databases; what only one dialect
// understands lives in a file named after it.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"paraph"
)

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

//go:embed migrations
var migrations embed.FS

// DB is an open database of one dialect.
type DB struct {
	sql     *sql.DB       // SQLite; on PostgreSQL a database/sql view of pool, for migrations and tests
	pool    *pgxpool.Pool // PostgreSQL
	dialect string
	source  string // where it is, for logs, without a password
	// writer lets one SQLite write transaction run at a time, queued in Go:
	// SQLite allows one writer anyway, and its busy handler waits by
	// sleeping with backoff, which turns contention into long tails.
	writer sync.Mutex
	// stmts caches SQLite's prepared statements by their text: parsing SQL
	// was a quarter of the CPU of a signature. database/sql re-prepares a
	// cached statement per connection as needed. (pgx keeps PostgreSQL's
	// per connection itself.)
	stmts     sync.Map // string → *sql.Stmt
	nstmts    atomic.Int32
	preparing sync.Map // string → struct{}: a statement being prepared in the background
}

// maxCachedStatements bounds the cache: queries built from filters have
// variants, but not unboundedly many.
const maxCachedStatements = 2000

// stmt returns the cached prepared statement of query, preparing it once.
func (db *DB) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if db.nstmts.Load() >= maxCachedStatements {
		return nil
	}
	st, err := db.sql.PrepareContext(ctx, query)
	if err != nil {
		return nil // run it unprepared; the error shows there
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	db.nstmts.Add(1)
	return st
}

// cached runs queries through the statement cache, in a transaction when tx is set.
type cached struct {
	db *DB
	tx *sql.Tx
	q  interface {
		ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
		QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	}
}

func (c cached) statement(ctx context.Context, query string) *sql.Stmt {
	if c.tx == nil {
		return c.db.stmt(ctx, query)
	}
	// In a transaction only a statement prepared already is used. Preparing
	// one takes a connection from the pool, and a transaction holding locks
	// must never wait for one: when every connection is in a transaction
	// waiting for those locks, nothing moves again. The statement is
	// prepared in the background for next time, and runs unprepared now.
	if st, ok := c.db.stmts.Load(query); ok {
		return c.tx.StmtContext(ctx, st.(*sql.Stmt))
	}
	if _, busy := c.db.preparing.LoadOrStore(query, struct{}{}); !busy {
		go func() {
			defer c.db.preparing.Delete(query)
			c.db.stmt(context.Background(), query)
		}()
	}
	return nil
}

func (c cached) query(ctx context.Context, query string, args ...any) (rows, error) {
	var r *sql.Rows
	var err error
	if st := c.statement(ctx, query); st != nil {
		r, err = st.QueryContext(ctx, args...)
	} else {
		r, err = c.q.QueryContext(ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (c cached) queryRow(ctx context.Context, query string, args ...any) row {
	if st := c.statement(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.q.QueryRowContext(ctx, query, args...)
}

// run runs steps one by one: SQLite is in the process, a statement costs
// no round trip, and nothing is worth queueing.
func (c cached) run(ctx context.Context, _ bool, steps ...step) error {
	for _, s := range steps {
		if err := c.runStep(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

func (c cached) runStep(ctx context.Context, s step) error {
	if s.scan != nil {
		r, err := c.query(ctx, s.query, s.args...)
		if err != nil {
			return translate(err)
		}
		defer r.Close()
		if err := s.scan(r); err != nil {
			return translate(err)
		}
		return translate(r.Err())
	}
	var res sql.Result
	var err error
	if st := c.statement(ctx, s.query); st != nil {
		res, err = st.ExecContext(ctx, s.args...)
	} else {
		res, err = c.q.ExecContext(ctx, s.query, s.args...)
	}
	if err != nil {
		return translate(err)
	}
	if s.check == nil {
		return nil
	}
	n, err := res.RowsAffected()
	if err != nil {
		return paraph.Internal(err)
	}
	return s.check(n)
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL, or
// a path to an SQLite file (its folder is created when missing). It does not
// migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

// openSQLite sets every pragma in one place: WAL so readers do not wait for
// the writer, a busy timeout so writers queue instead of failing, foreign keys
// on, and immediate transactions so two writers never deadlock on upgrade.
func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create %s: %w", dir, err)
		}
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	return &DB{sql: db, dialect: SQLite, source: path}, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// Dialect returns SQLite or Postgres.
func (db *DB) Dialect() string { return db.dialect }

// Source names the database for logs, without secrets.
func (db *DB) Source() string { return db.source }

// Close closes the database.
func (db *DB) Close() error {
	db.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	err := db.sql.Close()
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// SQL returns the underlying handle, for tests and health checks.
func (db *DB) SQL() *sql.DB { return db.sql }

// Migrate applies every pending migration of this dialect.
func (db *DB) Migrate(ctx context.Context) (applied []string, err error) {
	p, err := db.migrator()
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range res {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}

// MigrateTo applies migrations up to and including version; tests use it to
// build an "old" schema and upgrade it.
func (db *DB) MigrateTo(ctx context.Context, version int64) error {
	p, err := db.migrator()
	if err != nil {
		return err
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		return fmt.Errorf("store: migrate to %d: %w", version, err)
	}
	return nil
}

func (db *DB) migrator() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+db.dialect)
	if err != nil {
		return nil, err
	}
	d := goose.DialectSQLite3
	if db.dialect == Postgres {
		d = goose.DialectPostgres
	}
	p, err := goose.NewProvider(d, db.sql, sub)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}

// Tx is one unit of work. Every store method runs on a Tx; core begins one per
// public use case with Write, or reads without a transaction with Read.
type Tx struct {
	q        querier
	dialect  string
	readOnly bool                   // from Read: a write there would race the writer
	audit    []*AuditEvent          // appended to the chain just before commit
	locked   map[string]bool        // documents whose row lock this transaction takes
	counts   map[countKey]int       // moves between funnel counts, written just before commit
	steps    map[string]funnelPlace // documents' funnel places read under their lock
}

// querier runs a Tx's statements: SQLite's through database/sql (cached),
// PostgreSQL's through pgx (pgPool outside a transaction, pgTx in one).
type querier interface {
	query(ctx context.Context, query string, args ...any) (rows, error)
	queryRow(ctx context.Context, query string, args ...any) row
	// run runs steps in order, on PostgreSQL in one round trip, and returns
	// the first failure. With queue, in a PostgreSQL transaction, they wait
	// to go with the transaction's next statement, which returns their
	// failure; elsewhere they run at once.
	run(ctx context.Context, queue bool, steps ...step) error
}

// rows are a query's rows: *sql.Rows, or pgx's.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

type row interface{ Scan(dest ...any) error }

// step is one statement of a batch. An exec's check sees how many rows it
// changed; a query's scan reads its rows.
type step struct {
	query string
	args  []any
	check func(n int64) error
	scan  func(rows) error
}

// Write runs fn in a transaction, committed when fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	if db.dialect == Postgres {
		return db.writePostgres(ctx, fn)
	}
	db.writer.Lock()
	defer db.writer.Unlock()
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return paraph.Internal(fmt.Errorf("store: begin: %w", err))
	}
	t := &Tx{q: cached{db: db, tx: tx, q: tx}, dialect: db.dialect}
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if err := t.finish(ctx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("store: commit: %w", err))
	}
	return nil
}

func (db *DB) writePostgres(ctx context.Context, fn func(*Tx) error) error {
	pt, err := beginPostgres(ctx, db.pool)
	if err != nil {
		return err
	}
	committed := false
	defer func() { pt.release(ctx, committed) }()
	t := &Tx{q: pt, dialect: db.dialect}
	if err := fn(t); err != nil {
		return err
	}
	if pt.err != nil { // a queued step failed and fn did not see it
		return pt.err
	}
	if err := t.finish(ctx); err != nil {
		return err
	}
	if err := pt.commit(ctx); err != nil {
		return err
	}
	committed = true
	return nil
}

// finish writes what a transaction keeps until it commits: the funnel
// counts and the audit events. Their rows are shared by every writer (the
// audit chain's head, on SQLite): touched last, they are held for the
// commit only, not the whole transaction.
func (tx *Tx) finish(ctx context.Context) error {
	if err := tx.flushCounts(ctx); err != nil {
		return err
	}
	return tx.flushAudit(ctx)
}

// Read runs fn against the database outside a transaction: for reads that need
// no snapshot across statements.
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	var q querier = cached{db: db, q: db.sql}
	if db.dialect == Postgres {
		q = pgPool{db.pool}
	}
	return fn(&Tx{q: q, dialect: db.dialect, readOnly: true})
}

// Dialect of the transaction's database.
func (tx *Tx) Dialect() string { return tx.dialect }

// exec runs a statement now and returns how many rows it changed.
func (tx *Tx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := tx.write(ctx, false, step{query: query, args: args, check: func(got int64) error { n = got; return nil }})
	return n, err
}

// execOne runs a statement that must change exactly one row; none is not_found.
func (tx *Tx) execOne(ctx context.Context, what, query string, args ...any) error {
	return tx.write(ctx, false, step{query: query, args: args, check: one(what)})
}

// later runs a statement whose result nobody waits for: in a PostgreSQL
// transaction it goes with the next statement, or with COMMIT, and its
// failure fails that statement and the transaction. With what set, it must
// change exactly one row (none is not_found). Only a write whose caller
// would do nothing but return its error may wait.
func (tx *Tx) later(ctx context.Context, what, query string, args ...any) error {
	s := step{query: query, args: args}
	if what != "" {
		s.check = one(what)
	}
	return tx.write(ctx, true, s)
}

func (tx *Tx) write(ctx context.Context, queue bool, s step) error {
	if tx.readOnly {
		// An autocommit write from a read fails at once on SQLite when
		// another transaction committed meanwhile: writes go through Write.
		return paraph.Internal(fmt.Errorf("store: write outside a transaction: %.60s", s.query))
	}
	return tx.q.run(ctx, queue, s)
}

// one checks that a statement changed one row of what.
func one(what string) func(int64) error {
	return func(n int64) error {
		if n == 0 {
			return &paraph.Error{Code: paraph.ENOTFOUND, Reason: "not_found", Message: what + " not found."}
		}
		return nil
	}
}

// translate turns driver errors into domain errors: a unique or check
// violation is a conflict or invalid input, never a 500.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "conflict", Message: "This already exists.", Err: err}
		case "23503", "23514", "23502", "22001":
			return &paraph.Error{Code: paraph.EINVALID, Reason: "constraint", Message: "The data does not fit the rules.", Err: err}
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &paraph.Error{Code: paraph.ECONFLICT, Reason: "conflict", Message: "This already exists.", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return &paraph.Error{Code: paraph.EINVALID, Reason: "constraint", Message: "The data does not fit the rules.", Err: err}
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var pe2 *paraph.Error
	if errors.As(err, &pe2) {
		return err
	}
	return paraph.Internal(err)
}

// notFound turns sql.ErrNoRows into a not_found error about what.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return &paraph.Error{Code: paraph.ENOTFOUND, Reason: "not_found", Message: what + " not found."}
	}
	return translate(err)
}

// nullString maps "" to NULL, for optional unique columns.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullTime maps the zero time to NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func timeOf(nt sql.NullTime) time.Time {
	if !nt.Valid {
		return time.Time{}
	}
	return nt.Time.UTC()
}

// Migrations returns the embedded migration files, one folder per dialect.
func Migrations() fs.FS { return migrations }
