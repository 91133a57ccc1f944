package rest_test

import (
	"fmt"
	"strings"
	"testing"

	"partnergraph/pgtest"
)

// TestBodiesTakeOnlyTheirDocumentsMembers: Go's decoder would take
// Tier_Id for tierId and the last of a member sent twice; every route
// refuses a member its seed does not name, in that case, and a member sent
// twice, in its own validation format, naming the member, and changes
// nothing.
func TestBodiesTakeOnlyTheirDocumentsMembers(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Owner")
		business := env.Org(t, "Business")
		created := c.do("POST", fmt.Sprintf("/v1/projects/%d/partnerships", f.project.ID), f.org.Write, fmt.Sprintf(`{"partner_id": %d}`, f.partner.ID))
		created.expect(t, 201)
		var p struct{ ID int64 }
		created.json(t, &p)
		jsonAPI := []string{"Content-Type", "application/vnd.api+json"}
		seed004 := []string{"Requester-Organization-ID", f.org.UUID, "Target-Organization-ID", f.org.UUID}
		connect := connectDoc("login", business.UUID, f.partner.UUID)
		partner := strings.TrimSuffix(seed004Example, "}")
		cases := []struct {
			name, method, path, body string
			header                   []string
			status                   int
			marks                    []string
		}{
			{"000/CreateWrongCase", "POST", fmt.Sprintf("/v1/projects/%d/partnerships", f.project.ID), fmt.Sprintf(`{"partner_id": %d, "Is_Default": true}`, f.partner.ID), nil,
				422, []string{`"field":"Is_Default"`, "case-sensitive"}},
			{"000/PatchTwice", "PATCH", fmt.Sprintf("/v1/partnerships/%d", p.ID), `{"is_default": true, "is_default": false}`, nil,
				422, []string{`"field":"is_default"`, "more than once"}},
			{"000/PatchUnknown", "PATCH", fmt.Sprintf("/v1/partnerships/%d", p.ID), `{"is_primary": true}`, nil,
				422, []string{`"field":"is_primary"`}},
			{"001/WrongCase", "PATCH", fmt.Sprintf("/api/v1/partnerships/%d", p.ID), `{"Tier_Id": 3}`, nil,
				400, []string{`{"error":"Invalid field values or stage UUID not found"}`}},
			{"001/Twice", "PATCH", fmt.Sprintf("/api/v1/partnerships/%d", p.ID), `{"tags": [], "tags": [1]}`, nil,
				400, []string{`{"error":"Invalid field values or stage UUID not found"}`}},
			{"001/NestedWrongCase", "PATCH", fmt.Sprintf("/api/v1/partnerships/%d", p.ID), `{"fallbackData": {"Name": "x"}}`, nil,
				400, []string{`{"error":"Invalid field values or stage UUID not found"}`}},
			{"001/CustomFieldValue", "PATCH", fmt.Sprintf("/api/v1/partnerships/%d", p.ID), `{"customFields": [{"customFieldId": 1, "CustomFieldId": 2, "value": {"text": "x"}}]}`, nil,
				400, []string{`{"error":"Invalid field values or stage UUID not found"}`}},
			{"003/AttributeWrongCase", "POST", "/api/v1/partner_integrations/connect", strings.Replace(connect, `"integration_login"`, `"Integration_Login"`, 1), jsonAPI,
				422, []string{`"pointer":"/data/attributes/Integration_Login"`, "case-sensitive"}},
			{"003/TypeTwice", "POST", "/api/v1/partner_integrations/connect", strings.Replace(connect, `"type": "partner_integrations"`, `"type": "x", "type": "partner_integrations"`, 1), jsonAPI,
				422, []string{`"pointer":"/data/type"`, "more than once"}},
			{"003/DisconnectRelationshipWrongCase", "DELETE", "/api/v1/partner_integrations/disconnect", strings.Replace(connect, `"partner": {`, `"Partner": {`, 1), jsonAPI,
				422, []string{`"pointer":"/data/relationships/Partner"`}},
			{"004/WrongCase", "POST", "/partners", partner + `, "Company_Name": "x"}`, seed004,
				422, []string{`{"loc":["body","Company_Name"],"msg":"Extra inputs are not permitted","type":"extra_forbidden"}`}},
			{"004/Twice", "POST", "/partners", partner + `, "sales_amount": 1}`, seed004,
				422, []string{`"loc":["body","sales_amount"]`, "more than once"}},
		}
		before := env.Snapshot(t, f.org.ID)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c.do(tc.method, tc.path, f.org.Write, tc.body, tc.header...).expect(t, tc.status, tc.marks...)
			})
		}
		if after := env.Snapshot(t, f.org.ID); after != before {
			t.Fatalf("a refused body changed the organization:\n%s\n%s", before, after)
		}
		// The documents' own bodies still pass.
		c.do("PATCH", fmt.Sprintf("/v1/partnerships/%d", p.ID), f.org.Write, `{"is_default": true, "is_support": false}`).expect(t, 200)
		c.do("POST", "/api/v1/partner_integrations/connect", f.org.Write, connect, jsonAPI...).expect(t, 201)
	})
}
