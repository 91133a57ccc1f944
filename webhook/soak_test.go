package webhook_test

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"partnergraph/pgtest"
	"partnergraph/webhook"
)

// TestSoak makes mutations from 16 concurrent clients while the dispatcher
// delivers: every mutation has exactly one event, and the receiver gets each
// once. PARTNERGRAPH_SOAK sets the number of mutations (the figure
// is 10000); the default keeps the suite quick.
func TestSoak(t *testing.T) {
	n := 480
	if v, err := strconv.Atoi(os.Getenv("PARTNERGRAPH_SOAK")); err == nil && v > 0 {
		n = v
	}
	const clients = 16
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env, org, r, _ := setup(t, dialect, ok, &webhook.Dispatcher{Concurrency: 16})
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, clients)
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := c; i < n; i += clients {
					resp := env.Do(t, pgtest.Request{Key: org.Write, Query: fmt.Sprintf(`mutation { createTag(input: {name: "soak-%06d"}) { tag { id } } }`, i)})
					if len(resp.Errors) > 0 {
						errs <- fmt.Errorf("mutation %d: %+v", i, resp.Errors)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		mutated := time.Since(start)
		var count struct{ Events struct{ TotalCount int } }
		env.Query(t, org.Read, `{ events(filter: {types: ["tag.created"]}) { totalCount } }`, nil, &count)
		if count.Events.TotalCount != n {
			t.Fatalf("%d mutations left %d events", n, count.Events.TotalCount)
		}
		deadline := time.Now().Add(time.Duration(n)*20*time.Millisecond + 30*time.Second)
		for len(r.deliveries()) < n && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		got := r.deliveries()
		seen := map[string]bool{}
		for _, d := range got {
			if seen[d.id] || !d.verified {
				t.Fatalf("delivery %s twice or unsigned", d.id)
			}
			seen[d.id] = true
		}
		if len(seen) != n {
			t.Fatalf("the receiver got %d of %d events", len(seen), n)
		}
		t.Logf("%s: %d mutations from %d clients in %s (%.0f/s); all %d delivered after %s",
			dialect, n, clients, mutated.Round(time.Millisecond), float64(n)/mutated.Seconds(), n, time.Since(start).Round(time.Millisecond))
	})
}
