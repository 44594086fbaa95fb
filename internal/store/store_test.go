package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"paraph"
	"paraph/internal/store"
	"paraph/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newID() string { return uuid.Must(uuid.NewV7()).String() }

func mustWrite(t *testing.T, db *store.DB, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := db.Write(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func mustAccount(t *testing.T, db *store.DB, email, phone string) *store.AccountRecord {
	t.Helper()
	a := &store.AccountRecord{Account: paraph.Account{ID: newID(), FullName: "Тест Тестович", Email: email, Phone: phone,
		Language: "ru", Status: paraph.AccountPending, CreatedAt: t0}, PasswordHash: "x", PasswordChangedAt: t0}
	mustWrite(t, db, func(tx *store.Tx) error { return tx.CreateAccount(context.Background(), a) })
	return a
}

func TestAccounts(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := mustAccount(t, db, "anna@example.com", "")
		mustAccount(t, db, "", "+79161234567")

		var got *store.AccountRecord
		mustWrite(t, db, func(tx *store.Tx) (err error) { got, err = tx.FindAccountByLogin(ctx, "anna@example.com"); return })
		if got.ID != a.ID || got.FullName != "Тест Тестович" || !got.CreatedAt.Equal(t0) || !got.ConfirmedAt.IsZero() {
			t.Fatalf("found %+v, want %+v", got, a)
		}

		// A second account with the same email is a conflict, not a 500.
		err := db.Write(ctx, func(tx *store.Tx) error {
			dup := *a
			dup.ID = newID()
			return tx.CreateAccount(ctx, &dup)
		})
		if paraph.ErrorCode(err) != paraph.ECONFLICT {
			t.Fatalf("duplicate email: got %v (%s), want conflict", err, paraph.ErrorCode(err))
		}
		// Two accounts without a phone do not collide on NULL.
		mustAccount(t, db, "boris@example.com", "")

		err = db.Read(ctx, func(tx *store.Tx) error { _, err := tx.FindAccountByLogin(ctx, "nobody@example.com"); return err })
		if paraph.ErrorCode(err) != paraph.ENOTFOUND {
			t.Fatalf("unknown login: got %v, want not_found", err)
		}

		got.Status, got.ConfirmedAt, got.Phone = paraph.AccountActive, t0.Add(time.Minute), "+380671234567"
		mustWrite(t, db, func(tx *store.Tx) error { return tx.UpdateAccount(ctx, got) })
		mustWrite(t, db, func(tx *store.Tx) (err error) { got, err = tx.FindAccountByLogin(ctx, "+380671234567"); return })
		if got.ID != a.ID || got.Status != paraph.AccountActive || !got.ConfirmedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("after update: %+v", got)
		}
		// A write that fails rolls back everything in its transaction.
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.DeleteAccount(ctx, a.ID); err != nil {
				return err
			}
			return fmt.Errorf("boom")
		})
		if err == nil {
			t.Fatal("want the error back")
		}
		mustWrite(t, db, func(tx *store.Tx) (err error) { _, err = tx.FindAccountByID(ctx, a.ID); return })
	})
}

