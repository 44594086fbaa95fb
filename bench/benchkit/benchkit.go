// Package benchkit holds what Paraph's load commands share: a fresh
// database of either dialect and latency statistics. For bench/ only.
package benchkit

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"paraph/internal/store"
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

// Store opens a fresh, migrated database (see Database); close removes it.
func Store(ctx context.Context, database string) (db *store.DB, close func()) {
	dsn, cleanup := Database(database)
	db, err := store.Open(ctx, dsn)
	Check(err)
	_, err = db.Migrate(ctx)
	Check(err)
	return db, func() {
		db.Close()
		cleanup()
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

// Recorder gathers one load worker's outcomes.
type Recorder struct {
	lat   Latencies
	errs  int
	first error
}

// Record notes a request: its latency when it succeeded, else its error.
func (r *Recorder) Record(lat time.Duration, err error) {
	if err != nil {
		r.errs++
		if r.first == nil {
			r.first = err
		}
		return
	}
	r.lat = append(r.lat, lat)
}

// Result is what a load run measured.
type Result struct {
	Elapsed   time.Duration
	Latencies Latencies // of the successful requests
	Errs      int
	FirstErr  error
}

// Load runs worker on c goroutines, each with its own Recorder, and
// gathers what they recorded.
func Load(c int, worker func(w int, r *Recorder)) Result {
	recs := make([]Recorder, c)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range c {
		wg.Go(func() { worker(w, &recs[w]) })
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start)}
	for _, r := range recs {
		res.Latencies = append(res.Latencies, r.lat...)
		res.Errs += r.errs
		if res.FirstErr == nil {
			res.FirstErr = r.first
		}
	}
	return res
}

// Closed runs fn from c workers back to back for d (a closed loop).
func Closed(c int, d time.Duration, fn func(worker, i int) error) Result {
	deadline := time.Now().Add(d)
	return Load(c, func(w int, r *Recorder) {
		for i := 0; time.Now().Before(deadline); i++ {
			t := time.Now()
			err := fn(w, i)
			r.Record(time.Since(t), err)
		}
	})
}

// Print writes one line: requests, errors, rate and latency quantiles.
func (r Result) Print(name string, clients int) {
	n := len(r.Latencies)
	fmt.Printf("%-34s clients=%-4d requests=%-7d errors=%-4d %8.1f req/s   p50 %6.1f ms   p99 %6.1f ms   max %6.1f ms\n",
		name, clients, n, r.Errs, float64(n)/r.Elapsed.Seconds(), r.Latencies.Quantile(0.5), r.Latencies.Quantile(0.99), r.Latencies.Quantile(1))
	if r.FirstErr != nil {
		fmt.Printf("  first error: %v\n", r.FirstErr)
	}
}
