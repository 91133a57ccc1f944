package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

const partnershipFields = `id isDefault isSupport tier { name } category { name } stage { name }
  tags { name } assignedUsers { email } fallbackData { name websiteUrl countryLabel logoSquareUuid }
  customFieldValues { field { name } text number date boolean select { id label } multiSelect { id } }`

type partnershipView struct {
	ID        string
	IsDefault bool
	IsSupport bool
	Tier      *struct{ Name string }
	Category  *struct{ Name string }
	Stage     *struct{ Name string }
	Tags      []struct{ Name string }
	Assigned  []struct{ Email string } `json:"assignedUsers"`
	Fallback  *struct {
		Name, WebsiteURL, CountryLabel *string
	} `json:"fallbackData"`
	Values []struct {
		Field       struct{ Name string }
		Text        *string
		Number      *float64
		Date        *string
		Boolean     *bool
		Select      *struct{ ID int }
		MultiSelect []struct{ ID int }
	} `json:"customFieldValues"`
}

func getPartnership(t *testing.T, env *pgtest.Env, key, id string) partnershipView {
	t.Helper()
	var data struct{ Partnership partnershipView }
	env.Query(t, key, `query($id: ID!) { partnership(id: $id) { `+partnershipFields+` } }`, map[string]any{"id": id}, &data)
	return data.Partnership
}

const updatePartnership = `mutation($input: UpdatePartnershipInput!) { updatePartnership(input: $input) { partnership { ` + partnershipFields + ` } clientMutationId } }`

func update(t *testing.T, env *pgtest.Env, key string, input map[string]any) partnershipView {
	t.Helper()
	var data struct {
		UpdatePartnership struct {
			Partnership      partnershipView
			ClientMutationID *string
		}
	}
	env.Query(t, key, updatePartnership, map[string]any{"input": input}, &data)
	return data.UpdatePartnership.Partnership
}

func TestUpdatePartnershipNullRemovesAbsentKeepsListsReplace(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		ps := w.partnership(t, env, w.partner(t, env, "TechCorp"))
		id := gid("Partnership", ps.ID)

		// Absent fields stay: only isSupport changes.
		got := update(t, env, w.org.Write, map[string]any{"id": id, "isSupport": true})
		if !got.IsSupport || got.Tier == nil || got.Category == nil || len(got.Tags) != 2 || len(got.Assigned) != 2 {
			t.Fatalf("absent fields changed: %+v", got)
		}
		// null removes.
		got = update(t, env, w.org.Write, map[string]any{"id": id, "tierId": nil, "categoryId": nil})
		if got.Tier != nil || got.Category != nil || got.Stage == nil {
			t.Fatalf("null did not remove tier and category only: %+v", got)
		}
		// Lists replace, in full.
		got = update(t, env, w.org.Write, map[string]any{"id": id,
			"tagIds": []string{gid("Tag", w.tags[2].ID)}, "assignedUserIds": []string{gid("User", w.member.ID)}})
		if len(got.Tags) != 1 || got.Tags[0].Name != "renewal" || len(got.Assigned) != 1 || got.Assigned[0].Email != w.member.Email {
			t.Fatalf("lists did not replace: %+v", got)
		}
		got = update(t, env, w.org.Write, map[string]any{"id": id, "tagIds": []string{}, "assignedUserIds": nil})
		if len(got.Tags) != 0 || len(got.Assigned) != 0 {
			t.Fatalf("empty list and null did not clear: %+v", got)
		}
		// Fallback data replaces as a whole; null removes it.
		got = update(t, env, w.org.Write, map[string]any{"id": id, "fallbackData": map[string]any{"name": "TechCorp Solutions", "websiteUrl": "https://techcorp.com"}})
		if got.Fallback == nil || *got.Fallback.Name != "TechCorp Solutions" || got.Fallback.CountryLabel != nil {
			t.Fatalf("fallback data not set: %+v", got.Fallback)
		}
		got = update(t, env, w.org.Write, map[string]any{"id": id, "fallbackData": nil})
		if got.Fallback != nil {
			t.Fatalf("fallback data not removed: %+v", got.Fallback)
		}
		// What the payload showed is what is stored.
		if again := getPartnership(t, env, w.org.Read, id); again.IsSupport != true || again.Tier != nil || len(again.Tags) != 0 {
			t.Fatalf("stored state differs from payload: %+v", again)
		}
	})
}

