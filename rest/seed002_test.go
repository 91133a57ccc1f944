package rest_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

func TestSeed002PartnerCompanies(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Partner Network")
		ctx := context.Background()
		// The example asks for partner 36.
		env.Exec(t, `UPDATE partners SET id = 36 WHERE id = ?`, f.partner.ID)
		var names []string
		for i := range 12 {
			company, err := env.DB.CreateOrganization(ctx, fmt.Sprintf("SampleCompany %02d", i))
			check(t, err)
			_, err = env.DB.CreateRelationship(ctx, f.org.Actor(), pg.RelationshipCreate{PartnerID: 36, CompanyID: company.ID})
			check(t, err)
			names = append(names, company.Name)
		}
		type rel struct {
			RelationshipID *int64  `json:"RelationshipId"`
			CreatedUtc     *string `json:"CreatedUtc"`
			CompanyID      *int64  `json:"CompanyId"`
			CompanyName    *string `json:"CompanyName"`
		}
		t.Run("Example", func(t *testing.T) {
			r := c.do("GET", "/v1/Partners(36)/Relationships/Companies?$skip=1&$top=10", f.org.Read, "", "Accept", "application/json")
			r.expect(t, 200)
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			var got []rel
			r.json(t, &got)
			if len(got) != 10 {
				t.Fatalf("want 10 relationships, got %d", len(got))
			}
			for i, g := range got {
				if g.RelationshipID == nil || g.CompanyID == nil || g.CreatedUtc == nil || g.CompanyName == nil || *g.CompanyName != names[i+1] ||
					!regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`).MatchString(*g.CreatedUtc) {
					t.Fatalf("relationship %d: %+v", i, g)
				}
			}
		})
		t.Run("Defaults", func(t *testing.T) {
			var got []rel
			c.do("GET", "/v1/Partners(36)/Relationships/Companies", f.org.Read, "").json(t, &got)
			if len(got) != 12 {
				t.Fatalf("default $top 20 over 12 relationships: got %d", len(got))
			}
			c.do("GET", "/v1/Partners(36)/Relationships/Companies?$skip=11", f.org.Read, "").json(t, &got)
			if len(got) != 1 || *got[0].CompanyName != names[11] {
				t.Fatalf("$skip=11: %+v", got)
			}
		})
		stranger := newFixture(t, env, "Stranger")
		cases := []struct {
			name, path, key string
			status          int
			body            string
		}{
			{"UnknownPartner", "/v1/Partners(99999)/Relationships/Companies", f.org.Read, 404, `"Message":"Entity Not Found"`},
			{"AnotherOrganizations", "/v1/Partners(36)/Relationships/Companies", stranger.org.Read, 404, `"Message":"Entity Not Found"`},
			{"NotAPartnerID", "/v1/Partners(abc)/Relationships/Companies", f.org.Read, 404, `"Message":"Entity Not Found"`},
			{"NegativeSkip", "/v1/Partners(36)/Relationships/Companies?$skip=-1", f.org.Read, 400, `"ErrorCode":"BadRequest"`},
			{"TopTooLarge", "/v1/Partners(36)/Relationships/Companies?$top=101", f.org.Read, 400, `"ErrorCode":"BadRequest"`},
			{"TopNotANumber", "/v1/Partners(36)/Relationships/Companies?$top=ten", f.org.Read, 400, `"ErrorCode":"BadRequest"`},
			{"TopTwice", "/v1/Partners(36)/Relationships/Companies?$top=1&$top=2", f.org.Read, 400, `"ErrorCode":"BadRequest"`},
			{"SkipTwice", "/v1/Partners(36)/Relationships/Companies?$skip=1&$skip=1", f.org.Read, 400, `$skip may be given once.`},
			{"NoKey", "/v1/Partners(36)/Relationships/Companies", "", 401, `"ErrorCode":"Unauthorized"`},
			// Options the route does not take are refused, not ignored;
			// custom options (no $) are.
			{"Filter", "/v1/Partners(36)/Relationships/Companies?$filter=CompanyId%20eq%201", f.org.Read, 400, `$filter is not supported here; this route takes $skip and $top.`},
			{"OrderByBesideTop", "/v1/Partners(36)/Relationships/Companies?$top=1&$orderby=CompanyName&$count=true", f.org.Read, 400, `$count is not supported here`},
			{"CaseMatters", "/v1/Partners(36)/Relationships/Companies?$TOP=1", f.org.Read, 400, `$TOP is not supported here`},
			{"CustomOption", "/v1/Partners(36)/Relationships/Companies?$top=1&trace=on", f.org.Read, 200, `"CompanyName":`},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) { c.do("GET", tc.path, tc.key, "").expect(t, tc.status, tc.body) })
		}
	})
}
