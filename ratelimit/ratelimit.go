// Package ratelimit meters each API key's queries by their cost: a bucket of
// points per key, refilled at a steady rate, from which every operation takes
// what it costs. Buckets live in memory for one process, or in the database
// when several processes serve the same organizations.
package ratelimit

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Store keeps buckets. Take refills bucket for the time passed since it was
// last touched (at rate points per second, up to capacity) and then takes
// cost points if it holds them, as one atomic step.
type Store interface {
	Take(ctx context.Context, bucket string, cost, capacity, rate float64) (remaining float64, allowed bool, err error)
}

// StoreFunc adapts a function to Store (store.DB.TakeTokens, say).
type StoreFunc func(ctx context.Context, bucket string, cost, capacity, rate float64) (float64, bool, error)

// Take implements Store.
func (f StoreFunc) Take(ctx context.Context, bucket string, cost, capacity, rate float64) (float64, bool, error) {
	return f(ctx, bucket, cost, capacity, rate)
}

// Limiter takes each operation's cost from its key's bucket. A nil Limiter,
// or one with no Rate, allows everything.
type Limiter struct {
	// Capacity is the most points a bucket holds: the largest burst.
	Capacity float64
	// Rate is how many points a bucket regains per second.
	Rate  float64
	Store Store
}

// Decision is the outcome of one Take, reported to the client.
type Decision struct {
	Allowed bool
	Cost    int
	// Limit is the bucket's capacity; Remaining what it holds now.
	Limit, Remaining int
	// Reset is how long until the bucket is full again.
	Reset time.Duration
	// RetryAfter is how long until the refused operation would fit.
	RetryAfter time.Duration
	// Rate is the points regained per second.
	Rate float64
}

// Enabled reports whether l limits anything.
func (l *Limiter) Enabled() bool { return l != nil && l.Rate > 0 && l.Store != nil }

// Take takes cost points from the bucket of key.
func (l *Limiter) Take(ctx context.Context, key string, cost int) (Decision, error) {
	if !l.Enabled() {
		return Decision{Allowed: true, Cost: cost}, nil
	}
	remaining, allowed, err := l.Store.Take(ctx, key, float64(cost), l.Capacity, l.Rate)
	if err != nil {
		return Decision{}, err
	}
	d := Decision{Allowed: allowed, Cost: cost, Limit: int(l.Capacity), Remaining: int(math.Floor(remaining)), Rate: l.Rate,
		Reset: seconds((l.Capacity - remaining) / l.Rate)}
	if !allowed {
		d.RetryAfter = seconds((float64(cost) - remaining) / l.Rate)
	}
	return d, nil
}

func seconds(s float64) time.Duration {
	if s <= 0 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

// SetHeaders reports d in the x-ratelimit-* headers (and Retry-After when
// the operation was refused), in whole seconds rounded up.
func (d Decision) SetHeaders(h http.Header) {
	if d.Limit == 0 {
		return
	}
	h.Set("X-Ratelimit-Limit", strconv.Itoa(d.Limit))
	h.Set("X-Ratelimit-Remaining", strconv.Itoa(max(d.Remaining, 0)))
	h.Set("X-Ratelimit-Reset", strconv.Itoa(ceilSeconds(d.Reset)))
	if !d.Allowed {
		h.Set("Retry-After", strconv.Itoa(max(ceilSeconds(d.RetryAfter), 1)))
	}
}

func ceilSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// Memory keeps buckets in this process.
type Memory struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// Take implements Store.
func (m *Memory) Take(_ context.Context, key string, cost, capacity, rate float64) (float64, bool, error) {
	now := time.Now()
	if m.Now != nil {
		now = m.Now()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.buckets == nil {
		m.buckets = map[string]*bucket{}
	}
	b, ok := m.buckets[key]
	if !ok {
		if len(m.buckets) >= 100000 {
			m.sweep(now, capacity, rate)
		}
		b = &bucket{tokens: capacity, at: now}
		m.buckets[key] = b
	}
	b.tokens = min(capacity, b.tokens+now.Sub(b.at).Seconds()*rate)
	b.at = now
	if b.tokens < cost {
		return b.tokens, false, nil
	}
	b.tokens -= cost
	return b.tokens, true, nil
}

// sweep forgets buckets that have refilled: they hold no state a new bucket
// would not, and forgetting them bounds memory by the keys recently active.
func (m *Memory) sweep(now time.Time, capacity, rate float64) {
	for k, b := range m.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*rate >= capacity {
			delete(m.buckets, k)
		}
	}
}

// Recorder collects the decisions made while serving one request, so the
// transport can report them in headers.
type Recorder struct {
	mu   sync.Mutex
	last *Decision
}

type recorderKey struct{}

// NewContext returns ctx carrying a new Recorder.
func NewContext(ctx context.Context) (context.Context, *Recorder) {
	r := &Recorder{}
	return context.WithValue(ctx, recorderKey{}, r), r
}

// Record notes d in the Recorder of ctx, if any.
func Record(ctx context.Context, d Decision) {
	if r, ok := ctx.Value(recorderKey{}).(*Recorder); ok {
		r.mu.Lock()
		r.last = &d
		r.mu.Unlock()
	}
}

// Last returns the latest decision recorded, if any.
func (r *Recorder) Last() (Decision, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		return Decision{}, false
	}
	return *r.last, true
}

// Last returns the latest decision recorded in the Recorder of ctx, if any.
func Last(ctx context.Context) (Decision, bool) {
	if r, ok := ctx.Value(recorderKey{}).(*Recorder); ok {
		return r.Last()
	}
	return Decision{}, false
}