func TestOneDefaultPartnershipPerProject(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		var ids []string
		for _, name := range []string{"A", "B", "C"} {
			var data struct {
				CreatePartnership struct{ Partnership struct{ ID string } }
			}
			env.Query(t, w.org.Write, `mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) { partnership { id } } }`,
				map[string]any{"in": map[string]any{"partnerId": gid("Partner", w.partner(t, env, name).ID), "projectId": gid("Project", w.project.ID), "isDefault": true}}, &data)
			ids = append(ids, data.CreatePartnership.Partnership.ID)
		}
		defaults := func() []string {
			var data struct {
				Project struct {
					Partnerships struct{ Nodes []struct{ ID string } }
				} `json:"node"`
			}
			env.Query(t, w.org.Read, `query($id: ID!) { node(id: $id) { ... on Project { partnerships(filter: {isDefault: true}) { nodes { id } } } } }`,
				map[string]any{"id": gid("Project", w.project.ID)}, &data)
			var out []string
			for _, n := range data.Project.Partnerships.Nodes {
				out = append(out, n.ID)
			}
			return out
		}
		if d := defaults(); len(d) != 1 || d[0] != ids[2] {
			t.Fatalf("after three creates with isDefault, want only the last default, got %v", d)
		}
		update(t, env, w.org.Write, map[string]any{"id": ids[0], "isDefault": true})
		if d := defaults(); len(d) != 1 || d[0] != ids[0] {
			t.Fatalf("after update, want only the first default, got %v", d)
		}
	})
}

func TestStageTransitionsFollowAllowedNextStages(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		ps := w.partnership(t, env, w.partner(t, env, "TechCorp")) // at Lead: Lead → Qualified only
		id := gid("Partnership", ps.ID)
		steps := []struct {
			name  string
			stage *pg.Stage
			code  string
		}{
			{"LeadToWonRefused", w.won, "BUSINESS_RULE"},
			{"LeadToQualified", w.qualified, ""},
			{"QualifiedToLeadRefused", w.lead, "BUSINESS_RULE"},
			{"QualifiedToWon", w.won, ""},
			{"WonAllowsAnyWhenItListsNone", w.lead, ""},
		}
		want := "Lead"
		for _, s := range steps {
			t.Run(s.name, func(t *testing.T) {
				in := map[string]any{"input": map[string]any{"id": id, "stageId": gid("Stage", s.stage.ID)}}
				if s.code != "" {
					e := env.MustFail(t, w.org.Write, updatePartnership, in, s.code, "stageId")
					if e.Message != "Stage change not allowed due to business rules." {
						t.Fatalf("message: %q", e.Message)
					}
				} else {
					update(t, env, w.org.Write, in["input"].(map[string]any))
					want = s.stage.Name
				}
				if got := getPartnership(t, env, w.org.Read, id); got.Stage == nil || got.Stage.Name != want {
					t.Fatalf("stage is %+v, want %s", got.Stage, want)
				}
			})
		}
	})
}