func TestCodes(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := mustAccount(t, db, "anna@example.com", "")
		for i, at := range []time.Time{t0, t0.Add(2 * time.Minute)} {
			c := &store.Code{ID: newID(), AccountID: a.ID, Purpose: "confirm", Address: a.Email, Hash: fmt.Sprint("h", i),
				CreatedAt: at, ExpiresAt: at.Add(10 * time.Minute)}
			mustWrite(t, db, func(tx *store.Tx) error { return tx.CreateCode(ctx, c) })
		}
		var c *store.Code
		mustWrite(t, db, func(tx *store.Tx) (err error) { c, err = tx.FindLatestCode(ctx, a.ID, "confirm"); return })
		if c.Hash != "h1" || !c.ExpiresAt.Equal(t0.Add(12*time.Minute)) {
			t.Fatalf("latest code: %+v", c)
		}
		var n int
		mustWrite(t, db, func(tx *store.Tx) (err error) {
			n, err = tx.CountCodesSince(ctx, a.ID, "confirm", t0.Add(time.Minute))
			return
		})
		if n != 1 {
			t.Fatalf("codes since: %d, want 1", n)
		}
		mustWrite(t, db, func(tx *store.Tx) error { return tx.AddCodeAttempt(ctx, c.ID) })
		mustWrite(t, db, func(tx *store.Tx) error { return tx.UseCode(ctx, c.ID, t0.Add(3*time.Minute)) })
		err := db.Write(ctx, func(tx *store.Tx) error { return tx.UseCode(ctx, c.ID, t0.Add(4*time.Minute)) })
		if paraph.ErrorCode(err) != paraph.ENOTFOUND {
			t.Fatalf("second use: %v, want not_found", err)
		}
		mustWrite(t, db, func(tx *store.Tx) (err error) { c, err = tx.FindLatestCode(ctx, a.ID, "confirm"); return })
		if c.Attempts != 1 || !c.UsedAt.Equal(t0.Add(3*time.Minute)) {
			t.Fatalf("after use: %+v", c)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := mustAccount(t, db, "anna@example.com", "")
		mk := func(kind, hash string, exp time.Time) *store.Token {
			tok := &store.Token{ID: newID(), AccountID: a.ID, Kind: kind, Hash: hash, CreatedAt: t0, ExpiresAt: exp}
			mustWrite(t, db, func(tx *store.Tx) error { return tx.CreateToken(ctx, tok) })
			return tok
		}
		s1 := mk(store.TokenSession, "s1", t0.Add(time.Hour))
		mk(store.TokenBearer, "b1", t0.Add(time.Minute))
		p1 := mk(store.TokenPersonal, "p1", time.Time{})

		var got *store.Token
		mustWrite(t, db, func(tx *store.Tx) (err error) { got, err = tx.FindTokenByHash(ctx, "p1"); return })
		if got.ID != p1.ID || !got.ExpiresAt.IsZero() || !got.LastUsedAt.IsZero() {
			t.Fatalf("personal token: %+v", got)
		}
		mustWrite(t, db, func(tx *store.Tx) error { return tx.TouchToken(ctx, s1.ID, t0.Add(5*time.Minute)) })
		mustWrite(t, db, func(tx *store.Tx) (err error) { got, err = tx.FindTokenByHash(ctx, "s1"); return })
		if !got.LastUsedAt.Equal(t0.Add(5 * time.Minute)) {
			t.Fatalf("touched: %v", got.LastUsedAt)
		}
		var n int64
		mustWrite(t, db, func(tx *store.Tx) (err error) { n, err = tx.DeleteExpiredTokens(ctx, t0.Add(10*time.Minute)); return })
		if n != 1 {
			t.Fatalf("expired deleted: %d, want 1", n)
		}
		// A password change keeps the session in use and personal tokens.
		s2 := mk(store.TokenSession, "s2", t0.Add(time.Hour))
		mustWrite(t, db, func(tx *store.Tx) error { return tx.DeleteTokensExcept(ctx, a.ID, s2.ID) })
		for hash, want := range map[string]bool{"s1": false, "s2": true, "p1": true} {
			err := db.Read(ctx, func(tx *store.Tx) error { _, err := tx.FindTokenByHash(ctx, hash); return err })
			if (err == nil) != want {
				t.Errorf("token %s present=%v, want %v (%v)", hash, err == nil, want, err)
			}
		}
		// One account cannot delete another's token.
		b := mustAccount(t, db, "boris@example.com", "")
		err := db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteToken(ctx, b.ID, p1.ID) })
		if paraph.ErrorCode(err) != paraph.ENOTFOUND {
			t.Fatalf("foreign delete: %v", err)
		}
	})
}

func TestJobs(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		enqueue := func(key string, runAt time.Time) {
			mustWrite(t, db, func(tx *store.Tx) error {
				return tx.EnqueueJob(ctx, &store.Job{ID: newID(), Kind: "k", Payload: `{"n":1}`, IdempotencyKey: key,
					MaxAttempts: 3, RunAt: runAt, CreatedAt: t0})
			})
		}
		// The same idempotency key is queued once: a second "a" would be
		// claimed below while the first is leased.
		enqueue("a", t0)
		enqueue("a", t0)
		enqueue("later", t0.Add(time.Hour))
		claim := func(now time.Time) *store.Job {
			var j *store.Job
			mustWrite(t, db, func(tx *store.Tx) (err error) { j, err = tx.ClaimJob(ctx, now, time.Minute); return })
			return j
		}
		j := claim(t0)
		if j == nil || j.IdempotencyKey != "a" || j.Attempts != 1 || j.State != store.JobRunning {
			t.Fatalf("claimed %+v", j)
		}
		if j2 := claim(t0.Add(30 * time.Second)); j2 != nil {
			t.Fatalf("claimed %s while the other is leased and the rest not due", j2.IdempotencyKey)
		}
		// The worker died: after the lease the job is claimed again.
		if j2 := claim(t0.Add(2 * time.Minute)); j2 == nil || j2.ID != j.ID || j2.Attempts != 2 {
			t.Fatalf("reclaimed %+v", j2)
		}
		mustWrite(t, db, func(tx *store.Tx) error { return tx.FinishJob(ctx, j.ID, t0.Add(3*time.Minute), `{}`) })
		mustWrite(t, db, func(tx *store.Tx) (err error) { j, err = tx.FindJobByKey(ctx, "a"); return })
		if j.State != store.JobDone || j.Payload != `{}` {
			t.Fatalf("finished: %+v", j)
		}
		j = claim(t0.Add(2 * time.Hour))
		mustWrite(t, db, func(tx *store.Tx) error {
			return tx.RetryJob(ctx, j.ID, t0.Add(2*time.Hour), t0.Add(3*time.Hour), "smtp down")
		})
		if claim(t0.Add(2*time.Hour+time.Minute)) != nil {
			t.Fatal("a retried job ran before its time")
		}
		if j = claim(t0.Add(3 * time.Hour)); j == nil || j.LastError != "smtp down" {
			t.Fatalf("retried job: %+v", j)
		}
		var counts map[string]int
		mustWrite(t, db, func(tx *store.Tx) (err error) { counts, err = tx.JobCounts(ctx); return })
		if counts[store.JobDone] != 1 || counts[store.JobRunning] != 1 || counts[store.JobQueued] != 0 {
			t.Fatalf("counts: %v", counts)
		}
	})
}

