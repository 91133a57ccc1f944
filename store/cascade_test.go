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

// deletedEvents returns the resource ids of a's events of typ, in commit
// order, with each one's payload.
func deletedEvents(t *testing.T, db *store.DB, a pg.Actor, typ string) ([]int64, []map[string]any) {
	t.Helper()
	l, err := db.Events(context.Background(), a, pg.EventFilter{Types: []string{typ}}, pg.PageRequest{Limit: 100})
	pgtest.Must(t, err)
	var ids []int64
	var payloads []map[string]any
	for _, e := range l.Items {
		var p struct{ Resource map[string]any }
		pgtest.Must(t, json.Unmarshal(e.Payload, &p))
		ids, payloads = append(ids, e.ResourceID), append(payloads, p.Resource)
	}
	return ids, payloads
}

// TestCascadedPartnershipsHaveTheirEvents deletes a partner, then a
// project: each partnership the database deletes with them by cascade has
// its partnership.deleted event, committed with the deletion and before
// its parent's, naming its partner and project as DeletePartnership does.
func TestCascadedPartnershipsHaveTheirEvents(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.OpenDB(t, dialect)
		ctx := context.Background()
		a := ownerOf(t, db, "Owner")
		p, q := newPartner(t, db, a, "P"), newPartner(t, db, a, "Q")
		x, err := db.CreateProject(ctx, a, pg.ProjectCreate{Name: "X"})
		pgtest.Must(t, err)
		y, err := db.CreateProject(ctx, a, pg.ProjectCreate{Name: "Y"})
		pgtest.Must(t, err)
		create := func(partner int64, project *int64) int64 {
			ps, err := db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: partner, ProjectID: project, IsDefault: project != nil})
			pgtest.Must(t, err)
			return ps.ID
		}
		px, py, pn := create(p.ID, &x.ID), create(p.ID, &y.ID), create(p.ID, nil)
		qx, qn := create(q.ID, &x.ID), create(q.ID, nil)

		pgtest.Must(t, db.DeletePartner(ctx, a, p.ID))
		ids, payloads := deletedEvents(t, db, a, "partnership.deleted")
		if want := []int64{px, py, pn}; !slices.Equal(ids, want) {
			t.Fatalf("deleting the partner: partnership.deleted of %v, want %v", ids, want)
		}
		if got := fmt.Sprint(payloads[0]["partnerId"], payloads[0]["projectId"]); got != fmt.Sprint(p.ID, x.ID) {
			t.Fatalf("the event names partner and project %s: %v", got, payloads[0])
		}
		all, err := db.Events(ctx, a, pg.EventFilter{Types: []string{"partnership.deleted", "partner.deleted"}}, pg.PageRequest{Limit: 100})
		pgtest.Must(t, err)
		if n := len(all.Items); n != 4 || all.Items[3].Type != "partner.deleted" {
			t.Fatalf("the partner's deletion comes after its partnerships': %d events", n)
		}

		pgtest.Must(t, db.DeleteProject(ctx, a, x.ID))
		ids, _ = deletedEvents(t, db, a, "partnership.deleted")
		if want := []int64{px, py, pn, qx}; !slices.Equal(ids, want) {
			t.Fatalf("deleting the project: partnership.deleted of %v, want %v", ids, want)
		}
		if _, err := db.Partnership(ctx, a, qn); err != nil {
			t.Fatalf("a partnership of no project was deleted with the project: %v", err)
		}
		// A parent with no partnership deletes as before, with its own event.
		pgtest.Must(t, db.DeleteProject(ctx, a, y.ID))
		if ids, _ := deletedEvents(t, db, a, "project.deleted"); !slices.Equal(ids, []int64{x.ID, y.ID}) {
			t.Fatalf("project.deleted of %v", ids)
		}
	})
}

// TestCascadeTakesConcurrentPartnershipsAlong creates partnerships in a
// project while the project is deleted: each one created is either
// refused or deleted with an event, never deleted silently. The project is
// locked before its partnerships are listed, so none is added between the
// list and the cascade (PostgreSQL; SQLite's one writer serializes).
func TestCascadeTakesConcurrentPartnershipsAlong(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.OpenDB(t, dialect)
		ctx := context.Background()
		a := ownerOf(t, db, "Owner")
		for round := range 5 {
			project, err := db.CreateProject(ctx, a, pg.ProjectCreate{Name: fmt.Sprint("Round ", round)})
			pgtest.Must(t, err)
			var partners []*pg.Partner
			for i := range 8 {
				partners = append(partners, newPartner(t, db, a, fmt.Sprint("P", round, i)))
			}
			var mu sync.Mutex
			var created []int64
			var wg sync.WaitGroup
			start := make(chan struct{})
			for _, p := range partners {
				wg.Go(func() {
					<-start
					ps, err := db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID, ProjectID: &project.ID})
					if err == nil {
						mu.Lock()
						created = append(created, ps.ID)
						mu.Unlock()
					}
				})
			}
			wg.Go(func() {
				<-start
				pgtest.Must(t, db.DeleteProject(ctx, a, project.ID))
			})
			close(start)
			wg.Wait()
			ids, _ := deletedEvents(t, db, a, "partnership.deleted")
			for _, id := range created {
				if _, err := db.Partnership(ctx, a, id); pg.ErrorCode(err) != pg.NotFound {
					t.Fatalf("round %d: partnership %d outlived its project: %v", round, id, err)
				}
				if !slices.Contains(ids, id) {
					t.Fatalf("round %d: partnership %d was deleted with its project without an event (events of %v)", round, id, ids)
				}
			}
		}
	})
}

