// Package storetest gives tests fresh, migrated databases of both dialects.
// PostgreSQL comes from PARAPH_TEST_DATABASE_URL (a server where the test may
// create databases), else from a throwaway cluster started with the local
// PostgreSQL binaries. Without either, PostgreSQL tests are skipped with a
// message — except under CI=true, where that is a failure.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"paraph/internal/store"
)

// Dialects lists the databases every store test runs on.
var Dialects = []string{store.SQLite, store.Postgres}

// EachDB runs fn once per dialect, each with its own fresh database.
func EachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) { fn(t, MustOpen(t, d)) })
	}
}

// MustOpen returns a fresh, migrated database of a dialect, removed after the test.
func MustOpen(tb testing.TB, dialect string) *store.DB {
	tb.Helper()
	db := MustOpenEmpty(tb, dialect)
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("storetest: migrate %s: %v", dialect, err)
	}
	return db
}

// MustOpenEmpty returns a fresh database with no schema.
func MustOpenEmpty(tb testing.TB, dialect string) *store.DB {
	tb.Helper()
	ctx := context.Background()
	var dsn string
	switch dialect {
	case store.SQLite:
		dsn = filepath.Join(tb.TempDir(), "paraph.db")
	case store.Postgres:
		dsn = freshPostgres(tb)
	default:
		tb.Fatalf("storetest: unknown dialect %q", dialect)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("storetest: open %s: %v", dialect, err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns a URL of a PostgreSQL server where tests may create
// databases, skipping (or failing under CI) when there is none.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	pgOnce.Do(findPostgres)
	if pgErr != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("storetest: PostgreSQL is required under CI=true: %v", pgErr)
		}
		tb.Skipf("storetest: skipping PostgreSQL: %v (set PARAPH_TEST_DATABASE_URL=postgres://… or install PostgreSQL)", pgErr)
	}
	return pgURL
}

// freshPostgres creates a new database for one test and drops it afterwards.
func freshPostgres(tb testing.TB) string {
	tb.Helper()
	admin := PostgresURL(tb)
	b := make([]byte, 6)
	rand.Read(b)
	name := "paraph_test_" + hex.EncodeToString(b)
	adb, err := sql.Open("pgx", admin)
	if err != nil {
		tb.Fatalf("storetest: %v", err)
	}
	defer adb.Close()
	if _, err := adb.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("storetest: create database: %v", err)
	}
	tb.Cleanup(func() {
		adb, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer adb.Close()
		adb.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

var (
	pgOnce sync.Once
	pgURL  string
	pgErr  error
)

func findPostgres() {
	if u := os.Getenv("PARAPH_TEST_DATABASE_URL"); u != "" {
		pgURL, pgErr = u, ping(u)
		return
	}
	pgURL, pgErr = startCluster()
}

func ping(u string) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("PARAPH_TEST_DATABASE_URL does not answer: %w", err)
	}
	return nil
}

// startCluster initdb's a throwaway cluster in a temp dir and starts it on a
// free loopback port. It stays up for the life of the test binary; Main stops it.
func startCluster() (string, error) {
	bin, err := findPGBin()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "paraph-pg-")
	if err != nil {
		return "", err
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	var prefix []string
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		if _, err := user.Lookup("postgres"); err != nil {
			return "", fmt.Errorf("running as root and there is no postgres user to run a cluster as")
		}
		prefix = []string{"runuser", "-u", "postgres", "--"}
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			return "", fmt.Errorf("chown %s: %v: %s", dir, err, out)
		}
	}
	run := func(name string, args ...string) error {
		argv := append(append(append([]string{}, prefix...), filepath.Join(bin, name)), args...)
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %v: %s", name, err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"); err != nil {
		return "", err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", port, dir)
	if err := run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start"); err != nil {
		return "", err
	}
	clusterStop = func() {
		run("pg_ctl", "-D", data, "-m", "immediate", "stop")
		os.RemoveAll(dir)
	}
	u := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return u, ping(u)
}

var clusterStop func()

// Main runs a package's tests and stops a throwaway cluster afterwards; call
// it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if clusterStop != nil {
		clusterStop()
	}
	os.Exit(code)
}

func findPGBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", fmt.Errorf("no PARAPH_TEST_DATABASE_URL and no PostgreSQL binaries (initdb) found")
	}
	best := matches[0]
	for _, m := range matches[1:] { // the newest major version
		if majorOf(m) > majorOf(best) {
			best = m
		}
	}
	return filepath.Dir(best), nil
}

func majorOf(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
