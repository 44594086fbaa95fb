package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"paraph"
	"paraph/internal/jobs"
	"paraph/internal/store"
	"paraph/internal/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func enqueue(t *testing.T, db *store.DB, kind, key string, at time.Time, maxAttempts int) {
	t.Helper()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		err := tx.EnqueueJob(context.Background(), &store.Job{ID: uuid.Must(uuid.NewV7()).String(), Kind: kind,
			Payload: `{"secret":"123456"}`, IdempotencyKey: key, MaxAttempts: maxAttempts, RunAt: at, CreatedAt: at})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func job(t *testing.T, db *store.DB, key string) *store.Job {
	t.Helper()
	var j *store.Job
	if err := db.Read(context.Background(), func(tx *store.Tx) (err error) { j, err = tx.FindJobByKey(context.Background(), key); return }); err != nil {
		t.Fatal(err)
	}
	return j
}

func TestRetryBackoffAndPermanentFailure(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := paraph.NewFixedClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		r := jobs.New(db, clock, slog.New(slog.DiscardHandler), 1)
		var calls atomic.Int32
		r.Handle("flaky", func(ctx context.Context, payload string) (string, error) {
			if calls.Add(1) < 3 {
				return "", errors.New("smtp: 451 try later")
			}
			return `{}`, nil
		})
		r.Handle("doomed", func(ctx context.Context, payload string) (string, error) {
			return `{}`, fmt.Errorf("550 no such mailbox: %w", jobs.ErrPermanent)
		})
		r.Handle("panics", func(ctx context.Context, payload string) (string, error) { panic("bug") })
		enqueue(t, db, "flaky", "f", clock.Now(), 5)
		enqueue(t, db, "doomed", "d", clock.Now(), 5)
		enqueue(t, db, "panics", "p", clock.Now(), 5)
		enqueue(t, db, "unknown", "u", clock.Now(), 5)
		drain := func() {
			for {
				ran, err := r.RunOne(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !ran {
					return
				}
			}
		}
		drain()
		if j := job(t, db, "f"); j.State != store.JobQueued || j.Attempts != 1 || j.LastError == "" || !j.RunAt.After(clock.Now().Add(7*time.Second)) {
			t.Fatalf("after the first failure: %+v", j)
		}
		for _, key := range []string{"d", "p", "u"} {
			if j := job(t, db, key); j.State != store.JobFailed || j.Attempts != 1 {
				t.Fatalf("%s must fail for good at once: %+v", key, j)
			}
		}
		// Not retried before its time; retried after, with a longer wait.
		drain()
		if calls.Load() != 1 {
			t.Fatalf("retried too early: %d calls", calls.Load())
		}
		clock.Advance(13 * time.Second)
		drain()
		j := job(t, db, "f")
		if calls.Load() != 2 || j.State != store.JobQueued || j.RunAt.Sub(clock.Now()) < 15*time.Second {
			t.Fatalf("second attempt: calls %d, %+v", calls.Load(), j)
		}
		clock.Advance(time.Minute)
		drain()
		if j := job(t, db, "f"); j.State != store.JobDone || j.Payload != `{}` || calls.Load() != 3 {
			t.Fatalf("third attempt: %+v", j)
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	clock := paraph.NewFixedClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	r := jobs.New(db, clock, slog.New(slog.DiscardHandler), 1)
	r.Handle("k", func(ctx context.Context, payload string) (string, error) { return "", errors.New("down") })
	enqueue(t, db, "k", "k", clock.Now(), 3)
	for range 3 {
		if _, err := r.RunOne(context.Background()); err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Hour)
	}
	if j := job(t, db, "k"); j.State != store.JobFailed || j.Attempts != 3 {
		t.Fatalf("%+v", j)
	}
}

// Stopping the runner lets the jobs in flight finish and be recorded.
func TestStopDrainsRunningJobs(t *testing.T) {
	db := storetest.MustOpen(t, store.SQLite)
	r := jobs.New(db, paraph.SystemClock{}, slog.New(slog.DiscardHandler), 2)
	started := make(chan struct{}, 2)
	r.Handle("slow", func(ctx context.Context, payload string) (string, error) {
		started <- struct{}{}
		select {
		case <-time.After(300 * time.Millisecond):
			return `{}`, nil
		case <-ctx.Done():
			return "", ctx.Err()
		}
	})
	enqueue(t, db, "slow", "a", time.Now().UTC(), 3)
	enqueue(t, db, "slow", "b", time.Now().UTC(), 3)
	ctx, cancel := context.WithCancel(context.Background())
	r.Start(ctx)
	<-started
	<-started
	cancel()
	r.Wait()
	for _, key := range []string{"a", "b"} {
		if j := job(t, db, key); j.State != store.JobDone {
			t.Fatalf("job %s after stop: %s (%s)", key, j.State, j.LastError)
		}
	}
}

func TestBackoff(t *testing.T) {
	prev := time.Duration(0)
	for attempt := 1; attempt <= 12; attempt++ {
		d := jobs.Backoff(attempt)
		lo := 8 * time.Second << (attempt - 1)
		if lo > 48*time.Minute {
			lo = 48 * time.Minute
		}
		if d < lo || d > 72*time.Minute {
			t.Fatalf("attempt %d: %v", attempt, d)
		}
		if attempt <= 6 && d <= prev/2 {
			t.Fatalf("attempt %d: %v does not grow from %v", attempt, d, prev)
		}
		prev = d
	}
}

// A scheduled job is enqueued once per period, however many instances try.
func TestScheduleOncePerPeriod(t *testing.T) {
	storetest.EachDB(t, func(t *testing.T, db *store.DB) {
		clock := paraph.NewFixedClock(time.Date(2026, 11, 23, 9, 10, 0, 0, time.UTC))
		var runs atomic.Int32
		var instances []*jobs.Runner
		for range 3 {
			r := jobs.New(db, clock, slog.New(slog.DiscardHandler), 1)
			r.Handle("reminders", func(ctx context.Context, payload string) (string, error) { runs.Add(1); return "{}", nil })
			r.Schedule("reminders", time.Hour)
			instances = append(instances, r)
		}
		drain := func() {
			for _, r := range instances {
				if err := r.EnqueueDue(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			for {
				ran, err := instances[0].RunOne(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if !ran {
					return
				}
			}
		}
		drain()
		clock.Advance(20 * time.Minute) // same hour
		drain()
		if runs.Load() != 1 {
			t.Fatalf("ran %d times in one hour", runs.Load())
		}
		clock.Advance(time.Hour)
		drain()
		if runs.Load() != 2 {
			t.Fatalf("ran %d times in two hours", runs.Load())
		}
	})
}
