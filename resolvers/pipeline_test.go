package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// pipelineFields selects every member of a partnership's pipeline, and
// what says whether the caller reads it.
const pipelineFields = `id tier { name } category { name } stage { name allowedNextStages { name } } assignedUsers { name }
	tags { name } customFieldValues { text field { name } } fallbackData { name websiteUrl }
	viewerCanReadPipeline viewerCanUpdatePipeline`

// pipelineCase is a guest organization's partnership in the owner's
// project, with every member of the owner's pipeline set.
type pipelineCase struct {
	owner       *world
	guest       *pgtest.Org
	partner     *pg.Partner
	partnership *pg.Partnership
	other       *pg.Project // a project of the owner the partner is not in yet
}

func newPipelineCase(t *testing.T, env *pgtest.Env) *pipelineCase {
	t.Helper()
	ctx := context.Background()
	c := &pipelineCase{owner: newWorld(t, env, "Owner"), guest: env.Org(t, "Guest")}
	a := c.owner.org.Actor()
	c.partner = c.owner.partner(t, env, "Guest Partner")
	c.partnership = c.owner.partnership(t, env, c.partner)
	name, site := "Fallback Name", "https://fallback.example"
	_, err := env.DB.UpdatePartnership(ctx, a, c.partnership.ID, pg.PartnershipUpdate{
		FallbackData: pg.Some(pg.FallbackData{Name: &name, WebsiteURL: &site})})
	pgtest.Must(t, err)
	c.other, err = env.DB.CreateProject(ctx, a, pg.ProjectCreate{Name: "Other presale"})
	pgtest.Must(t, err)
	_, token, err := env.DB.InvitePartner(ctx, a, c.partner.ID)
	pgtest.Must(t, err)
	_, err = env.DB.AcceptPartnerInvitation(ctx, c.guest.Actor(), token)
	pgtest.Must(t, err)
	return c
}

// secrets are strings of the owner's pipeline no partner user may read.
func (c *pipelineCase) secrets() []string {
	w := c.owner
	return []string{w.tier.Name, w.category.Name, w.lead.Name, w.qualified.Name, w.tags[0].Name, w.tags[1].Name,
		w.member.Name, w.org.Admin.Name, "notes", w.text.Name, "Fallback Name", "fallback.example",
		gid(pg.TypeTier, w.tier.ID), gid(pg.TypeStage, w.lead.ID), gid(pg.TypeTag, w.tags[0].ID), gid(pg.TypeUser, w.member.ID)}
}

// partnershipsIn returns every object of a response that selected
// viewerCanReadPipeline: the partnerships it shows.
func partnershipsIn(v any) []map[string]any {
	var out []map[string]any
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["viewerCanReadPipeline"]; ok {
			out = append(out, x)
		}
		for _, c := range x {
			out = append(out, partnershipsIn(c)...)
		}
	case []any:
		for _, c := range x {
			out = append(out, partnershipsIn(c)...)
		}
	}
	return out
}

// hasPipeline reports whether a partnership shows any member of its
// pipeline, and checks the two fields that say what the caller may do.
func hasPipeline(p map[string]any) bool {
	for _, k := range []string{"tier", "category", "stage", "fallbackData"} {
		if p[k] != nil {
			return true
		}
	}
	for _, k := range []string{"assignedUsers", "tags", "customFieldValues"} {
		if l, _ := p[k].([]any); len(l) > 0 {
			return true
		}
	}
	return false
}

