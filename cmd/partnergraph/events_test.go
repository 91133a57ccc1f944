package main

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"partnergraph/pgtest"
)

// TestEveryReaderReceivesEveryCommittedEventOnce runs two gateways on one
// PostgreSQL database and eight writers committing 1,000 events through
// both at once. A subscriber over server-sent events and one over
// graphql-transport-ws on each gateway, and a client paging events(after:)
// while the writers write, each receive every committed event exactly once,
// all in the one order of the events connection's cursors.
func TestEveryReaderReceivesEveryCommittedEventOnce(t *testing.T) {
	if os.Getenv("PARTNERGRAPH_TEST_POSTGRES") == "" {
		t.Skip("PARTNERGRAPH_TEST_POSTGRES is not set: skipping PostgreSQL")
	}
	if testing.Short() {
		t.Skip("runs real processes")
	}
	db := pgtest.DSN(t, "postgres")
	key := bootstrapKey(t, db)
	a, b := start(t, db), start(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	const typ = "tag.created"
	readers := []*pgtest.EventReader{
		pgtest.FollowSubscription(ctx, "SSE on A", pgtest.SSE, a.url, key, typ),
		pgtest.FollowSubscription(ctx, "SSE on B", pgtest.SSE, b.url, key, typ),
		pgtest.FollowSubscription(ctx, "graphql-transport-ws on A", pgtest.WebSocket, a.url, key, typ),
		pgtest.FollowSubscription(ctx, "graphql-transport-ws on B", pgtest.WebSocket, b.url, key, typ),
		pgtest.FollowPages(ctx, "pager on B", b.url, key, typ, 20*time.Millisecond),
	}
	defer func() {
		cancel()
		for _, r := range readers {
			<-r.Done()
		}
	}()
	if err := pgtest.StartReaders(a.url, key, readers); err != nil {
		t.Fatal(err)
	}

	committed, err := pgtest.WriteTags(ctx, []string{a.url, b.url}, key, 8, 125, 0)
	if err != nil {
		t.Fatal(err)
	}
	pgtest.WaitFor(readers, committed, 30*time.Second)
	time.Sleep(300 * time.Millisecond) // time for a duplicate to arrive
	var order []int64
	for _, r := range readers {
		kept, _, err := r.State()
		if err != nil {
			t.Fatalf("%s: %v", r.Name, err)
		}
		if n := r.Tally(committed); n.Lost > 0 || n.Twice > 0 || n.Received != len(committed) {
			t.Errorf("%s received %d events for %d committed changes: %d never, %d more than once", r.Name, n.Received, len(committed), n.Lost, n.Twice)
			continue
		}
		ids := make([]int64, len(kept))
		for i, e := range kept {
			ids[i] = e.DatabaseID
		}
		if order == nil {
			order = ids
		} else if !slices.Equal(ids, order) {
			t.Errorf("%s received the events in another order than %s", r.Name, readers[0].Name)
		}
	}
}
