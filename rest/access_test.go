package rest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// probe is a request to a route whose path, query or body is also
// malformed, and the marks of its API's error format.
type probe struct {
	name, method, path, body string
	header                   []string
	// unauthenticated and forbidden are in the body of the route's 401
	// and 403.
	unauthenticated, forbidden string
}

func probes() []probe {
	const (
		e000_401 = `{"error":{"code":"UNAUTHENTICATED"`
		e000_403 = `{"error":{"code":"FORBIDDEN"`
		e001_401 = `{"error":"Invalid API key or insufficient permissions"}`
		e001_403 = `{"error":"Write access required for this operation"}`
		e003_401 = `"status":"401"`
		e003_403 = `"status":"403"`
	)
	jsonAPI := []string{"Content-Type", "application/vnd.api+json"}
	return []probe{
		{"000/Get", "GET", "/v1/partnerships/abc", "", nil, e000_401, ""},
		{"000/Patch", "PATCH", "/v1/partnerships/abc", `{"is_default": 1`, nil, e000_401, e000_403},
		{"000/Delete", "DELETE", "/v1/partnerships/0", "", nil, e000_401, e000_403},
		{"000/List", "GET", "/v1/projects/x/partnerships", "", nil, e000_401, ""},
		{"000/Create", "POST", "/v1/projects/x/partnerships", `{"is_default": "x"}`, nil, e000_401, e000_403},
		{"001/Patch", "PATCH", "/api/v1/partnerships/abc", `{"tierId": "x"}`, nil, e001_401, e001_403},
		{"001/PatchOfCompany", "PATCH", "/api/v1/companies/zz/partnerships/0", `{"tierId": "x"}`, nil, e001_401, e001_403},
		{"002/List", "GET", "/v1/Partners(0)/Relationships/Companies?$top=ten", "", nil, `"ErrorCode":"Unauthorized"`, ""},
		{"003/Connect", "POST", "/api/v1/partner_integrations/connect", `{"data": `, jsonAPI, e003_401, e003_403},
		{"003/Disconnect", "DELETE", "/api/v1/partner_integrations/disconnect", `{}`, jsonAPI, e003_401, e003_403},
		{"004/Create", "POST", "/partners", `{"company_name": ""}`, []string{"Requester-Organization-ID", "nope"}, `{"detail":"`, `{"detail":"`},
	}
}

// TestEveryRouteAuthenticatesThenAuthorizesFirst sends every route of
// every seed a malformed request without a valid key, then with a key that
// may only read: each is refused as such (401 with a Bearer challenge, or
// 403, in the route's format), never told what is wrong with its request.
func TestEveryRouteAuthenticatesThenAuthorizesFirst(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Owner")
		credentials := []struct{ name, authorization string }{
			{"NoKey", ""}, {"UnknownKey", "Bearer pgk_" + strings.Repeat("0", 40)}, {"OtherScheme", "Basic dXNlcjpwYXNz"},
		}
		for _, p := range probes() {
			for _, cred := range credentials {
				t.Run(p.name+"/"+cred.name, func(t *testing.T) {
					before := env.Snapshot(t, f.org.ID)
					header := append([]string{"Authorization", cred.authorization}, p.header...)
					r := c.do(p.method, p.path, "", p.body, header...)
					r.expect(t, 401, p.unauthenticated)
					if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
						t.Fatalf("401 without a Bearer challenge: %q", r.header.Get("WWW-Authenticate"))
					}
					if env.Snapshot(t, f.org.ID) != before {
						t.Fatal("a refused request changed data")
					}
				})
			}
			if p.forbidden == "" {
				continue // a route that only reads
			}
			t.Run(p.name+"/ReadKey", func(t *testing.T) {
				before := env.Snapshot(t, f.org.ID)
				header := p.header
				if strings.HasPrefix(p.path, "/partners") {
					// Organization headers are credentials: a malformed
					// one is the admission's to refuse (see TestSeed004).
					header = []string{"Requester-Organization-ID", f.org.UUID}
				}
				c.do(p.method, p.path, f.org.Read, p.body, header...).expect(t, 403, p.forbidden)
				if env.Snapshot(t, f.org.ID) != before {
					t.Fatal("a refused request changed data")
				}
			})
		}
		t.Run("004/ReadConnection", func(t *testing.T) {
			requester := env.Org(t, "Requester")
			_, err := env.DB.GrantConnection(context.Background(), f.org.Actor(), pg.ConnectionGrant{GranteeOrganizationID: requester.ID, Access: pg.PermissionRead})
			check(t, err)
			c.do("POST", "/partners", requester.Write, `{"company_name": ""}`, "Target-Organization-ID", f.org.UUID).
				expect(t, 403, `{"detail":"Write access required for this operation."}`)
		})
	})
}

// TestValidationBeforeNotFound: a malformed request naming a record that
// does not exist is told what is wrong with it (400 or 422) before it is
// told the record is not found.
func TestValidationBeforeNotFound(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Acme")
		for _, tc := range []struct {
			method, path, body string
			status             int
			want               string
		}{
			{"PATCH", "/v1/partnerships/0", `{"is_default": 1}`, 422, `"field":"is_default"`},
			{"PATCH", "/v1/partnerships/999999", `[true]`, 400, `"code":"BAD_USER_INPUT"`},
			{"POST", "/v1/projects/0/partnerships", `{"is_default": true}`, 422, `"field":"partner_id"`},
			{"PATCH", "/api/v1/partnerships/0", `{"tierId": "x"}`, 400, `{"error":"Invalid field values or stage UUID not found"}`},
			{"PATCH", "/api/v1/companies/999999/partnerships/999999", `{"tierId": "x"}`, 400, `{"error":"Invalid field values or stage UUID not found"}`},
			{"GET", "/v1/Partners(0)/Relationships/Companies?$top=ten", "", 400, `"ErrorCode":"BadRequest"`},
			{"POST", "/api/v1/partner_integrations/connect", connectDoc("", f.org.UUID, "0"), 422, `"pointer":"/data/attributes/integration_login"`},
		} {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				var header []string
				if strings.Contains(tc.path, "partner_integrations") {
					header = []string{"Content-Type", "application/vnd.api+json"}
				}
				c.do(tc.method, tc.path, f.org.Write, tc.body, header...).expect(t, tc.status, tc.want)
			})
		}
	})
}

