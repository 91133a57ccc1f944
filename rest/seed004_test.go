package rest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// seed004Example is the request part of seed 004's schema example.
const seed004Example = `{
  "company_name": "<string>",
  "sales_amount": 1073741823,
  "partner_type": "customer",
  "email": "jsmith@example.com",
  "frequency": "<string>",
  "payment_terms": "<string>"
}`

func TestSeed004CreatePartner(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		requester := env.Org(t, "Requester")
		target := env.Org(t, "Target")
		headers := func(req, tgt string) []string {
			return []string{"Requester-Organization-ID", req, "Target-Organization-ID", tgt}
		}
		t.Run("Example", func(t *testing.T) {
			r := c.do("POST", "/partners", requester.Write, seed004Example, headers(requester.UUID, requester.UUID)...)
			r.expect(t, 200)
			var got map[string]any
			r.json(t, &got)
			want := map[string]any{"company_name": "<string>", "sales_amount": float64(1073741823), "partner_type": "customer",
				"email": "jsmith@example.com", "frequency": "<string>", "payment_terms": "<string>", "invitation_status": nil, "guest_organization_id": nil}
			for k, v := range want {
				if got[k] != v {
					t.Fatalf("%s = %v, want %v: %s", k, got[k], v, r.body)
				}
			}
			for _, k := range []string{"id", "created_at", "updated_at"} {
				if s, _ := got[k].(string); s == "" {
					t.Fatalf("%s missing: %s", k, r.body)
				}
			}
			if len(got) != 11 {
				t.Fatalf("want exactly the 11 documented fields: %s", r.body)
			}
			// The partner is there for GraphQL, by the UUID the shim returned.
			p, err := env.DB.PartnerByUUID(context.Background(), requester.Actor(), got["id"].(string))
			if err != nil || p.CompanyName != "<string>" {
				t.Fatalf("created partner not found: %v", err)
			}
		})
		t.Run("ValidationNamesEveryBadField", func(t *testing.T) {
			before := env.Snapshot(t, requester.ID)
			body := `{"company_name": "` + strings.Repeat("x", 101) + `", "sales_amount": 2147483648, "partner_type": "partner",
				"email": "not-an-email", "frequency": "", "payment_terms": 7}`
			r := c.do("POST", "/partners", requester.Write, body)
			r.expect(t, 422)
			var got struct {
				Detail []struct {
					Loc  []any  `json:"loc"`
					Msg  string `json:"msg"`
					Type string `json:"type"`
				} `json:"detail"`
			}
			r.json(t, &got)
			locs := map[string]string{}
			for _, d := range got.Detail {
				b, _ := json.Marshal(d.Loc)
				locs[string(b)] = d.Type
			}
			for loc, typ := range map[string]string{
				`["header","Requester-Organization-ID"]`: "missing", `["header","Target-Organization-ID"]`: "missing",
				`["body","company_name"]`: "string_too_long", `["body","sales_amount"]`: "less_than_equal", `["body","partner_type"]`: "enum",
				`["body","email"]`: "value_error", `["body","frequency"]`: "string_too_short", `["body","payment_terms"]`: "string_type",
			} {
				if locs[loc] != typ {
					t.Errorf("%s: type %q, want %q (all: %v)", loc, locs[loc], typ, locs)
				}
			}
			if env.Snapshot(t, requester.ID) != before {
				t.Fatal("a refused request changed data")
			}
		})
		cases := []struct {
			name, key, body string
			header          []string
			status          int
			contains        string
		}{
			{"MissingFields", requester.Write, `{}`, headers(requester.UUID, requester.UUID), 422, `"loc":["body","company_name"],"msg":"Field required","type":"missing"`},
			{"NotAnObject", requester.Write, `[1]`, headers(requester.UUID, requester.UUID), 422, `"type":"model_attributes_type"`},
			{"BadHeaderUUID", requester.Write, seed004Example, headers("nope", requester.UUID), 422, `"loc":["header","Requester-Organization-ID"]`},
			{"NegativeSales", requester.Write, strings.Replace(seed004Example, "1073741823", "-1", 1), headers(requester.UUID, requester.UUID), 422, `"greater_than_equal"`},
			{"FractionalSales", requester.Write, strings.Replace(seed004Example, "1073741823", "1.5", 1), headers(requester.UUID, requester.UUID), 422, `"int_parsing"`},
			{"WrongRequester", requester.Write, seed004Example, headers(target.UUID, target.UUID), 403, `"detail":"`},
			{"NoConnection", requester.Write, seed004Example, headers(requester.UUID, target.UUID), 403, `"detail":"`},
			{"NoKey", "", seed004Example, headers(requester.UUID, requester.UUID), 401, `"detail":"`},
			{"ReadKey", requester.Read, seed004Example, headers(requester.UUID, requester.UUID), 403, `"detail":"`},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := env.Snapshot(t, target.ID) + env.Snapshot(t, requester.ID)
				c.do("POST", "/partners", tc.key, tc.body, tc.header...).expect(t, tc.status, tc.contains)
				if env.Snapshot(t, target.ID)+env.Snapshot(t, requester.ID) != before {
					t.Fatal("a refused request changed data")
				}
			})
		}
		t.Run("ActsOnTheTargetWithAWriteConnection", func(t *testing.T) {
			_, err := env.DB.GrantConnection(context.Background(), target.Actor(), pg.ConnectionGrant{GranteeOrganizationID: requester.ID, Access: pg.PermissionWrite})
			check(t, err)
			r := c.do("POST", "/partners", requester.Write, seed004Example, headers(requester.UUID, target.UUID)...)
			r.expect(t, 200)
			var got struct{ ID string }
			r.json(t, &got)
			if _, err := env.DB.PartnerByUUID(context.Background(), target.Actor(), got.ID); err != nil {
				t.Fatalf("the partner is not the target's: %v", err)
			}
		})
	})
}
