// Package benchkit holds what Paraph's load commands share: a fresh
// database of either dialect and latency statistics. For bench/ only.
package benchkit

import (
	"database/sql"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// Database returns the DSN of a fresh database — "sqlite" makes a file in a
// temp dir, a postgres:// URL gets a new database on that server — and a
// function that removes it.
func Database(database string) (dsn string, cleanup func()) {
	if database == "sqlite" {
		dir, err := os.MkdirTemp("", "paraph-bench-")
		Check(err)
		return filepath.Join(dir, "paraph.db"), func() { os.RemoveAll(dir) }
	}
	admin, err := sql.Open("pgx", database)
	Check(err)
	name := fmt.Sprintf("paraph_bench_%d", time.Now().UnixNano())
	_, err = admin.Exec("CREATE DATABASE " + name)
	Check(err)
	u, err := url.Parse(database)
	Check(err)
	u.Path = "/" + name
	return u.String(), func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	}
}

// Latencies are the durations of successful operations.
type Latencies []time.Duration

// Quantile returns the q-quantile in milliseconds (0 when empty).
func (l Latencies) Quantile(q float64) float64 {
	if len(l) == 0 {
		return 0
	}
	s := slices.Clone(l)
	slices.Sort(s)
	return float64(s[int(q*float64(len(s)-1))].Microseconds()) / 1000
}

// Summary is "N/s p50 p99 max" for operations over elapsed.
func (l Latencies) Summary(elapsed time.Duration) string {
	return fmt.Sprintf("%8.1f /s   p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms",
		float64(len(l))/elapsed.Seconds(), l.Quantile(0.5), l.Quantile(0.99), l.Quantile(1))
}

// Check stops the command on an error.
func Check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
