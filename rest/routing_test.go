package rest_test

import (
	"fmt"
	"strings"
	"testing"

	"partnergraph/pgtest"
)

// TestUnknownPathsAndMethods: a path of one of the APIs that names no
// route (a trailing slash included), or a route's path with a method it
// does not take, is answered in that API's JSON error format, 404 or 405
// with Allow, never with Go's plain text.
func TestUnknownPathsAndMethods(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t, unchecked: true}
		f := newFixture(t, env, "Acme")
		const (
			e000 = `{"error":{"code":"`
			e001 = `{"error":"`
			e002 = `"Message":"`
			e003 = `{"errors":[{`
			e004 = `{"detail":"`
		)
		cases := []struct {
			method, path string
			status       int
			format       string
			allow        string
		}{
			{"GET", "/v1/partnerships/1/", 404, e000, ""},
			{"GET", "/v1/partnerships", 404, e000, ""},
			{"GET", "/v1/projects/1/partnerships/", 404, e000, ""},
			{"GET", "/v1/nothing", 404, e000, ""},
			{"GET", "/v1", 404, e000, ""},
			{"POST", "/v1/partnerships/1", 405, e000, "GET, HEAD, PATCH, DELETE, OPTIONS"},
			{"PUT", "/v1/projects/1/partnerships", 405, e000, "GET, HEAD, POST, OPTIONS"},
			{"PATCH", "/api/v1/partnerships/1/", 404, e001, ""},
			{"GET", "/api/v1/partnerships/1", 405, e001, "PATCH, OPTIONS"},
			{"DELETE", "/api/v1/companies/1/partnerships/1", 405, e001, "PATCH, OPTIONS"},
			{"GET", "/api/v2/partnerships/1", 404, e001, ""},
			{"GET", "/api", 404, e001, ""},
			{"GET", "/v1/Partners(1)/Relationships/Companies/", 404, e002, ""},
			{"GET", "/v1/Partners(1)/Relationships", 404, e002, ""},
			{"POST", "/v1/Partners(1)/Relationships/Companies", 405, e002, "GET, HEAD, OPTIONS"},
			{"POST", "/api/v1/partner_integrations/connect/", 404, e003, ""},
			{"GET", "/api/v1/partner_integrations/connect", 405, e003, "POST, OPTIONS"},
			{"POST", "/api/v1/partner_integrations/disconnect", 405, e003, "DELETE, OPTIONS"},
			{"POST", "/api/v1/partner_integrations", 404, e003, ""},
			{"POST", "/partners/", 404, e004, ""},
			{"POST", "/partners/abc", 404, e004, ""},
			{"GET", "/partners", 405, e004, "POST, OPTIONS"},
		}
		for _, tc := range cases {
			t.Run(tc.method+" "+tc.path, func(t *testing.T) {
				for _, key := range []string{f.org.Write, ""} {
					r := c.do(tc.method, tc.path, key, "")
					r.expect(t, tc.status, tc.format)
					if ct := r.header.Get("Content-Type"); !strings.Contains(ct, "json") {
						t.Fatalf("Content-Type %q", ct)
					}
					if got := r.header.Get("Allow"); got != tc.allow {
						t.Fatalf("Allow %q, want %q", got, tc.allow)
					}
				}
			})
		}
		t.Run("HEADOfAReadRoute", func(t *testing.T) {
			c.do("HEAD", fmt.Sprintf("/v1/projects/%d/partnerships", f.project.ID), f.org.Read, "").expect(t, 200)
		})
	})
}

// TestJSONAPIMediaTypes follows JSON:API 1.1's content negotiation on seed
// 003's routes: the media type may carry ext (with extensions the server
// supports: none) and profile; any other parameter, or an extension, is 415
// in a Content-Type and 406 in every JSON:API media type of an Accept.
func TestJSONAPIMediaTypes(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Acme")
		business := env.Org(t, "Business")
		body := connectDoc("u", business.UUID, f.partner.UUID)
		cases := []struct {
			name, contentType, accept string
			status                    int
		}{
			// The first creates the integration (201); the others connect it
			// again (200).
			{"Plain", "application/vnd.api+json", "", 201},
			{"JSON", "application/json", "application/json", 200},
			{"Profile", `application/vnd.api+json; profile="https://example.com/profiles/x"`, "", 200},
			{"EmptyExt", `application/vnd.api+json; ext=""`, "", 200},
			{"AcceptWithAProfile", "application/vnd.api+json", `application/vnd.api+json; profile="https://example.com/p"`, 200},
			{"AcceptOneUsable", "application/vnd.api+json", `application/vnd.api+json; charset=utf-8, application/vnd.api+json`, 200},
			{"AcceptWeighted", "application/vnd.api+json", `application/vnd.api+json; q=0.5`, 200},
			{"Charset", "application/vnd.api+json; charset=utf-8", "", 415},
			{"UnsupportedExt", `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic"`, "", 415},
			{"OtherParameter", `application/vnd.api+json; version=1`, "", 415},
			{"NotJSON", "text/plain", "", 415},
			{"AcceptOnlyWithParameters", "application/vnd.api+json", `application/vnd.api+json; charset=utf-8`, 406},
			{"AcceptOnlyWithExtensions", "application/vnd.api+json", `application/vnd.api+json; ext="https://jsonapi.org/ext/atomic", */*`, 406},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := env.Snapshot(t, f.org.ID)
				header := []string{"Content-Type", tc.contentType}
				if tc.accept != "" {
					header = append(header, "Accept", tc.accept)
				}
				r := c.do("POST", "/api/v1/partner_integrations/connect", f.org.Write, body, header...)
				r.expect(t, tc.status)
				if ct := r.header.Get("Content-Type"); ct != "application/vnd.api+json" {
					t.Fatalf("Content-Type %q", ct)
				}
				if tc.status >= 400 {
					r.expect(t, tc.status, `{"errors":[{`, fmt.Sprintf(`"status":"%d"`, tc.status))
					if env.Snapshot(t, f.org.ID) != before {
						t.Fatal("a refused request changed data")
					}
				}
			})
		}
	})
}
