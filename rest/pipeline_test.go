package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// TestPartnerUsersReadNoPipelineThroughTheShim sends every seed 000 and
// seed 001 route a partner user may call, on a partnership whose owner set
// every member of its pipeline, to a gateway with the compiled path of
// reads and to one without: seed 000 answers its documented resource,
// which carries none of the owner's pipeline (no member of it, no string of
// it), and seed 001, the owner's route, refuses them without a word of it.
func TestPartnerUsersReadNoPipelineThroughTheShim(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		ctx := context.Background()
		owner := newFixture(t, env, "Owner")
		guest := env.Org(t, "Guest")
		a := owner.org.Actor()
		tier, err := env.DB.CreateTier(ctx, a, pg.TierCreate{Name: "Platinum Tier", Rank: 1})
		check(t, err)
		category, err := env.DB.CreateCategory(ctx, a, pg.CategoryCreate{Name: "Reseller Category"})
		check(t, err)
		stage, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Negotiation Stage", Position: 1})
		check(t, err)
		tag, err := env.DB.CreateTag(ctx, a, pg.TagCreate{Name: "vip-tag"})
		check(t, err)
		person, err := env.DB.CreateUser(ctx, a, pg.UserCreate{Name: "Pipeline Person", Email: "person@owner.example", Role: pg.RoleMember})
		check(t, err)
		field, err := env.DB.CreateCustomField(ctx, a, pg.CustomFieldCreate{Name: "Deal Notes", Type: pg.FieldText})
		check(t, err)
		note, fallback := "secret-note", "Fallback Company"
		ps, err := env.DB.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: owner.partner.ID, ProjectID: &owner.project.ID,
			TierID: &tier.ID, CategoryID: &category.ID, StageID: &stage.ID, TagIDs: []int64{tag.ID}, AssignedUserIDs: []int64{person.ID},
			CustomFields: []pg.CustomFieldInput{{FieldID: field.ID, Text: &note}}, FallbackData: &pg.FallbackData{Name: &fallback}})
		check(t, err)
		other, err := env.DB.CreateProject(ctx, a, pg.ProjectCreate{Name: "Other Presale"})
		check(t, err)
		_, token, err := env.DB.InvitePartner(ctx, a, owner.partner.ID)
		check(t, err)
		_, err = env.DB.AcceptPartnerInvitation(ctx, guest.Actor(), token)
		check(t, err)
		secrets := []string{tier.Name, category.Name, stage.Name, tag.Name, person.Name, person.Email, field.Name, note, fallback}

		executor := *env
		executor.Server = env.Another(t, pgtest.ExecutorOnly)
		path := fmt.Sprintf("/v1/partnerships/%d", ps.ID)
		for _, gw := range []struct {
			name string
			env  *pgtest.Env
		}{{"Compiled", env}, {"Executor", &executor}} {
			c := client{env: gw.env, t: t}
			routes := []struct {
				name, method, path, key, body string
				status                        int
			}{
				{"000/Get", "GET", path, guest.Read, "", 200},
				{"000/List", "GET", fmt.Sprintf("/v1/projects/%d/partnerships", owner.project.ID), guest.Read, "", 200},
				{"000/Patch", "PATCH", path, guest.Write, fmt.Sprintf(`{"is_support": %v}`, gw.name == "Compiled"), 200},
				{"000/Create", "POST", fmt.Sprintf("/v1/projects/%d/partnerships", other.ID), guest.Write,
					fmt.Sprintf(`{"partner_id": %d}`, owner.partner.ID), 201},
				{"001/Patch", "PATCH", fmt.Sprintf("/api/v1/partnerships/%d", ps.ID), guest.Write, fmt.Sprintf(`{"tierId": %d}`, tier.ID), 403},
				{"001/PatchEmpty", "PATCH", fmt.Sprintf("/api/v1/partnerships/%d", ps.ID), guest.Write, `{}`, 403},
				{"001/PatchOfCompany", "PATCH", fmt.Sprintf("/api/v1/companies/%d/partnerships/%d", guest.ID, ps.ID), guest.Write,
					fmt.Sprintf(`{"stageUuid": %q}`, stage.UUID), 403},
				{"000/Delete", "DELETE", fmt.Sprintf("/v1/partnerships/%d", ps.ID), guest.Write, "", 204},
			}
			for _, r := range routes {
				t.Run(gw.name+"/"+r.name, func(t *testing.T) {
					resp := c.do(r.method, r.path, r.key, r.body)
					resp.expect(t, r.status)
					for _, s := range secrets {
						if strings.Contains(string(resp.body), s) {
							t.Fatalf("the answer shows %q of the owner's pipeline: %s", s, resp.body)
						}
					}
					if r.status == 200 || r.status == 201 {
						checkSeed000Members(t, resp.body)
					}
				})
			}
			if gw.name == "Compiled" {
				// The executor's turn needs the partnership back, and the
				// created one out of the way.
				ps, err = env.DB.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: owner.partner.ID, ProjectID: &owner.project.ID,
					TierID: &tier.ID, CategoryID: &category.ID, StageID: &stage.ID, TagIDs: []int64{tag.ID}, AssignedUserIDs: []int64{person.ID},
					CustomFields: []pg.CustomFieldInput{{FieldID: field.ID, Text: &note}}, FallbackData: &pg.FallbackData{Name: &fallback}})
				check(t, err)
				path = fmt.Sprintf("/v1/partnerships/%d", ps.ID)
				created, err := env.DB.PartnershipsByParent(ctx, a, "project_id", []int64{other.ID}, pg.PartnershipCriteria{},
					pg.Order[pg.PartnershipOrderField]{}, pg.PageRequest{Limit: 10})
				check(t, err)
				for _, p := range created[other.ID].Items {
					check(t, env.DB.DeletePartnership(ctx, a, p.ID))
				}
			}
		}
	})
}

// checkSeed000Members fails t unless body is seed 000's partnership, or a
// list of them, with the members the seed documents and no other.
func checkSeed000Members(t *testing.T, body []byte) {
	t.Helper()
	var one map[string]json.RawMessage
	var many []map[string]json.RawMessage
	if json.Unmarshal(body, &many) != nil {
		if err := json.Unmarshal(body, &one); err != nil {
			t.Fatalf("not seed 000's partnership: %s", body)
		}
		many = append(many, one)
	}
	if len(many) == 0 {
		t.Fatalf("no partnership listed: %s", body)
	}
	for _, p := range many {
		var keys []string
		for k := range p {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{"id", "is_default", "is_support", "partner", "presale"}; !slices.Equal(keys, want) {
			t.Fatalf("members %v, want %v: %s", keys, want, body)
		}
	}
}
