// Package jobs runs Paraph's durable background work: jobs are rows in the
// database, claimed with a lease, retried with exponential backoff, and
// finished at most once per idempotency key. It knows nothing of what a job
// does: handlers are registered by kind.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"paraph"
	"paraph/internal/notify"
	"paraph/internal/store"
)

// Handler does one job and returns the payload to keep once it is done (for
// example without the secrets it carried). An error wrapping
// notify.ErrPermanent, or ErrPermanent, is not retried.
type Handler func(ctx context.Context, payload string) (kept string, err error)

// ErrPermanent marks a failure that retrying cannot fix.
var ErrPermanent = notify.ErrPermanent

// Runner claims and runs jobs with a fixed number of workers.
type Runner struct {
	db       *store.DB
	clock    paraph.Clock
	log      *slog.Logger
	handlers map[string]Handler
	workers  int
	lease    time.Duration
	poll     time.Duration
	wakeup   chan struct{}
	wg       sync.WaitGroup
	periodic []periodic
}

// periodic is work that runs once per period across every instance.
type periodic struct {
	kind  string
	every time.Duration
}

// New returns a runner; register handlers, then Start it.
func New(db *store.DB, clock paraph.Clock, log *slog.Logger, workers int) *Runner {
	if workers < 1 {
		workers = 1
	}
	return &Runner{db: db, clock: clock, log: log, handlers: map[string]Handler{}, workers: workers,
		lease: 5 * time.Minute, poll: 2 * time.Second, wakeup: make(chan struct{}, 1)}
}

// Handle registers the handler of a kind.
func (r *Runner) Handle(kind string, h Handler) { r.handlers[kind] = h }

// Schedule makes a job of kind run once every period — once in the whole
// deployment, however many instances run: each instance enqueues it with an
// idempotency key naming the period, and the queue keeps only the first.
func (r *Runner) Schedule(kind string, every time.Duration) {
	r.periodic = append(r.periodic, periodic{kind: kind, every: every})
}

// EnqueueDue enqueues the scheduled jobs of the current periods.
func (r *Runner) EnqueueDue(ctx context.Context) error {
	now := r.clock.Now()
	for _, p := range r.periodic {
		slot := now.Truncate(p.every)
		err := r.db.Write(ctx, func(tx *store.Tx) error {
			err := tx.EnqueueJob(ctx, &store.Job{ID: uuid.Must(uuid.NewV7()).String(), Kind: p.kind, Payload: "{}",
				IdempotencyKey: p.kind + ":" + slot.Format(time.RFC3339), MaxAttempts: 3, RunAt: now, CreatedAt: now})
			return err
		})
		if err != nil {
			return fmt.Errorf("jobs: schedule %s: %w", p.kind, err)
		}
	}
	return nil
}

// Wake makes an idle worker look for work now instead of at the next poll.
func (r *Runner) Wake() {
	select {
	case r.wakeup <- struct{}{}:
	default:
	}
}

// Start runs the workers until ctx is cancelled. Wait returns when the jobs in
// flight have finished: cancelling ctx stops claiming, not the running jobs,
// which get their own context so a shutdown drains them.
func (r *Runner) Start(ctx context.Context) {
	for range r.workers {
		r.wg.Add(1)
		go r.work(ctx)
	}
	if len(r.periodic) > 0 {
		r.wg.Add(1)
		go r.tick(ctx)
	}
}

// tick enqueues scheduled jobs at start and then every minute.
func (r *Runner) tick(ctx context.Context) {
	defer r.wg.Done()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if err := r.EnqueueDue(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("jobs: scheduling", "err", err)
		}
		r.Wake()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Wait blocks until every worker has stopped.
func (r *Runner) Wait() { r.wg.Wait() }

func (r *Runner) work(ctx context.Context) {
	defer r.wg.Done()
	for {
		ran, err := r.RunOne(context.WithoutCancel(ctx))
		if err != nil {
			r.log.Error("jobs: claim", "err", err)
		}
		if ran {
			if ctx.Err() != nil {
				return
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wakeup:
		case <-time.After(r.poll):
		}
	}
}

// RunOne claims one due job and runs it; it reports whether there was one.
func (r *Runner) RunOne(ctx context.Context) (bool, error) {
	var j *store.Job
	err := r.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		j, err = tx.ClaimJob(ctx, r.clock.Now(), r.lease)
		return err
	})
	if err != nil || j == nil {
		return false, err
	}
	log := r.log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	h, ok := r.handlers[j.Kind]
	var kept string
	if !ok {
		err = fmt.Errorf("jobs: no handler for kind %q: %w", j.Kind, ErrPermanent)
	} else {
		runCtx, cancel := context.WithTimeout(ctx, r.lease-time.Second)
		kept, err = safeRun(runCtx, h, j.Payload)
		cancel()
	}
	now := r.clock.Now()
	switch {
	case err == nil:
		log.Info("jobs: done")
		err = r.db.Write(ctx, func(tx *store.Tx) error { return tx.FinishJob(ctx, j.ID, now, kept) })
	case errors.Is(err, ErrPermanent) || j.Attempts >= j.MaxAttempts:
		log.Error("jobs: failed for good", "err", err)
		msg := err.Error()
		err = r.db.Write(ctx, func(tx *store.Tx) error { return tx.FailJob(ctx, j.ID, now, msg, redactOrKeep(kept, j.Payload)) })
	default:
		wait := Backoff(j.Attempts)
		log.Warn("jobs: will retry", "err", err, "in", wait)
		msg := err.Error()
		err = r.db.Write(ctx, func(tx *store.Tx) error { return tx.RetryJob(ctx, j.ID, now, now.Add(wait), msg) })
	}
	return true, err
}

func redactOrKeep(kept, payload string) string {
	if kept != "" {
		return kept
	}
	return payload
}

// safeRun turns a handler's panic into a permanent failure of that job only.
func safeRun(ctx context.Context, h Handler, payload string) (kept string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: handler panicked: %v: %w", p, ErrPermanent)
		}
	}()
	return h(ctx, payload)
}

// Backoff is the wait before attempt n+1: 10 s doubling per attempt, capped at
// an hour, with ±20% jitter so retries of many jobs spread out.
func Backoff(attempt int) time.Duration {
	d := 10 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	if d > time.Hour {
		d = time.Hour
	}
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}
