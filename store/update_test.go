package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// TestConcurrentUpdatesChainTheirEvents updates one tier from many
// goroutines at once. Each update starts from the tier as the one committed
// before it left it, so each event's change starts where the previous
// event's ended, and the last one ends at what is stored.
func TestConcurrentUpdatesChainTheirEvents(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.OpenDB(t, dialect)
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "Busy")
		pgtest.Must(t, err)
		a := pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
		tier, err := db.CreateTier(ctx, a, pg.TierCreate{Name: "Gold", Rank: 0})
		pgtest.Must(t, err)
		const writers, each = 8, 25
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					rank := int32(1 + w*each + i)
					name := []string{"Gold", "Platinum"}[i%2]
					if _, err := db.UpdateTier(ctx, a, tier.ID, pg.TierUpdate{Name: &name, Rank: &rank}); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		rank := int32(0)
		events := allEvents(t, db, a, "tier.updated")
		for i, e := range events {
			var p struct {
				Changes struct {
					Rank struct{ From, To int32 }
				}
			}
			pgtest.Must(t, json.Unmarshal(e.Payload, &p))
			if p.Changes.Rank.From != rank {
				t.Fatalf("event %d changes the rank from %d, but the event before left it at %d", i, p.Changes.Rank.From, rank)
			}
			rank = p.Changes.Rank.To
		}
		stored, err := db.Tier(ctx, a, tier.ID)
		pgtest.Must(t, err)
		if len(events) != writers*each || stored.Rank != rank {
			t.Fatalf("%d events for %d updates; the last leaves rank %d, stored %d", len(events), writers*each, rank, stored.Rank)
		}
	})
}

// allEvents pages through the events of a's organization of one type.
func allEvents(t *testing.T, db *store.DB, a pg.Actor, typ string) []*pg.Event {
	t.Helper()
	var out []*pg.Event
	p := pg.PageRequest{Limit: pg.MaxPageSize}
	for {
		l, err := db.Events(context.Background(), a, pg.EventFilter{Types: []string{typ}}, p)
		if err != nil {
			t.Fatal(fmt.Errorf("events: %w", err))
		}
		out = append(out, l.Items...)
		if !l.HasNext {
			return out
		}
		c := l.Cursor(l.Items[len(l.Items)-1])
		p.After = &c
	}
}