// TestPartnerUsersReadNoPipeline reads a partnership through every field
// that shows one, as its partner's users and as its owner, on both
// execution paths: the compiled path of reads and gqlgen's executor
// (--compiled-reads=false). Partner users read the owner's pipeline as
// unset, with no error, viewerCanReadPipeline false, and no string of it
// anywhere in the response; the owner reads all of it; both paths answer
// alike. Filters on the pipeline find none of the owner's partnerships for
// partner users.
func TestPartnerUsersReadNoPipeline(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := newPipelineCase(t, env)
		w := c.owner
		executor := *env
		executor.Server = env.Another(t, pgtest.ExecutorOnly)
		paths := []struct {
			name string
			env  *pgtest.Env
		}{{"Compiled", env}, {"Executor", &executor}}
		ps, partner, project := gid(pg.TypePartnership, c.partnership.ID), gid(pg.TypePartner, c.partner.ID), gid(pg.TypeProject, w.project.ID)
		// who names the callers a read shows partnerships to: "" both, or
		// "owner" (projects lists the organization's own) or "partner"
		// (viewer.partners lists those it is the guest of).
		reads := []struct {
			name, query string
			vars        map[string]any
			who         string
		}{
			{"Partnership", `query($id: ID!) { partnership(id: $id) { ` + pipelineFields + ` } }`, map[string]any{"id": ps}, ""},
			{"Node", `query($id: ID!) { node(id: $id) { ... on Partnership { ` + pipelineFields + ` } } }`, map[string]any{"id": ps}, ""},
			{"Nodes", `query($id: ID!) { nodes(ids: [$id]) { ... on Partnership { ` + pipelineFields + ` } } }`, map[string]any{"id": ps}, ""},
			{"Partnerships", `{ partnerships(first: 10) { nodes { ` + pipelineFields + ` } edges { node { ` + pipelineFields + ` } } } }`, nil, ""},
			{"PartnerPartnerships", `query($id: ID!) { partner(id: $id) { partnerships { nodes { ` + pipelineFields + ` } } } }`, map[string]any{"id": partner}, ""},
			{"PartnersPartnerships", `{ partners(first: 10) { nodes { partnerships { nodes { ` + pipelineFields + ` } } } } }`, nil, ""},
			{"ProjectPartnerships", `query($id: ID!) { node(id: $id) { ... on Project { partnerships { nodes { ` + pipelineFields + ` } } } } }`, map[string]any{"id": project}, ""},
			{"ProjectsPartnerships", `{ projects(first: 10) { nodes { partnerships { nodes { ` + pipelineFields + ` } } } } }`, nil, "owner"},
			{"ViewerPartners", `{ viewer { partners { partnerships { nodes { ` + pipelineFields + ` } } } } }`, nil, "partner"},
			{"PartnershipPartnerBack", `query($id: ID!) { partnership(id: $id) { partner { partnerships { nodes { ` + pipelineFields + ` } } } } }`, map[string]any{"id": ps}, ""},
		}
		callers := []struct {
			name, key string
			reads     bool
		}{{"PartnerUserRead", c.guest.Read, false}, {"PartnerUserWrite", c.guest.Write, false}, {"Owner", w.org.Read, true}}
		for _, rd := range reads {
			for _, caller := range callers {
				if rd.who == "owner" && !caller.reads || rd.who == "partner" && caller.reads {
					continue
				}
				var bodies []string
				for _, path := range paths {
					t.Run(rd.name+"/"+caller.name+"/"+path.name, func(t *testing.T) {
						bodies = append(bodies, readPipeline(t, path.env, caller.key, rd.query, rd.vars, caller.reads, c.secrets()))
					})
				}
				if len(bodies) == 2 && bodies[0] != bodies[1] {
					t.Errorf("%s as %s: the paths differ\ncompiled: %s\nexecutor: %s", rd.name, caller.name, bodies[0], bodies[1])
				}
			}
		}

		t.Run("Mutations", func(t *testing.T) {
			for i, path := range paths {
				var out map[string]any
				path.env.Query(t, c.guest.Write, `mutation($id: ID!) { updatePartnership(input: {id: $id, isSupport: `+fmt.Sprint(i == 0)+`}) {
					partnership { `+pipelineFields+` } } }`, map[string]any{"id": ps}, &out)
				checkPipeline(t, out, false)
			}
			var out map[string]any
			env.Query(t, c.guest.Write, `mutation($p: ID!, $pr: ID!) { createPartnership(input: {partnerId: $p, projectId: $pr}) {
				partnership { `+pipelineFields+` } } }`, map[string]any{"p": partner, "pr": gid(pg.TypeProject, c.other.ID)}, &out)
			checkPipeline(t, out, false)
		})

		filters := []struct{ name, filter string }{
			{"Tier", fmt.Sprintf(`{tierId: %q}`, gid(pg.TypeTier, w.tier.ID))},
			{"Category", fmt.Sprintf(`{categoryId: %q}`, gid(pg.TypeCategory, w.category.ID))},
			{"Stage", fmt.Sprintf(`{stageId: %q}`, gid(pg.TypeStage, w.lead.ID))},
			{"Tag", fmt.Sprintf(`{tagId: %q}`, gid(pg.TypeTag, w.tags[0].ID))},
			{"AssignedUser", fmt.Sprintf(`{assignedUserId: %q}`, gid(pg.TypeUser, w.member.ID))},
		}
		for _, f := range filters {
			for _, caller := range callers {
				for _, path := range paths {
					t.Run("Filter"+f.name+"/"+caller.name+"/"+path.name, func(t *testing.T) {
						countFiltered(t, path.env, caller.key, f.filter, partner, project, caller.reads)
					})
				}
			}
		}
	})
}

