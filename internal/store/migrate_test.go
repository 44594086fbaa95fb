package store_test

import (
	"context"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"testing"

	"paraph/internal/store"
	"paraph/internal/storetest"
)

// A database built by applying migrations one release at a time ends with
// the same schema as one migrated fresh in one go.
func TestFreshSchemaEqualsUpgraded(t *testing.T) {
	for _, d := range storetest.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			fresh := storetest.MustOpen(t, d)
			upgraded := storetest.MustOpenEmpty(t, d)
			versions := migrationVersions(t, d)
			if len(versions) == 0 {
				t.Fatal("no migrations found")
			}
			for _, v := range versions {
				if err := upgraded.MigrateTo(ctx, v); err != nil {
					t.Fatal(err)
				}
			}
			a, b := schema(t, fresh), schema(t, upgraded)
			if a != b {
				t.Fatalf("schemas differ:\nfresh:\n%s\nupgraded:\n%s", a, b)
			}
			if !strings.Contains(a, "accounts") || !strings.Contains(a, "jobs") {
				t.Fatalf("schema dump looks empty:\n%s", a)
			}
		})
	}
}

func migrationVersions(t *testing.T, dialect string) []int64 {
	t.Helper()
	dir := "migrations/" + dialect
	entries, err := fs.ReadDir(store.Migrations(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, e := range entries {
		num, _, ok := strings.Cut(path.Base(e.Name()), "_")
		if !ok {
			t.Fatalf("migration %s is not named NNNNN_name.sql", e.Name())
		}
		v, err := strconv.ParseInt(num, 10, 64)
		if err != nil {
			t.Fatalf("migration %s: %v", e.Name(), err)
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Both dialects have the same migrations, so neither falls behind.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	a, b := migrationVersions(t, store.SQLite), migrationVersions(t, store.Postgres)
	if len(a) != len(b) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("migration %d: sqlite %d, postgres %d", i, a[i], b[i])
		}
	}
}

func schema(t *testing.T, db *store.DB) string {
	t.Helper()
	var q string
	switch db.Dialect() {
	case store.SQLite:
		q = `SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master
			WHERE name NOT LIKE 'goose%' AND name NOT LIKE 'sqlite_%' ORDER BY type, name`
	default:
		q = `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || COALESCE(column_default, '')
			FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'goose%'
			UNION ALL
			SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'goose%'
			UNION ALL
			SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ': ' || pg_get_constraintdef(oid)
			FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE 'goose%'
			ORDER BY 1`
	}
	rows, err := db.SQL().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		b.WriteString(s + "\n")
	}
	return b.String()
}
