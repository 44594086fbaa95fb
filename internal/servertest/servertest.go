// Package servertest runs a whole Paraph server for tests: a fresh database
// of a dialect, the real router on httptest, a settable clock, and the dev
// mailbox to read codes from.
package servertest

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"paraph"
	"paraph/internal/blob"
	"paraph/internal/core"
	"paraph/internal/notify"
	"paraph/internal/server"
	"paraph/internal/store"
	"paraph/internal/storetest"
)

// FastPasswords keeps argon2 cheap in tests; the real costs are benchmarked.
var FastPasswords = core.PasswordParams{MemoryKiB: 1024, Time: 1, Threads: 1}

// Env is a running server.
type Env struct {
	URL    string
	Server *server.Server
	Svc    *core.Service
	DB     *store.DB
	Clock  *paraph.FixedClock
}

// New starts a dev-mode server on a fresh database; configure may change the
// core configuration before start.
func New(t testing.TB, dialect string, configure func(*core.Config)) *Env {
	t.Helper()
	return NewSending(t, dialect, configure, notify.Discard{})
}

// NewSending is New with messages delivered by sender as well as kept in
// the dev mailbox.
func NewSending(t testing.TB, dialect string, configure func(*core.Config), sender notify.Sender) *Env {
	t.Helper()
	ctx := context.Background()
	db := storetest.MustOpen(t, dialect)
	clock := paraph.NewFixedClock(time.Now())
	blobs, err := blob.NewDir(filepath.Join(t.TempDir(), "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(nil)
	url := "http://" + ts.Listener.Addr().String()
	cfg := core.Config{Dev: true, Password: FastPasswords, Blobs: blobs, BaseURL: url}
	if configure != nil {
		configure(&cfg)
	}
	log := slog.New(slog.DiscardHandler)
	svc, err := core.New(ctx, db, clock, log, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Svc: svc, DB: db, Clock: clock, URL: url}
	e.Server, err = server.New(db, svc, log, server.Options{BaseURL: e.URL, Dev: cfg.Dev, Sender: sender})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = e.Server.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return e
}

// RunJobs runs every job that is due now.
func (e *Env) RunJobs(t testing.TB) {
	t.Helper()
	for {
		ran, err := e.Server.Runner().RunOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

var codeRe = regexp.MustCompile(`\b(\d{6})\b`)

// Code delivers due messages and returns the code in the newest message to
// an address, as a person would read it from the dev mailbox.
func (e *Env) Code(t testing.TB, to string) string {
	t.Helper()
	e.RunJobs(t)
	msgs, err := e.Svc.DevMessages(context.Background(), to, 1)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("servertest: no message to %s (%v)", to, err)
	}
	m := codeRe.FindStringSubmatch(msgs[0].Body)
	if m == nil {
		t.Fatalf("servertest: no code in %q", msgs[0].Body)
	}
	return m[1]
}