// readPipeline runs a read of partnerships as key and checks what it shows
// of their pipeline; it returns the response's data.
func readPipeline(t *testing.T, env *pgtest.Env, key, query string, vars map[string]any, reads bool, secrets []string) string {
	t.Helper()
	r := env.Do(t, pgtest.Request{Key: key, Query: query, Variables: vars})
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	var data map[string]any
	if err := json.Unmarshal(r.Data, &data); err != nil {
		t.Fatal(err)
	}
	checkPipeline(t, data, reads)
	if !reads {
		for _, s := range secrets {
			if strings.Contains(string(r.Data), s) {
				t.Fatalf("the response shows %q of the owner's pipeline: %s", s, r.Data)
			}
		}
	}
	return string(r.Data)
}

// checkPipeline checks that data shows partnerships, and their pipeline
// only when the caller reads it.
func checkPipeline(t *testing.T, data map[string]any, reads bool) {
	t.Helper()
	found := partnershipsIn(data)
	if len(found) == 0 {
		t.Fatalf("no partnership in %v", data)
	}
	for _, p := range found {
		if got := p["viewerCanReadPipeline"] == true; got != reads {
			t.Fatalf("viewerCanReadPipeline %v, want %v: %v", p["viewerCanReadPipeline"], reads, p)
		}
		if !reads && p["viewerCanUpdatePipeline"] != false {
			t.Fatalf("viewerCanUpdatePipeline for a partner user: %v", p)
		}
		if hasPipeline(p) != reads {
			t.Fatalf("the pipeline shown (%v), want %v: %v", hasPipeline(p), reads, p)
		}
	}
}

// countFiltered lists the partnerships matching filter at the root, under
// the partner and under the project, as key: the owner finds its one, a
// partner user none, the totals included.
func countFiltered(t *testing.T, env *pgtest.Env, key, filter, partner, project string, reads bool) {
	t.Helper()
	var d struct {
		Partnerships struct {
			TotalCount int
			Nodes      []struct{ ID string }
		}
		Partner struct {
			Partnerships struct {
				TotalCount int
				Nodes      []struct{ ID string }
			}
		}
		Project struct {
			Partnerships struct {
				TotalCount int
				Nodes      []struct{ ID string }
			}
		}
	}
	env.Query(t, key, `query($p: ID!, $pr: ID!) {
		partnerships(filter: `+filter+`) { totalCount nodes { id } }
		partner(id: $p) { partnerships(filter: `+filter+`) { totalCount nodes { id } } }
		project: node(id: $pr) { ... on Project { partnerships(filter: `+filter+`) { totalCount nodes { id } } } } }`,
		map[string]any{"p": partner, "pr": project}, &d)
	want := 0
	if reads {
		want = 1
	}
	for name, got := range map[string][2]int{
		"partnerships":         {d.Partnerships.TotalCount, len(d.Partnerships.Nodes)},
		"partner.partnerships": {d.Partner.Partnerships.TotalCount, len(d.Partner.Partnerships.Nodes)},
		"project.partnerships": {d.Project.Partnerships.TotalCount, len(d.Project.Partnerships.Nodes)},
	} {
		if got != [2]int{want, want} {
			t.Errorf("%s matched %v (totalCount, nodes), want %d", name, got, want)
		}
	}
}
