package resolvers_test

import (
	"fmt"
	"testing"

	"partnergraph/pgtest"
)

// TestValidationReportsEveryField: an input the domain refuses is one
// BAD_USER_INPUT error naming its first bad field in extensions.field and
// every bad field, with its reason and limit, in extensions.fields.
func TestValidationReportsEveryField(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		before := env.Snapshot(t, w.org.ID)
		e := env.MustFail(t, w.org.Write, `mutation($in: CreatePartnerInput!) { createPartner(input: $in) { partner { id } } }`,
			map[string]any{"in": map[string]any{"companyName": "", "email": "not-an-email", "partnerType": "CUSTOMER", "salesAmount": -1,
				"frequency": "monthly", "paymentTerms": "net 30", "websiteUrl": "ftp://x.example"}}, "BAD_USER_INPUT", "companyName")
		fields, _ := e.Extensions["fields"].([]any)
		want := []struct {
			field, reason string
			limit         float64
		}{{"companyName", "REQUIRED", 1}, {"email", "INVALID_FORMAT", -1}, {"salesAmount", "BELOW_MINIMUM", 0}, {"websiteUrl", "INVALID_FORMAT", -1}}
		if len(fields) != len(want) {
			t.Fatalf("extensions.fields: %+v", e.Extensions)
		}
		for i, w := range want {
			f, _ := fields[i].(map[string]any)
			limit, hasLimit := f["limit"].(float64)
			if f["field"] != w.field || f["reason"] != w.reason || f["message"] == "" || hasLimit != (w.limit >= 0) || (hasLimit && limit != w.limit) {
				t.Errorf("fields[%d] = %v, want %+v", i, f, w)
			}
		}
		if env.Snapshot(t, w.org.ID) != before {
			t.Fatal("a refused input changed data")
		}
	})
}

// TestListInputsAreBounded: every list an input carries holds at most 100
// items. Unbounded, a list of 70,000 event types (half a megabyte of
// variables) went into one SQL statement past PostgreSQL's 65,535
// parameters and came back INTERNAL, and lists were read back unbounded
// (thousands of tags on each of a hundred partnerships). Past the bound it is BAD_USER_INPUT naming the list, with
// reason TOO_LONG and the limit, and nothing is written; at the bound the
// list is taken.
func TestListInputsAreBounded(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		ps := gid("Partnership", w.partnership(t, env, w.partner(t, env, "TechCorp")).ID)
		ids := func(typ string, n int) []string {
			out := make([]string, n)
			for i := range out {
				out[i] = gid(typ, int64(i+1))
			}
			return out
		}
		ints := func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i + 1
			}
			return out
		}
		options := func(n int) []map[string]any {
			out := make([]map[string]any, n)
			for i := range out {
				out[i] = map[string]any{"id": i + 1, "label": fmt.Sprint("option ", i+1)}
			}
			return out
		}
		values := func(n int) []map[string]any {
			out := make([]map[string]any, n)
			for i := range out {
				out[i] = map[string]any{"customFieldId": gid("CustomField", w.text.ID), "text": "x"}
			}
			return out
		}
		cases := []struct {
			name, query, field string
			input              func(n int) map[string]any
		}{
			{"TagIDs", updatePartnership, "tagIds", func(n int) map[string]any { return map[string]any{"id": ps, "tagIds": ids("Tag", n)} }},
			{"AssignedUserIDs", updatePartnership, "assignedUserIds", func(n int) map[string]any {
				return map[string]any{"id": ps, "assignedUserIds": ids("User", n)}
			}},
			{"CustomFields", updatePartnership, "customFields", func(n int) map[string]any { return map[string]any{"id": ps, "customFields": values(n)} }},
			{"MultiSelect", updatePartnership, "customFields.0.multiSelect", func(n int) map[string]any {
				return map[string]any{"id": ps, "customFields": []map[string]any{{"customFieldId": gid("CustomField", w.multi.ID), "multiSelect": ints(n)}}}
			}},
			{"CreatePartnershipTagIDs", `mutation($input: CreatePartnershipInput!) { createPartnership(input: $input) { partnership { id } } }`, "tagIds",
				func(n int) map[string]any {
					return map[string]any{"partnerId": gid("Partner", w.partner(t, env, fmt.Sprint("P", n)).ID), "tagIds": ids("Tag", n)}
				}},
			{"AllowedNextStageIDs", `mutation($input: UpdateStageInput!) { updateStage(input: $input) { stage { id } } }`, "allowedNextStageIds",
				func(n int) map[string]any {
					return map[string]any{"id": gid("Stage", w.lead.ID), "allowedNextStageIds": ids("Stage", n)}
				}},
			{"CreateStage", `mutation($input: CreateStageInput!) { createStage(input: $input) { stage { id } } }`, "allowedNextStageIds",
				func(n int) map[string]any {
					return map[string]any{"name": fmt.Sprint("S", n), "allowedNextStageIds": ids("Stage", n)}
				}},
			{"Options", `mutation($input: CreateCustomFieldInput!) { createCustomField(input: $input) { customField { id } } }`, "options",
				func(n int) map[string]any {
					return map[string]any{"name": fmt.Sprint("F", n), "type": "SELECT", "options": options(n)}
				}},
			{"UpdateOptions", `mutation($input: UpdateCustomFieldInput!) { updateCustomField(input: $input) { customField { id } } }`, "options",
				func(n int) map[string]any {
					return map[string]any{"id": gid("CustomField", w.single.ID), "options": options(n)}
				}},
			{"WebhookEventTypes", `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { webhookEndpoint { id } } }`, "eventTypes",
				func(n int) map[string]any {
					types := make([]string, n)
					for i := range types {
						types[i] = fmt.Sprint("partnership.t", i)
					}
					return map[string]any{"url": "https://127.0.0.1:1/hook", "eventTypes": types}
				}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, n := range []int{101, 5000} {
					input := c.input(n)
					before := env.Snapshot(t, w.org.ID)
					e := env.MustFail(t, w.org.Write, c.query, map[string]any{"input": input}, "BAD_USER_INPUT", c.field)
					fields, _ := e.Extensions["fields"].([]any)
					f, _ := append(fields, nil)[0].(map[string]any)
					if f["reason"] != "TOO_LONG" || f["limit"] != float64(100) {
						t.Fatalf("%d items: want reason TOO_LONG, limit 100: %+v", n, e.Extensions)
					}
					if env.Snapshot(t, w.org.ID) != before {
						t.Fatalf("a refused input changed data")
					}
				}
				// At the bound, the list's size is not what is refused.
				r := env.Do(t, pgtest.Request{Key: w.org.Write, Query: c.query, Variables: map[string]any{"input": c.input(100)}})
				for _, e := range r.Errors {
					fs, _ := e.Extensions["fields"].([]any)
					for _, f := range fs {
						if f, _ := f.(map[string]any); f["reason"] == "TOO_LONG" {
							t.Fatalf("100 items refused: %+v", e)
						}
					}
				}
			})
		}
		t.Run("EventFilterTypes", func(t *testing.T) {
			for _, n := range []int{101, 70000} {
				types := make([]string, n)
				for i := range types {
					types[i] = "tag.created"
				}
				env.MustFail(t, w.org.Read, `query($t: [String!]) { events(first: 1, filter: {types: $t}) { nodes { id } } }`, map[string]any{"t": types}, "BAD_USER_INPUT", "filter.types")
			}
		})
	})
}
