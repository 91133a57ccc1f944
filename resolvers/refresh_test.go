package resolvers_test

import (
	"testing"

	"partnergraph/pgtest"
)

// A mutation changes what the request's loaders already hold: its payload,
// and later mutations of the same operation, show the data as it is after
// the change, not as an earlier field of the operation loaded it.
func TestMutationsOfOneOperationSeeEachOthersChanges(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		ps := w.partnership(t, env, w.partner(t, env, "TechCorp"))
		id := gid("Partnership", ps.ID)
		const op = `mutation($id: ID!, $tier: ID!, $first: [ID!], $second: [ID!]) {
  a: updatePartnership(input: {id: $id, tagIds: $first}) { partnership { tags { name } tier { name rank } stage { name } } }
  b: updateTier(input: {id: $tier, name: "Platinum", rank: 9}) { tier { name } }
  c: updatePartnership(input: {id: $id, tagIds: $second, stageId: null}) { partnership { tags { name } tier { name rank } stage { name } } }
}`
		type view struct {
			Partnership struct {
				Tags []struct{ Name string }
				Tier *struct {
					Name string
					Rank int
				}
				Stage *struct{ Name string }
			}
		}
		var data struct{ A, C view }
		env.Query(t, w.org.Write, op, map[string]any{
			"id": id, "tier": gid("Tier", w.tier.ID),
			"first":  []string{gid("Tag", w.tags[0].ID)},
			"second": []string{gid("Tag", w.tags[2].ID)},
		}, &data)
		a, c := data.A.Partnership, data.C.Partnership
		if len(a.Tags) != 1 || a.Tags[0].Name != "strategic" || a.Tier == nil || a.Tier.Name != "Gold" || a.Stage == nil {
			t.Fatalf("first payload: %+v", a)
		}
		if len(c.Tags) != 1 || c.Tags[0].Name != "renewal" {
			t.Fatalf("the later payload shows the earlier tags: %+v", c.Tags)
		}
		if c.Tier == nil || c.Tier.Name != "Platinum" || c.Tier.Rank != 9 {
			t.Fatalf("the later payload shows the tier as the first mutation loaded it: %+v", c.Tier)
		}
		if c.Stage != nil {
			t.Fatalf("the later payload still shows the removed stage: %+v", c.Stage)
		}
	})
}
