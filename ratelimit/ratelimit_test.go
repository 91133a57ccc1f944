package ratelimit_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"partnergraph/pgtest"
	"partnergraph/ratelimit"
	"partnergraph/store"
)

// clock is a settable time shared by a store and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// stores returns every Store under test, each on its own clock.
func stores(t *testing.T) map[string]func(*clock) ratelimit.Store {
	out := map[string]func(*clock) ratelimit.Store{
		"memory": func(c *clock) ratelimit.Store { return &ratelimit.Memory{Now: c.now} },
	}
	for _, dialect := range pgtest.Dialects(t) {
		out[dialect] = func(c *clock) ratelimit.Store {
			db, err := store.Open(context.Background(), pgtest.DSN(t, dialect), store.Options{SecretKey: pgtest.SecretKey, Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return ratelimit.StoreFunc(db.TakeTokens)
		}
	}
	return out
}

func TestBucket(t *testing.T) {
	type step struct {
		wait      time.Duration
		cost      int
		allowed   bool
		remaining int
	}
	// A bucket of 100 points regaining 10 per second.
	steps := []step{
		{0, 60, true, 40},
		{0, 50, false, 40}, // refused: takes nothing
		{0, 40, true, 0},
		{500 * time.Millisecond, 5, true, 0},
		{2 * time.Second, 30, false, 20},
		{time.Second, 30, true, 0},
		{time.Hour, 0, true, 100}, // never above capacity
		{0, 101, false, 100},
	}
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			l := &ratelimit.Limiter{Capacity: 100, Rate: 10, Store: open(c)}
			for i, s := range steps {
				c.add(s.wait)
				d, err := l.Take(context.Background(), "key:1", s.cost)
				if err != nil {
					t.Fatal(err)
				}
				if d.Allowed != s.allowed || d.Remaining != s.remaining {
					t.Fatalf("step %d: allowed %v remaining %d, want %v %d", i, d.Allowed, d.Remaining, s.allowed, s.remaining)
				}
				if !d.Allowed && s.cost <= 100 && d.RetryAfter != time.Duration(float64(s.cost-d.Remaining)/10*float64(time.Second)) {
					t.Fatalf("step %d: retry after %s", i, d.RetryAfter)
				}
			}
			// Another key has its own bucket.
			if d, _ := l.Take(context.Background(), "key:2", 100); !d.Allowed {
				t.Fatal("a second key shares the first's bucket")
			}
		})
	}
}

// TestConcurrentTakesNeverOverspend has many requests of one key race for
// a bucket: exactly as many succeed as the points allow.
func TestConcurrentTakesNeverOverspend(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			c := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			l := &ratelimit.Limiter{Capacity: 50, Rate: 0.001, Store: open(c)}
			var allowed atomic.Int64
			var wg sync.WaitGroup
			for range 16 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 10 {
						d, err := l.Take(context.Background(), "key:1", 1)
						if err != nil {
							t.Error(err)
							return
						}
						if d.Allowed {
							allowed.Add(1)
						}
					}
				}()
			}
			wg.Wait()
			if allowed.Load() != 50 {
				t.Fatalf("%d of 160 takes of 1 point allowed from a bucket of 50", allowed.Load())
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	h := http.Header{}
	ratelimit.Decision{Allowed: false, Cost: 30, Limit: 100, Remaining: 20, Reset: 8 * time.Second, RetryAfter: 1100 * time.Millisecond}.SetHeaders(h)
	want := map[string]string{"X-Ratelimit-Limit": "100", "X-Ratelimit-Remaining": "20", "X-Ratelimit-Reset": "8", "Retry-After": "2"}
	for k, v := range want {
		if h.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, h.Get(k), v)
		}
	}
	h = http.Header{}
	ratelimit.Decision{Allowed: true, Limit: 100, Remaining: 100}.SetHeaders(h)
	if h.Get("Retry-After") != "" {
		t.Error("Retry-After on an allowed request")
	}
}
