package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// TestUpdatePartnershipLinks replaces a partnership's tags and assigned
// users: each update's event shows the lists before and after, the rows
// stored are the new list, and an update that names the same ids (in any
// order, any number of times) writes nothing and emits nothing.
func TestUpdatePartnershipLinks(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.OpenDB(t, dialect)
		ctx := context.Background()
		a := ownerOf(t, db, "Owner")
		p := newPartner(t, db, a, "P")
		var tags, users []int64
		for i := range 4 {
			tag, err := db.CreateTag(ctx, a, pg.TagCreate{Name: fmt.Sprintf("tag %d", i)})
			pgtest.Must(t, err)
			tags = append(tags, tag.ID)
			u, err := db.CreateUser(ctx, a, pg.UserCreate{Name: fmt.Sprintf("user %d", i), Email: fmt.Sprintf("u%d@example.com", i), Role: pg.RoleMember})
			pgtest.Must(t, err)
			users = append(users, u.ID)
		}
		ps, err := db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID, TagIDs: tags[:2], AssignedUserIDs: users[:1]})
		pgtest.Must(t, err)
		ids := func(is ...int) *[]int64 {
			out := []int64{}
			for _, i := range is {
				out = append(out, tags[i])
			}
			return &out
		}
		current := []int64{tags[0], tags[1]}
		for _, tc := range []struct {
			name       string
			tags       *[]int64
			users      *[]int64
			wantTags   *[]int64 // nil: no event
			wantEvents int
		}{
			{"one tag swapped", ids(1, 2), nil, ids(1, 2), 1},
			{"same tags, other order, twice", ids(2, 1, 2), nil, nil, 0},
			{"all replaced", ids(0, 3), nil, ids(0, 3), 1},
			{"two replaced by one", ids(1), nil, ids(1), 1},
			{"one replaced by three", ids(3, 0, 2), nil, ids(0, 2, 3), 1},
			{"emptied", ids(), nil, ids(), 1},
			{"empty again", ids(), nil, nil, 0},
			{"users only", nil, &[]int64{users[2], users[3]}, nil, 1},
			{"refilled", ids(0, 1, 2, 3), &[]int64{users[3]}, ids(0, 1, 2, 3), 1},
		} {
			before := len(allEvents(t, db, a, "partnership.updated"))
			_, err := db.UpdatePartnership(ctx, a, ps.ID, pg.PartnershipUpdate{TagIDs: tc.tags, AssignedUserIDs: tc.users})
			pgtest.Must(t, err)
			events := allEvents(t, db, a, "partnership.updated")
			if got := len(events) - before; got != tc.wantEvents {
				t.Fatalf("%s: %d events, want %d", tc.name, got, tc.wantEvents)
			}
			if tc.tags != nil {
				current = slices.Compact(slices.Sorted(slices.Values(*tc.tags)))
			}
			if got := storedTags(t, db, a, ps.ID); !slices.Equal(got, current) {
				t.Fatalf("%s: stored tags %v, want %v", tc.name, got, current)
			}
			if tc.wantTags != nil {
				var p struct {
					Resource struct {
						TagIDs []int64 `json:"tagIds"`
					}
				}
				pgtest.Must(t, json.Unmarshal(events[len(events)-1].Payload, &p))
				want := slices.Sorted(slices.Values(*tc.wantTags))
				if !slices.Equal(p.Resource.TagIDs, want) {
					t.Fatalf("%s: the event's tags are %v, want %v", tc.name, p.Resource.TagIDs, want)
				}
			}
		}
	})
}

// TestConcurrentRelinksChainTheirEvents replaces one partnership's tags
// from many goroutines at once: each update reads the links the one
// committed before it left, so each event's list before is the list after
// of the event before it, and no update fails on a row it thought absent.
func TestConcurrentRelinksChainTheirEvents(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.OpenDB(t, dialect)
		ctx := context.Background()
		a := ownerOf(t, db, "Owner")
		p := newPartner(t, db, a, "P")
		var tags []int64
		for i := range 6 {
			tag, err := db.CreateTag(ctx, a, pg.TagCreate{Name: fmt.Sprintf("tag %d", i)})
			pgtest.Must(t, err)
			tags = append(tags, tag.ID)
		}
		ps, err := db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID})
		pgtest.Must(t, err)
		const writers, each = 6, 20
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					// Consecutive pairs of tags: every update differs from
					// at least some of the others.
					k := (w + i) % len(tags)
					set := []int64{tags[k], tags[(k+1)%len(tags)]}
					if _, err := db.UpdatePartnership(ctx, a, ps.ID, pg.PartnershipUpdate{TagIDs: &set}); err != nil {
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
		last := []int64{}
		for i, e := range allEvents(t, db, a, "partnership.updated") {
			var p struct {
				Changes struct {
					TagIDs struct{ From, To []int64 } `json:"tagIds"`
				}
			}
			pgtest.Must(t, json.Unmarshal(e.Payload, &p))
			if !slices.Equal(p.Changes.TagIDs.From, last) {
				t.Fatalf("event %d changes the tags from %v, but the event before left %v", i, p.Changes.TagIDs.From, last)
			}
			last = p.Changes.TagIDs.To
		}
		if got := storedTags(t, db, a, ps.ID); !slices.Equal(got, last) {
			t.Fatalf("stored tags %v, the last event left %v", got, last)
		}
	})
}

// storedTags returns the ids of a partnership's tags, sorted.
func storedTags(t *testing.T, db *store.DB, a pg.Actor, partnership int64) []int64 {
	t.Helper()
	byPartnership, err := db.TagsByPartnerships(context.Background(), a, []int64{partnership})
	pgtest.Must(t, err)
	got := []int64{}
	for _, tag := range byPartnership[partnership] {
		got = append(got, tag.ID)
	}
	slices.Sort(got)
	return got
}