func TestCustomFieldValuesAreTypeChecked(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		ps := w.partnership(t, env, w.partner(t, env, "TechCorp"))
		id := gid("Partnership", ps.ID)
		f := func(field *pg.CustomField, kv ...any) map[string]any {
			m := map[string]any{"customFieldId": gid("CustomField", field.ID)}
			for i := 0; i < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		ok := []struct {
			name  string
			input map[string]any
		}{
			{"Text", f(w.text, "text", "Updated notes")},
			{"Number", f(w.number, "number", 150000, "type", "NUMBER")},
			{"Date", f(w.date, "date", "2027-01-31")},
			{"Boolean", f(w.boolean, "boolean", false)},
			{"Select", f(w.single, "select", 2)},
			{"MultiSelect", f(w.multi, "multiSelect", []int{2})},
		}
		for _, c := range ok {
			t.Run(c.name, func(t *testing.T) {
				update(t, env, w.org.Write, map[string]any{"id": id, "customFields": []any{c.input}})
			})
		}
		got := getPartnership(t, env, w.org.Read, id)
		values := map[string]string{}
		for _, v := range got.Values {
			b, _ := json.Marshal(v)
			values[v.Field.Name] = string(b)
		}
		if len(got.Values) != 6 || *got.Values[0].Text != "Updated notes" {
			t.Fatalf("values not stored: %v", values)
		}
		bad := []struct {
			name, field string
			input       map[string]any
		}{
			{"NumberIntoText", "customFields.0.number", f(w.text, "number", 1)},
			{"TextIntoNumber", "customFields.0.text", f(w.number, "text", "lots")},
			{"TwoMembers", "customFields.0.text", f(w.boolean, "boolean", true, "text", "yes")},
			{"WrongDeclaredType", "customFields.0.type", f(w.text, "type", "NUMBER", "text", "x")},
			{"BadDate", "customFields.0.date", f(w.date, "date", "2027-02-30")},
			{"UnknownOption", "customFields.0.select", f(w.single, "select", 9)},
			{"UnknownMultiOption", "customFields.0.multiSelect.1", f(w.multi, "multiSelect", []int{1, 9})},
		}
		for _, c := range bad {
			t.Run(c.name, func(t *testing.T) {
				// A valid change beside the bad value proves nothing is written.
				env.MustFail(t, w.org.Write, updatePartnership, map[string]any{"input": map[string]any{
					"id": id, "isDefault": true, "customFields": []any{c.input}}}, "BAD_USER_INPUT", c.field)
				if after := getPartnership(t, env, w.org.Read, id); after.IsDefault || len(after.Values) != 6 {
					t.Fatalf("a refused update changed data: %+v", after)
				}
			})
		}
		t.Run("SameFieldTwice", func(t *testing.T) {
			env.MustFail(t, w.org.Write, updatePartnership, map[string]any{"input": map[string]any{
				"id": id, "isDefault": true, "customFields": []any{f(w.text, "text", "one"), f(w.text, "text", "two")}}},
				"BAD_USER_INPUT", "customFields.1.customFieldId")
			if after := getPartnership(t, env, w.org.Read, id); after.IsDefault || *after.Values[0].Text != "Updated notes" {
				t.Fatalf("a refused update changed data: %+v", after)
			}
		})
		t.Run("UnknownField", func(t *testing.T) {
			env.MustFail(t, w.org.Write, updatePartnership, map[string]any{"input": map[string]any{
				"id": id, "customFields": []any{map[string]any{"customFieldId": gid("CustomField", 9999), "text": "x"}}}}, "NOT_FOUND", "customFields.0.customFieldId")
		})
		t.Run("NoMemberRemoves", func(t *testing.T) {
			update(t, env, w.org.Write, map[string]any{"id": id, "customFields": []any{f(w.text)}})
			if after := getPartnership(t, env, w.org.Read, id); len(after.Values) != 5 {
				t.Fatalf("want 5 values after removing one, got %d", len(after.Values))
			}
		})
	})
}

func TestReferencesMustBelongToTheOrganization(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		other := newWorld(t, env, "Globex")
		ps := w.partnership(t, env, w.partner(t, env, "TechCorp"))
		id := gid("Partnership", ps.ID)
		cases := []struct {
			name, field string
			input       map[string]any
		}{
			{"Tier", "tierId", map[string]any{"tierId": gid("Tier", other.tier.ID)}},
			{"Category", "categoryId", map[string]any{"categoryId": gid("Category", other.category.ID)}},
			{"Stage", "stageId", map[string]any{"stageId": gid("Stage", other.qualified.ID)}},
			{"Tag", "tagIds", map[string]any{"tagIds": []string{gid("Tag", w.tags[0].ID), gid("Tag", other.tags[0].ID)}}},
			{"User", "assignedUserIds", map[string]any{"assignedUserIds": []string{gid("User", other.member.ID)}}},
			{"CustomField", "customFields.0.customFieldId", map[string]any{"customFields": []any{map[string]any{"customFieldId": gid("CustomField", other.text.ID), "text": "x"}}}},
			{"WrongIDType", "tierId", map[string]any{"tierId": gid("Category", w.category.ID)}},
			{"MalformedID", "tagIds.0", map[string]any{"tagIds": []string{"not-an-id"}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				c.input["id"] = id
				c.input["isSupport"] = true
				e := env.MustFail(t, w.org.Write, updatePartnership, map[string]any{"input": c.input}, "", c.field)
				if e.Code() != "NOT_FOUND" && e.Code() != "BAD_USER_INPUT" {
					t.Fatalf("code %s", e.Code())
				}
				after, err := env.DB.Partnership(context.Background(), w.org.Actor(), ps.ID)
				pgtest.Must(t, err)
				if after.IsSupport || !after.UpdatedAt.Equal(ps.UpdatedAt) {
					t.Fatalf("a refused update changed the partnership")
				}
			})
		}
	})
}