// TestDeletedReferencesHaveTheirPartnershipEvents deletes, in turn, a
// tier, a category, a stage, a tag and a custom field that a partnership
// uses: each deletion changes the partnership (the reference unset, the tag
// or the value gone), which then has its partnership.updated event (and
// partnership.stage_changed for the stage) with the change, and a new
// updatedAt; a partnership that used none of them has none.
func TestDeletedReferencesHaveTheirPartnershipEvents(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.OpenDB(t, dialect)
		ctx := context.Background()
		a := ownerOf(t, db, "Owner")
		p, q := newPartner(t, db, a, "P"), newPartner(t, db, a, "Q")
		tier, err := db.CreateTier(ctx, a, pg.TierCreate{Name: "Gold", Rank: 1})
		pgtest.Must(t, err)
		category, err := db.CreateCategory(ctx, a, pg.CategoryCreate{Name: "Reseller"})
		pgtest.Must(t, err)
		stage, err := db.CreateStage(ctx, a, pg.StageCreate{Name: "Lead", Position: 1})
		pgtest.Must(t, err)
		t1, err := db.CreateTag(ctx, a, pg.TagCreate{Name: "one"})
		pgtest.Must(t, err)
		t2, err := db.CreateTag(ctx, a, pg.TagCreate{Name: "two"})
		pgtest.Must(t, err)
		field, err := db.CreateCustomField(ctx, a, pg.CustomFieldCreate{Name: "Notes", Type: pg.FieldText})
		pgtest.Must(t, err)
		note := "n"
		used, err := db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID, TierID: &tier.ID, CategoryID: &category.ID,
			StageID: &stage.ID, TagIDs: []int64{t1.ID, t2.ID}, CustomFields: []pg.CustomFieldInput{{FieldID: field.ID, Text: &note}}})
		pgtest.Must(t, err)
		_, err = db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: q.ID, TagIDs: []int64{t2.ID}})
		pgtest.Must(t, err)

		seen := 0
		cases := []struct {
			name, member, change string
			del                  func() error
			stageChanged         bool
		}{
			{"Tier", "tierId", fmt.Sprintf(`{"from":%d,"to":null}`, tier.ID), func() error { return db.DeleteTier(ctx, a, tier.ID) }, false},
			{"Category", "categoryId", fmt.Sprintf(`{"from":%d,"to":null}`, category.ID), func() error { return db.DeleteCategory(ctx, a, category.ID) }, false},
			{"Stage", "stageId", fmt.Sprintf(`{"from":%d,"to":null}`, stage.ID), func() error { return db.DeleteStage(ctx, a, stage.ID) }, true},
			{"Tag", "tagIds", fmt.Sprintf(`{"from":[%d,%d],"to":[%d]}`, t1.ID, t2.ID, t2.ID), func() error { return db.DeleteTag(ctx, a, t1.ID) }, false},
			{"CustomField", "customFieldValues", fmt.Sprintf(`{"from":{"%d":"n"},"to":{"%d":null}}`, field.ID, field.ID),
				func() error { return db.DeleteCustomField(ctx, a, field.ID) }, false},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before, err := db.Partnership(ctx, a, used.ID)
				pgtest.Must(t, err)
				pgtest.Must(t, c.del())
				l, err := db.Events(ctx, a, pg.EventFilter{Types: []string{"partnership.updated", "partnership.stage_changed"}}, pg.PageRequest{Limit: 100})
				pgtest.Must(t, err)
				fresh := l.Items[seen:]
				seen = len(l.Items)
				want := 1
				if c.stageChanged {
					want = 2
				}
				if len(fresh) != want {
					t.Fatalf("%d events, want %d", len(fresh), want)
				}
				for _, e := range fresh {
					var payload struct{ Changes map[string]json.RawMessage }
					pgtest.Must(t, json.Unmarshal(e.Payload, &payload))
					if e.ResourceID != used.ID || len(payload.Changes) != 1 || string(payload.Changes[c.member]) != c.change {
						t.Fatalf("%s of partnership %d: %s, want %s: %s", e.Type, e.ResourceID, e.Payload, c.member, c.change)
					}
				}
				after, err := db.Partnership(ctx, a, used.ID)
				pgtest.Must(t, err)
				if !after.UpdatedAt.After(before.UpdatedAt) {
					t.Fatalf("updatedAt stayed %v", after.UpdatedAt)
				}
			})
		}
	})
}
