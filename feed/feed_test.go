package feed_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/feed"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// counting is the outbox of a broker, counting the reads it sends.
type counting struct {
	*store.DB
	after atomic.Int64
	// beforeHead, when set, runs as a subscription reads the head, before
	// it returns it.
	beforeHead func()
}

func (c *counting) EventsAfter(ctx context.Context, org, position int64, limit int) ([]*pg.Event, error) {
	c.after.Add(1)
	return c.DB.EventsAfter(ctx, org, position, limit)
}

func (c *counting) EventsHead(ctx context.Context, org int64) (int64, error) {
	head, err := c.DB.EventsHead(ctx, org)
	if c.beforeHead != nil {
		f := c.beforeHead
		c.beforeHead = nil
		f()
	}
	return head, err
}

// setup is an organization on dialect and a broker over its outbox that
// only a test wakes (its poll is an hour away).
func setup(t *testing.T, dialect string) (*counting, *feed.Broker, *pgtest.Org) {
	env := pgtest.New(t, dialect)
	org := env.Org(t, "Acme")
	out := &counting{DB: env.DB}
	b := &feed.Broker{DB: out, Poll: time.Hour}
	t.Cleanup(b.Close)
	return out, b, org
}

// tag commits one event, tag.created, and returns the tag's id.
func tag(t *testing.T, db *store.DB, org *pgtest.Org, name string) int64 {
	t.Helper()
	tg, err := db.CreateTag(context.Background(), org.Actor(), pg.TagCreate{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return tg.ID
}

// receive reads the next event of c, failing t if none comes.
func receive(t *testing.T, c <-chan *pg.Event) *pg.Event {
	t.Helper()
	select {
	case e, ok := <-c:
		if !ok {
			t.Fatal("the subscription ended")
		}
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event came")
	}
	return nil
}

func all(*pg.Event) bool { return true }

// TestOneOutboxReadPerWake: each subscription open on an organization used
// to read the outbox on every commit, so a key holding its 100 made every
// write of the organization cost 100 identical reads. The organization's
// subscriptions share one reader: a commit costs one read, whatever their
// number, and each of them still receives every event once, in order.
func TestOneOutboxReadPerWake(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		out, b, org := setup(t, dialect)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		const subscribers, commits = 100, 20
		subs := make([]<-chan *pg.Event, subscribers)
		for i := range subs {
			c, err := b.Subscribe(ctx, org.ID, all)
			if err != nil {
				t.Fatal(err)
			}
			subs[i] = c
		}
		before := out.after.Load()
		for i := range commits {
			id := tag(t, out.DB, org, fmt.Sprint("tag ", i))
			b.Wake()
			for j, c := range subs {
				if e := receive(t, c); e.ResourceID != id || e.Type != "tag.created" {
					t.Fatalf("subscription %d received %s of %d, want tag.created of %d", j, e.Type, e.ResourceID, id)
				}
			}
		}
		reads := out.after.Load() - before
		t.Logf("%s: %d subscriptions, %d commits: %d outbox reads", dialect, subscribers, commits, reads)
		if reads > commits {
			t.Errorf("%d subscriptions cost %d outbox reads for %d commits, want at most one a wake", subscribers, reads, commits)
		}
		cancel()
		for _, c := range subs {
			for range c {
			}
		}
		waitFor(t, func() bool { return b.Count() == 0 && b.Readers() == 0 })
	})
}

// waitFor waits until cond holds, failing t after a long while.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition never held")
		}
	}
}