// TestPartnerUsersThroughTheShim follows seed 000's partner users through
// the routes: they manage their partner's project partnerships and set
// their flags; seed 001's route, every member of which is the owner's
// pipeline, refuses them (before it would say what is wrong with a body).
func TestPartnerUsersThroughTheShim(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		owner := newFixture(t, env, "Owner")
		guest := env.Org(t, "Guest")
		ctx := context.Background()
		_, token, err := env.DB.InvitePartner(ctx, owner.org.Actor(), owner.partner.ID)
		check(t, err)
		_, err = env.DB.AcceptPartnerInvitation(ctx, guest.Actor(), token)
		check(t, err)
		tier, err := env.DB.CreateTier(ctx, owner.org.Actor(), pg.TierCreate{Name: "Gold", Rank: 1})
		check(t, err)
		projectPath := fmt.Sprintf("/v1/projects/%d/partnerships", owner.project.ID)

		// Before its partner has a partnership in the project, a partner
		// user lists none there, and may create one.
		c.do("GET", projectPath, guest.Read, "").expect(t, 200)
		if r := c.do("GET", projectPath, guest.Read, ""); strings.TrimSpace(string(r.body)) != "[]" {
			t.Fatalf("want [], got %s", r.body)
		}
		var created struct{ ID int64 }
		r := c.do("POST", projectPath, guest.Write, fmt.Sprintf(`{"partner_id": %d}`, owner.partner.ID))
		r.expect(t, 201)
		r.json(t, &created)
		path := fmt.Sprintf("/v1/partnerships/%d", created.ID)

		t.Run("OnePartnershipPerProject", func(t *testing.T) {
			before := env.Snapshot(t, owner.org.ID)
			for _, key := range []string{guest.Write, owner.org.Write} {
				c.do("POST", projectPath, key, fmt.Sprintf(`{"partner_id": %d, "is_default": true}`, owner.partner.ID)).
					expect(t, 409, `"code":"CONFLICT"`, `"field":"partner_id"`)
			}
			if env.Snapshot(t, owner.org.ID) != before {
				t.Fatal("a refused request changed data")
			}
		})
		t.Run("FlagsAreBooleans", func(t *testing.T) {
			before := env.Snapshot(t, owner.org.ID)
			for _, body := range []string{`{"is_support": null}`, `{"is_default": null}`, `{"is_support": "true"}`, `{"is_support": "1"}`, `{"is_support": 1}`} {
				c.do("PATCH", path, guest.Write, body).expect(t, 422, `"code":"BAD_USER_INPUT"`)
				c.do("POST", projectPath, guest.Write, fmt.Sprintf(`{"partner_id": %d, %s`, owner.partner.ID, body[1:])).expect(t, 422)
			}
			if env.Snapshot(t, owner.org.ID) != before {
				t.Fatal("a refused request changed data")
			}
			c.do("PATCH", path, guest.Write, `{"is_support": true, "is_default": true}`).expect(t, 200, `"is_support":1`, `"is_default":1`)
		})
		t.Run("Seed001RefusesThePipeline", func(t *testing.T) {
			before := env.Snapshot(t, owner.org.ID)
			// Every member of the route is pipeline: the route itself is the
			// owner's, an empty body included.
			for _, body := range []string{fmt.Sprintf(`{"tierId": %d}`, tier.ID), `{"tierId": null}`, `{"tierId": "x"}`, `{"assignedUsers": "x"}`, `{`, `{}`} {
				for _, p := range []string{"/api/v1/partnerships/%d", "/api/v1/companies/" + fmt.Sprint(guest.ID) + "/partnerships/%d"} {
					c.do("PATCH", fmt.Sprintf(p, created.ID), guest.Write, body).
						expect(t, 403, `{"error":"Write access required for this operation"}`)
				}
			}
			if env.Snapshot(t, owner.org.ID) != before {
				t.Fatal("a refused request changed data")
			}
			// The owner sets it.
			c.do("PATCH", fmt.Sprintf("/api/v1/partnerships/%d", created.ID), owner.org.Write, fmt.Sprintf(`{"tierId": %d}`, tier.ID)).expect(t, 200)
		})
		t.Run("ReadsButDoesNotChangeThePartnersIntegrations", func(t *testing.T) {
			business := env.Org(t, "Business")
			before := env.Snapshot(t, owner.org.ID)
			c.do("POST", "/api/v1/partner_integrations/connect", guest.Write, connectDoc("u", business.UUID, owner.partner.UUID),
				"Content-Type", "application/vnd.api+json").expect(t, 403, `"status":"403"`)
			if env.Snapshot(t, owner.org.ID) != before {
				t.Fatal("a refused request changed data")
			}
			c.do("GET", fmt.Sprintf("/v1/Partners(%d)/Relationships/Companies", owner.partner.ID), guest.Read, "").expect(t, 200)
		})
		t.Run("ListsItsOwn", func(t *testing.T) {
			c.do("GET", projectPath, guest.Read, "").expect(t, 200, fmt.Sprintf(`"id":%d`, created.ID))
		})
		c.do("DELETE", path, guest.Write, "").expect(t, 204)
	})
}
