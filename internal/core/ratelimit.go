package core

import (
	"sync"
	"time"

	"paraph"
)

// RateLimit is a token bucket: Burst attempts at once, then one per Every.
// A negative Burst turns the limit off.
type RateLimit struct {
	Burst int
	Every time.Duration
}

// Off reports whether the limit is disabled.
func (r RateLimit) Off() bool { return r.Burst < 0 }

// limiter keeps one bucket per key in memory. It is per instance: behind a
// load balancer each instance limits on its own, which still bounds guessing
// to a small multiple; codes are additionally locked in the database.
type limiter struct {
	mu      sync.Mutex
	rate    RateLimit
	clock   paraph.Clock
	buckets map[string]*bucket
	sweep   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(r RateLimit, clock paraph.Clock) *limiter {
	return &limiter{rate: r, clock: clock, buckets: map[string]*bucket{}}
}

// allow takes one token for key; when none is left it returns how long to wait.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l.rate.Off() || key == "" {
		return true, 0
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	full := time.Duration(l.rate.Burst) * l.rate.Every
	if now.Sub(l.sweep) > time.Minute { // forget full buckets so memory stays bounded
		for k, b := range l.buckets {
			if now.Sub(b.at) > full {
				delete(l.buckets, k)
			}
		}
		l.sweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(l.rate.Burst), at: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.at); elapsed > 0 { // a clock set back refills nothing, and takes nothing
		b.tokens += float64(elapsed) / float64(l.rate.Every)
		if b.tokens > float64(l.rate.Burst) {
			b.tokens = float64(l.rate.Burst)
		}
		b.at = now
	}
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) * float64(l.rate.Every))
	}
	b.tokens--
	return true, 0
}

func tooMany(reason, message string, wait time.Duration) error {
	secs := int(wait.Seconds() + 0.999)
	if secs < 1 {
		secs = 1
	}
	return &paraph.Error{Code: paraph.ETOOMANY, Reason: reason, Message: message, Err: retryAfter(secs)}
}

// retryAfter travels inside a rate-limit error so the HTTP layer can set Retry-After.
type retryAfter int

func (r retryAfter) Error() string { return "retry after" }

// RetryAfter returns the seconds a rate-limited caller should wait, or 0.
func RetryAfter(err error) int {
	e, ok := err.(*paraph.Error)
	if !ok || e.Code != paraph.ETOOMANY {
		return 0
	}
	if r, ok := e.Err.(retryAfter); ok {
		return int(r)
	}
	return 0
}

// triesLeft travels inside a wrong-code error so a UI can say how many remain.
type triesLeft int

func (t triesLeft) Error() string { return "tries left" }

// TriesLeft returns how many tries a wrong-code error leaves, or -1 when err
// does not say.
func TriesLeft(err error) int {
	e, ok := err.(*paraph.Error)
	if !ok {
		return -1
	}
	if t, ok := e.Err.(triesLeft); ok {
		return int(t)
	}
	return -1
}