// TestASubscriptionStartsAtTheHeadWhenItStarts: an event committed after a
// subscription read the head, and already read by the organization's reader
// for the subscriptions open before it, still reaches it; one committed
// before does not.
func TestASubscriptionStartsAtTheHeadWhenItStarts(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		out, b, org := setup(t, dialect)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		tag(t, out.DB, org, "before")
		first, err := b.Subscribe(ctx, org.ID, all)
		if err != nil {
			t.Fatal(err)
		}
		var between int64
		out.beforeHead = func() {
			between = tag(t, out.DB, org, "between")
			b.Wake()
			receive(t, first) // the reader has moved past it
		}
		second, err := b.Subscribe(ctx, org.ID, all)
		if err != nil {
			t.Fatal(err)
		}
		after := tag(t, out.DB, org, "after")
		b.Wake()
		for _, want := range []int64{between, after} {
			if e := receive(t, second); e.ResourceID != want {
				t.Fatalf("the second subscription received tag %d, want %d", e.ResourceID, want)
			}
		}
		if e := receive(t, first); e.ResourceID != after {
			t.Fatalf("the first subscription received tag %d, want %d", e.ResourceID, after)
		}
	})
}

// TestASlowSubscriptionEndsWithAnError: a subscriber that does not take its
// events holds at most Buffer of them besides the one it is sending; past
// that its subscription ends, after the events it holds, with an error its
// client sees, while the organization's other subscriptions go on
// receiving every event.
func TestASlowSubscriptionEndsWithAnError(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		out, b, org := setup(t, dialect)
		b.Buffer = 2
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		slowCtx, ended := pg.WithStreamEnd(ctx)
		slow, err := b.Subscribe(slowCtx, org.ID, all)
		if err != nil {
			t.Fatal(err)
		}
		fast, err := b.Subscribe(ctx, org.ID, all)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 6 {
			ids = append(ids, tag(t, out.DB, org, fmt.Sprint("tag ", i)))
			b.Wake()
			if e := receive(t, fast); e.ResourceID != ids[i] {
				t.Fatalf("the fast subscription received tag %d, want %d", e.ResourceID, ids[i])
			}
		}
		var got []int64
		for e := range slow {
			got = append(got, e.ResourceID)
		}
		if len(got) < b.Buffer || len(got) >= len(ids) || !slices.Equal(got, ids[:len(got)]) {
			t.Fatalf("the slow subscription received tags %v of %v, want the first %d or more, and not all", got, ids, b.Buffer)
		}
		var de *pg.Error
		if err := ended(); !errors.As(err, &de) || de.Code != pg.Unavailable {
			t.Fatalf("the slow subscription ended with %v, want UNAVAILABLE", err)
		}
		id := tag(t, out.DB, org, "later")
		b.Wake()
		if e := receive(t, fast); e.ResourceID != id {
			t.Fatalf("the fast subscription received tag %d, want %d", e.ResourceID, id)
		}
	})
}

// TestSubscriptionsEnd: a subscription completes when pass says it is the
// last, when its context ends, or when the broker closes; the reader stops
// with the last one.
func TestSubscriptionsEnd(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		out, b, org := setup(t, dialect)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		once, err := b.Follow(ctx, org.ID, func(e *pg.Event) (*pg.Event, bool) { return e, true })
		if err != nil {
			t.Fatal(err)
		}
		cancelled, stop := context.WithCancel(ctx)
		quit, err := b.Subscribe(cancelled, org.ID, all)
		if err != nil {
			t.Fatal(err)
		}
		open, err := b.Subscribe(ctx, org.ID, all)
		if err != nil {
			t.Fatal(err)
		}
		if b.Readers() != 1 {
			t.Fatalf("%d readers for one organization's subscriptions, want 1", b.Readers())
		}
		tag(t, out.DB, org, "one")
		b.Wake()
		receive(t, once)
		if _, ok := <-once; ok {
			t.Fatal("the subscription went on past its last event")
		}
		stop()
		for range quit {
		}
		receive(t, open)
		b.Close()
		for range open {
		}
		waitFor(t, func() bool { return b.Count() == 0 && b.Readers() == 0 })
		if _, err := b.Subscribe(ctx, org.ID, all); err == nil {
			t.Fatal("a closed broker took a subscription")
		}
	})
}
