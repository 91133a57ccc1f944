package rest_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"partnergraph/pgtest"
)

func TestSeed003PartnerIntegrations(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Supplier Co")
		business := env.Org(t, "Business Inc")
		const password = "s3cret-integration-password"
		doc := func(typ, login, pw, businessID, partnerID string) string {
			return fmt.Sprintf(`{"data": {"type": %q, "attributes": {"integration_login": %q, "integration_password": %s},
				"relationships": {"business": {"id": %q, "type": "business"}, "partner": {"id": %q, "type": "partner"}}}}`,
				typ, login, pw, businessID, partnerID)
		}
		send := func(method, path, key, body string) response {
			return c.do(method, path, key, body, "Content-Type", "application/vnd.api+json")
		}
		t.Run("Connect", func(t *testing.T) {
			r := send("POST", "/api/v1/partner_integrations/connect", f.org.Write, doc("partner_integrations", "api-user", `"`+password+`"`, business.UUID, f.partner.UUID))
			r.expect(t, 201, `"type":"partner_integrations"`, `"integration_login":"api-user"`, `"status":"connected"`,
				`"business":{"data":{"id":"`+business.UUID+`","type":"business"}}`)
			if strings.Contains(string(r.body), password) || strings.Contains(string(r.body), "password") {
				t.Fatalf("the response mentions the password: %s", r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/vnd.api+json" {
				t.Fatalf("Content-Type %q", ct)
			}
		})
		// events counts the organization's events of typ.
		events := func(typ string) int {
			var data struct{ Events struct{ TotalCount int } }
			env.Query(t, f.org.Read, `query($t: [String!]) { events(filter: {types: $t}) { totalCount } }`, map[string]any{"t": []string{typ}}, &data)
			return data.Events.TotalCount
		}
		t.Run("ConnectAgain", func(t *testing.T) {
			// Connected already, with the same credentials: the one that
			// exists, unchanged, and no event.
			connected, updated := events("integration.connected"), events("integration.updated")
			send("POST", "/api/v1/partner_integrations/connect", f.org.Write, doc("partner_integrations", "api-user", `"`+password+`"`, business.UUID, f.partner.UUID)).
				expect(t, 200, `"integration_login":"api-user"`, `"status":"connected"`)
			if events("integration.connected") != connected || events("integration.updated") != updated {
				t.Fatal("connecting with the same credentials wrote an event")
			}
			// New credentials: the same integration, updated, with one
			// integration.updated event and no second connected one.
			send("POST", "/api/v1/partner_integrations/connect", f.org.Write,
				doc("partner_integrations", "api-user-2", "12345", business.UUID, fmt.Sprint(f.partner.ID))).
				expect(t, 200, `"integration_login":"api-user-2"`)
			if events("integration.connected") != connected || events("integration.updated") != updated+1 {
				t.Fatalf("new credentials: %d connected events (want %d), %d updated (want %d)",
					events("integration.connected"), connected, events("integration.updated"), updated+1)
			}
		})
		t.Run("StandardJSONAPIRelationships", func(t *testing.T) {
			body := fmt.Sprintf(`{"data": {"type": "partner_integrations", "attributes": {"integration_login": "x", "integration_password": "y"},
				"relationships": {"business": {"data": {"id": %q, "type": "business"}}, "partner": {"data": {"id": %q, "type": "partner"}}}}}`, business.UUID, f.partner.UUID)
			send("POST", "/api/v1/partner_integrations/connect", f.org.Write, body).expect(t, 200, `"integration_login":"x"`)
		})
		t.Run("ConnectAfterDisconnect", func(t *testing.T) {
			// Disconnected, then connected again: the same integration
			// (200), connected anew (one connected event).
			send("DELETE", "/api/v1/partner_integrations/disconnect", f.org.Write, doc("partner_integrations", "x", `"y"`, business.UUID, f.partner.UUID)).
				expect(t, 200, `"status":"disconnected"`)
			connected := events("integration.connected")
			send("POST", "/api/v1/partner_integrations/connect", f.org.Write, doc("partner_integrations", "x", `"y"`, business.UUID, f.partner.UUID)).
				expect(t, 200, `"status":"connected"`)
			if events("integration.connected") != connected+1 {
				t.Fatal("connecting a disconnected integration wrote no connected event")
			}
		})
		stranger := newFixture(t, env, "Stranger")
		errs := []struct {
			name, key, body string
			status          int
			pointer         string
		}{
			{"WrongType", f.org.Write, doc("partners", "a", `"b"`, business.UUID, f.partner.UUID), 409, "/data/type"},
			{"MissingData", f.org.Write, `{}`, 422, "/data"},
			{"MissingLogin", f.org.Write, doc("partner_integrations", "", `"b"`, business.UUID, f.partner.UUID), 422, "/data/attributes/integration_login"},
			{"PasswordNotAString", f.org.Write, doc("partner_integrations", "a", `{"x":1}`, business.UUID, f.partner.UUID), 422, "/data/attributes/integration_password"},
			{"WrongBusinessType", f.org.Write, strings.Replace(doc("partner_integrations", "a", `"b"`, business.UUID, f.partner.UUID), `"type": "business"`, `"type": "company"`, 1), 409, "/data/relationships/business/type"},
			{"UnknownBusiness", f.org.Write, doc("partner_integrations", "a", `"b"`, "6c1f0a2e-1111-4222-8333-944455556666", f.partner.UUID), 404, "/data/relationships/business"},
			{"ImpossibleBusinessID", f.org.Write, doc("partner_integrations", "a", `"b"`, "not-an-org", f.partner.UUID), 404, "/data/relationships/business"},
			{"AnotherOrganizationsPartner", f.org.Write, doc("partner_integrations", "a", `"b"`, business.UUID, stranger.partner.UUID), 404, "/data/relationships/partner"},
			{"MalformedJSON", f.org.Write, `{"data": `, 400, "/"},
			{"ReadKey", f.org.Read, doc("partner_integrations", "a", `"b"`, business.UUID, f.partner.UUID), 403, ""},
			{"NoKey", "", doc("partner_integrations", "a", `"b"`, business.UUID, f.partner.UUID), 401, ""},
		}
		for _, tc := range errs {
			t.Run(tc.name, func(t *testing.T) {
				before := env.Snapshot(t, f.org.ID)
				r := send("POST", "/api/v1/partner_integrations/connect", tc.key, tc.body)
				r.expect(t, tc.status, `"errors":[{`, fmt.Sprintf(`"status":"%d"`, tc.status))
				if tc.pointer != "" {
					r.expect(t, tc.status, `"pointer":"`+tc.pointer+`"`)
				}
				if env.Snapshot(t, f.org.ID) != before {
					t.Fatal("a refused request changed data")
				}
			})
		}
		t.Run("WrongContentType", func(t *testing.T) {
			c.do("POST", "/api/v1/partner_integrations/connect", f.org.Write, "a=b", "Content-Type", "application/x-www-form-urlencoded").expect(t, http.StatusUnsupportedMediaType)
		})
		t.Run("OversizedBody", func(t *testing.T) {
			send("POST", "/api/v1/partner_integrations/connect", f.org.Write, `{"data": "`+strings.Repeat("x", 70000)+`"}`).expect(t, http.StatusRequestEntityTooLarge)
		})
		t.Run("Disconnect", func(t *testing.T) {
			body := fmt.Sprintf(`{"data": {"type": "partner_integrations", "relationships": {"business": {"id": %q, "type": "business"}, "partner": {"id": %q, "type": "partner"}}}}`,
				business.UUID, f.partner.UUID)
			send("DELETE", "/api/v1/partner_integrations/disconnect", f.org.Write, body).expect(t, 200, `"status":"disconnected"`, `"disconnected_at":"`)
			var data struct {
				PartnerIntegrations struct{ Nodes []struct{ Status string } }
			}
			env.Query(t, f.org.Read, `{ partnerIntegrations { nodes { status } } }`, nil, &data)
			if len(data.PartnerIntegrations.Nodes) != 1 || data.PartnerIntegrations.Nodes[0].Status != "DISCONNECTED" {
				t.Fatalf("GraphQL sees %+v", data)
			}
			send("DELETE", "/api/v1/partner_integrations/disconnect", stranger.org.Write, body).expect(t, 404, `"pointer":"/data/relationships/partner"`)
		})
	})
}