// Many workers claiming at once take every job exactly once.
func TestJobsConcurrentClaims(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const jobs, workers = 60, 8
		for i := range jobs {
			mustWrite(t, db, func(tx *store.Tx) error {
				err := tx.EnqueueJob(ctx, &store.Job{ID: newID(), Kind: "k", Payload: "{}", IdempotencyKey: fmt.Sprint(i),
					MaxAttempts: 3, RunAt: t0, CreatedAt: t0})
				return err
			})
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					var j *store.Job
					err := db.Write(ctx, func(tx *store.Tx) (err error) { j, err = tx.ClaimJob(ctx, t0, time.Hour); return })
					if err != nil {
						errs <- err
						return
					}
					if j == nil {
						return
					}
					mu.Lock()
					seen[j.ID]++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if len(seen) != jobs {
			t.Fatalf("claimed %d distinct jobs, want %d", len(seen), jobs)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("job %s claimed %d times", id, n)
			}
		}
	})
}

func TestAuditChain(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := mustAccount(t, db, "anna@example.com", "")
		for i := range 5 {
			mustWrite(t, db, func(tx *store.Tx) error {
				return tx.AppendAudit(ctx, &store.AuditEvent{ID: newID(), AccountID: a.ID, Action: fmt.Sprint("act", i),
					IP: "127.0.0.1", CreatedAt: t0.Add(time.Duration(i) * time.Second)})
			})
		}
		// On PostgreSQL the events wait to be chained, and read meanwhile.
		var evs []*store.AuditEvent
		mustWrite(t, db, func(tx *store.Tx) (err error) { evs, err = tx.FindAuditEvents(ctx, a.ID, 10); return })
		if len(evs) != 5 || evs[0].Action != "act4" || evs[4].Action != "act0" {
			t.Fatalf("events before chaining: %d, first %+v", len(evs), evs[0])
		}
		chained, err := db.ChainAudit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[string]int{store.Postgres: 5, store.SQLite: 0}[db.Dialect()]; chained != want {
			t.Fatalf("chained %d, want %d", chained, want)
		}
		if again, err := db.ChainAudit(ctx); err != nil || again != 0 {
			t.Fatalf("chained again: %d %v", again, err)
		}
		var n int64
		mustWrite(t, db, func(tx *store.Tx) (err error) { n, err = tx.VerifyAuditChain(ctx); return })
		if n != 5 {
			t.Fatalf("verified %d events, want 5", n)
		}
		mustWrite(t, db, func(tx *store.Tx) (err error) { evs, err = tx.FindAuditEvents(ctx, a.ID, 10); return })
		if len(evs) != 5 || evs[0].Action != "act4" || evs[0].PrevHash != evs[1].Hash || evs[0].Seq != 5 {
			t.Fatalf("events: %d, first %+v", len(evs), evs[0])
		}
		// Someone edits an event in the database: the chain tells.
		if _, err := db.SQL().Exec(`UPDATE audit_events SET ip = '10.0.0.1' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error { _, err := tx.VerifyAuditChain(ctx); return err })
		if err == nil {
			t.Fatal("a changed event was not detected")
		}
		if _, err := db.SQL().Exec(`UPDATE audit_events SET ip = '127.0.0.1' WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		// Removing the newest event is detected through the head.
		if _, err := db.SQL().Exec(`DELETE FROM audit_events WHERE seq = 5`); err != nil {
			t.Fatal(err)
		}
		err = db.Read(ctx, func(tx *store.Tx) error { _, err := tx.VerifyAuditChain(ctx); return err })
		if err == nil {
			t.Fatal("a removed event was not detected")
		}
	})
}

