// Command accounts measures Paraph's account endpoints over real HTTP on
// loopback: logins per second with their latency at 50 concurrent clients,
// and an authenticated GET /api/v1/me at 200. It runs a whole server in this
// process, on SQLite in a temp dir or on PostgreSQL (-database postgres://…),
// with the production argon2 costs and the login rate limits turned off (the
// load comes from one IP). It stops by itself after the set durations.
//
//	go run ./bench/accounts -database sqlite
//	go run ./bench/accounts -database postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"paraph"
	"paraph/bench/benchkit"
	"paraph/internal/core"
	"paraph/internal/notify"
	"paraph/internal/server"
)

func main() {
	database := flag.String("database", "sqlite", `"sqlite" (temp dir) or a postgres:// URL of a server where a database may be created`)
	loginClients := flag.Int("login-clients", 50, "concurrent login clients")
	meClients := flag.Int("me-clients", 200, "concurrent GET /me clients")
	duration := flag.Duration("duration", 10*time.Second, "length of each phase")
	accounts := flag.Int("accounts", 200, "accounts to log in as")
	meRate := flag.Int("me-rate", 2000, "requests per second of the open-loop GET /me phase, spread over the me-clients")
	flag.Parse()

	ctx := context.Background()
	db, closeDB := benchkit.Store(ctx, *database)
	defer closeDB()
	off := core.RateLimit{Burst: -1}
	svc, err := core.New(ctx, db, paraph.SystemClock{}, slog.New(slog.DiscardHandler),
		core.Config{LoginPerIP: off, LoginPerLogin: off})
	benchkit.Check(err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	benchkit.Check(err)
	base := "http://" + ln.Addr().String()
	srv, err := server.New(db, svc, slog.New(slog.DiscardHandler), server.Options{BaseURL: base, Sender: notify.Discard{}})
	benchkit.Check(err)
	go http.Serve(ln, srv.Handler())

	fmt.Printf("Paraph account bench: %s, GOMAXPROCS=%d, argon2id m=%d KiB t=%d p=%d\n",
		db.Dialect(), runtime.GOMAXPROCS(0), core.DefaultPasswordParams.MemoryKiB, core.DefaultPasswordParams.Time, core.DefaultPasswordParams.Threads)

	// One login's CPU cost, measured alone.
	start := time.Now()
	const hashes = 20
	for range hashes {
		core.DefaultPasswordParams.Hash("correct horse battery staple")
	}
	fmt.Printf("argon2id hash alone: %.1f ms per password (mean of %d, one core)\n",
		float64(time.Since(start).Microseconds())/1000/hashes, hashes)

	logins := make([]string, *accounts)
	for i := range logins {
		logins[i] = fmt.Sprintf("bench%04d@example.com", i)
		_, err := svc.CreateActiveAccount(ctx, core.Registration{Login: logins[i], Password: benchkit.Password, FullName: "Bench"})
		benchkit.Check(err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000, MaxConnsPerHost: 1000}}

	tokens := make([]string, 0, *accounts)
	var tokMu sync.Mutex
	res := benchkit.Closed(*loginClients, *duration, func(worker, i int) error {
		login := logins[(worker*7919+i)%len(logins)]
		body, _ := json.Marshal(map[string]string{"login": login, "password": benchkit.Password})
		resp, err := client.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var out struct{ Token string }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			return fmt.Errorf("login: status %d %v", resp.StatusCode, err)
		}
		tokMu.Lock()
		if len(tokens) < cap(tokens) {
			tokens = append(tokens, out.Token)
		}
		tokMu.Unlock()
		return nil
	})
	res.Print("POST /api/v1/auth/login", *loginClients)

	res = benchkit.Closed(*meClients, *duration, func(worker, i int) error {
		req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tokens[(worker+i)%len(tokens)])
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("me: status %d", resp.StatusCode)
		}
		return nil
	})
	res.Print("GET /api/v1/me (closed loop)", *meClients)

	// Open loop: each client sends on a fixed schedule whatever the answers
	// do, and latency counts from the scheduled moment, so a slow answer is
	// not hidden by the client waiting for it (no coordinated omission).
	every := time.Duration(float64(time.Second) * float64(*meClients) / float64(*meRate))
	res = schedule(*meClients, every, *duration, func(worker, i int) error {
		req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tokens[(worker+i)%len(tokens)])
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("me: status %d", resp.StatusCode)
		}
		return nil
	})
	res.Print(fmt.Sprintf("GET /api/v1/me (%d/s open)", *meRate), *meClients)
}

// schedule runs fn from c clients, each starting a request every `every`
// (offset so the clients spread evenly), for d; latency counts from the
// scheduled moment.
func schedule(c int, every, d time.Duration, fn func(worker, i int) error) benchkit.Result {
	start := time.Now()
	return benchkit.Load(c, func(w int, r *benchkit.Recorder) {
		offset := every * time.Duration(w) / time.Duration(c)
		for i := 0; ; i++ {
			due := start.Add(offset + time.Duration(i)*every)
			if due.Sub(start) >= d {
				return
			}
			time.Sleep(time.Until(due))
			err := fn(w, i)
			r.Record(time.Since(due), err)
		}
	})
}