// TestClearingTheDefaultIsAnEvent: a partnership that loses its project's
// default to another changes, so it has its partnership.updated event, as
// any change does (webhooks and subscriptions learn of it), whether the
// other was created default or became it.
func TestClearingTheDefaultIsAnEvent(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		create := func(name string) string {
			var data struct {
				CreatePartnership struct{ Partnership struct{ ID string } }
			}
			env.Query(t, w.org.Write, `mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) { partnership { id } } }`,
				map[string]any{"in": map[string]any{"partnerId": gid("Partner", w.partner(t, env, name).ID), "projectId": gid("Project", w.project.ID), "isDefault": true}}, &data)
			return data.CreatePartnership.Partnership.ID
		}
		cleared := func() map[string]json.RawMessage {
			var data struct {
				Events struct {
					Nodes []struct {
						ResourceID string
						Payload    struct{ Changes map[string]json.RawMessage }
					}
				}
			}
			env.Query(t, w.org.Read, `{ events(first: 100, filter: {types: ["partnership.updated"]}) { nodes { resourceId payload } } }`, nil, &data)
			out := map[string]json.RawMessage{}
			for _, n := range data.Events.Nodes {
				out[n.ResourceID] = n.Payload.Changes["isDefault"]
			}
			return out
		}
		first := create("A")
		second := create("B")
		if got := cleared(); len(got) != 1 || string(got[first]) != `{"from":true,"to":false}` {
			t.Fatalf("after B was created default, want one partnership.updated event for A with isDefault from true to false, got %s", got)
		}
		update(t, env, w.org.Write, map[string]any{"id": first, "isDefault": true})
		if got := cleared(); len(got) != 2 || string(got[second]) != `{"from":true,"to":false}` {
			t.Fatalf("after A became default again, want B's isDefault cleared in an event, got %s", got)
		}
	})
}

// TestConcurrentDefaultsTakeTurns: requests making different partnerships
// the default of one project at the same moment each succeed, the last to
// commit wins, and the project has one default. On PostgreSQL they once
// raced to its one-default index and all but one failed with CONFLICT
// "The partner already has a partnership in this project".
func TestConcurrentDefaultsTakeTurns(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		const n = 8
		partners := make([]string, 2*n)
		for i := range partners {
			partners[i] = gid("Partner", w.partner(t, env, fmt.Sprintf("P%d", i)).ID)
		}
		var ids [n]string
		for i := range n {
			var data struct {
				CreatePartnership struct{ Partnership struct{ ID string } }
			}
			env.Query(t, w.org.Write, `mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) { partnership { id } } }`,
				map[string]any{"in": map[string]any{"partnerId": partners[i], "projectId": gid("Project", w.project.ID)}}, &data)
			ids[i] = data.CreatePartnership.Partnership.ID
		}
		var wg sync.WaitGroup
		errs := make(chan string, 2*n)
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				r := env.Do(t, pgtest.Request{Key: w.org.Write, Query: `mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { partnership { id } } }`,
					Variables: map[string]any{"in": map[string]any{"id": ids[i], "isDefault": true}}})
				if len(r.Errors) > 0 {
					errs <- fmt.Sprintf("update %d: %s %s", i, r.Errors[0].Code(), r.Errors[0].Message)
				}
			}()
			go func() {
				defer wg.Done()
				r := env.Do(t, pgtest.Request{Key: w.org.Write, Query: `mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) { partnership { id } } }`,
					Variables: map[string]any{"in": map[string]any{"partnerId": partners[n+i], "projectId": gid("Project", w.project.ID), "isDefault": true}}})
				if len(r.Errors) > 0 {
					errs <- fmt.Sprintf("create %d: %s %s", i, r.Errors[0].Code(), r.Errors[0].Message)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		var data struct {
			Node struct {
				Partnerships struct{ TotalCount int }
			}
		}
		env.Query(t, w.org.Read, `query($id: ID!) { node(id: $id) { ... on Project { partnerships(filter: {isDefault: true}) { totalCount } } } }`,
			map[string]any{"id": gid("Project", w.project.ID)}, &data)
		if c := data.Node.Partnerships.TotalCount; c != 1 {
			t.Fatalf("want one default, got %d", c)
		}
	})
}