// Writers on PostgreSQL record events at once while a chainer links them:
// every event ends in the chain exactly once, in one unbroken chain.
func TestAuditChainConcurrent(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := mustAccount(t, db, "many@example.com", "")
		const writers, each = 8, 25
		var wg sync.WaitGroup
		stop := make(chan struct{})
		chainerDone := make(chan error, 1)
		go func() {
			for {
				select {
				case <-stop:
					chainerDone <- nil
					return
				default:
				}
				if _, err := db.ChainAudit(ctx); err != nil {
					chainerDone <- err
					return
				}
			}
		}()
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					mustWrite(t, db, func(tx *store.Tx) error {
						return tx.AppendAudit(ctx, &store.AuditEvent{ID: newID(), AccountID: a.ID, Action: fmt.Sprint("w", w, "-", i), CreatedAt: t0})
					})
				}
			}()
		}
		wg.Wait()
		close(stop)
		if err := <-chainerDone; err != nil {
			t.Fatal(err)
		}
		if _, err := db.ChainAudit(ctx); err != nil {
			t.Fatal(err)
		}
		var n int64
		mustWrite(t, db, func(tx *store.Tx) (err error) { n, err = tx.VerifyAuditChain(ctx); return })
		if n != writers*each {
			t.Fatalf("chain holds %d events, want %d", n, writers*each)
		}
		var left int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM audit_pending`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("pending left: %d %v", left, err)
		}
	})
}

func TestDevMessages(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for i, to := range []string{"a@example.com", "+79161234567", "a@example.com"} {
			mustWrite(t, db, func(tx *store.Tx) error {
				return tx.CreateDevMessage(ctx, &store.DevMessage{ID: newID(), Channel: "email", To: to, Subject: fmt.Sprint("s", i),
					Body: "Код 123456", CreatedAt: t0.Add(time.Duration(i) * time.Second)})
			})
		}
		var ms []*store.DevMessage
		mustWrite(t, db, func(tx *store.Tx) (err error) { ms, err = tx.FindDevMessages(ctx, "a@example.com", 10); return })
		if len(ms) != 2 || ms[0].Subject != "s2" || ms[1].Subject != "s0" {
			t.Fatalf("messages: %+v", ms)
		}
		mustWrite(t, db, func(tx *store.Tx) (err error) { ms, err = tx.FindDevMessages(ctx, "", 2); return })
		if len(ms) != 2 || ms[0].Subject != "s2" {
			t.Fatalf("all, limited: %+v", ms)
		}
	})
}

func TestInstanceValue(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var v1, v2 string
		mustWrite(t, db, func(tx *store.Tx) (err error) { v1, err = tx.InitInstanceValue(ctx, "k", "first"); return })
		mustWrite(t, db, func(tx *store.Tx) (err error) { v2, err = tx.InitInstanceValue(ctx, "k", "second"); return })
		if v1 != "first" || v2 != "first" {
			t.Fatalf("got %q then %q, want the first value kept", v1, v2)
		}
	})
}

// A transaction holding a lock never waits for a pool connection: when the
// others fill the pool waiting for that lock, a statement it runs for the
// first time must not need a connection to be prepared (PostgreSQL; SQLite
// queues its writers before they take any lock).
func TestTransactionNeedsNoSecondConnection(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		if db.Dialect() != store.Postgres {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		db.SQL().SetMaxOpenConns(3)
		a := mustAccount(t, db, "lock@example.com", "")
		holding := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 3)
		go func() {
			done <- db.Write(ctx, func(tx *store.Tx) error {
				if err := tx.UpdateAccount(ctx, a); err != nil { // the account's row lock
					return err
				}
				close(holding)
				<-release
				// A query this process has never prepared, while two other
				// transactions hold the rest of the pool.
				_, err := tx.FindAuditEvents(ctx, a.ID, 1)
				return err
			})
		}()
		<-holding
		for range 2 {
			go func() {
				done <- db.Write(ctx, func(tx *store.Tx) error { return tx.UpdateAccount(ctx, a) })
			}()
		}
		time.Sleep(300 * time.Millisecond) // let them take the pool's other connections
		close(release)
		for range 3 {
			if err := <-done; err != nil {
				t.Fatalf("a transaction failed (deadlocked until the timeout?): %v", err)
			}
		}
	})
}
