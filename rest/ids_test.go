package rest_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// TestUUIDsInAnyCase sends every UUID a client may send (in bodies, paths,
// headers and GraphQL inputs) in upper case: each names the same record as
// its lower-case form (RFC 9562), and answers show the canonical lower case.
func TestUUIDsInAnyCase(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Acme")
		ctx := context.Background()
		a := f.org.Actor()
		stage, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Qualified", Position: 1})
		check(t, err)
		ps, err := env.DB.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: f.partner.ID})
		check(t, err)
		business := env.Org(t, "Business")
		up := strings.ToUpper

		t.Run("Seed001StageUUID", func(t *testing.T) {
			c.do("PATCH", fmt.Sprintf("/api/v1/partnerships/%d", ps.ID), f.org.Write, `{"stageUuid": "`+up(stage.UUID)+`"}`).expect(t, 200)
			got, err := env.DB.Partnership(ctx, a, ps.ID)
			check(t, err)
			if got.StageID == nil || *got.StageID != stage.ID {
				t.Fatalf("stage is %v, want %d", got.StageID, stage.ID)
			}
		})
		t.Run("Seed001CompanyPath", func(t *testing.T) {
			for _, company := range []string{fmt.Sprint(f.org.ID), f.org.UUID, up(f.org.UUID)} {
				c.do("PATCH", fmt.Sprintf("/api/v1/companies/%s/partnerships/%d", company, ps.ID), f.org.Write, `{"categoryId": null}`).expect(t, 200)
			}
			c.do("PATCH", fmt.Sprintf("/api/v1/companies/%s/partnerships/%d", up(business.UUID), ps.ID), f.org.Write, `{"categoryId": null}`).
				expect(t, 404, `{"error":"Partnership not found or not accessible"}`)
		})
		t.Run("Seed003Relationships", func(t *testing.T) {
			body := connectDoc("u", up(business.UUID), up(f.partner.UUID))
			c.do("POST", "/api/v1/partner_integrations/connect", f.org.Write, body, "Content-Type", "application/vnd.api+json").
				expect(t, 201, `"id":"`+business.UUID+`"`, `"id":"`+f.partner.UUID+`"`)
		})
		t.Run("Seed004Headers", func(t *testing.T) {
			target := env.Org(t, "Target")
			_, err := env.DB.GrantConnection(ctx, target.Actor(), pg.ConnectionGrant{GranteeOrganizationID: f.org.ID, Access: pg.PermissionWrite})
			check(t, err)
			r := c.do("POST", "/partners", f.org.Write, seed004Example, "Requester-Organization-ID", up(f.org.UUID), "Target-Organization-ID", up(target.UUID))
			r.expect(t, 200)
			var got struct{ ID string }
			r.json(t, &got)
			if got.ID != strings.ToLower(got.ID) {
				t.Fatalf("id %q is not canonical", got.ID)
			}
			if _, err := env.DB.PartnerByUUID(ctx, target.Actor(), got.ID); err != nil {
				t.Fatalf("the partner is not the target's: %v", err)
			}
		})
		t.Run("GraphQLInputs", func(t *testing.T) {
			var d struct {
				CreateRelationship struct {
					Relationship struct{ Company struct{ UUID string } }
				}
				UpdatePartnership struct {
					Partnership struct{ Stage struct{ UUID string } }
				}
				CreatePartnership struct {
					Partnership struct{ Partner struct{ UUID string } }
				}
			}
			env.Query(t, f.org.Write, `mutation($p: ID!, $pu: ID!, $c: ID!, $ps: ID!, $s: String!, $pr: ID!) {
				createRelationship(input: {partnerId: $p, companyId: $c}) { relationship { company { uuid } } }
				updatePartnership(input: {id: $ps, stageUuid: $s}) { partnership { stage { uuid } } }
				createPartnership(input: {partnerId: $pu, projectId: $pr}) { partnership { partner { uuid } } } }`,
				map[string]any{"p": gid("Partner", f.partner.ID), "pu": up(f.partner.UUID), "c": up(business.UUID), "ps": gid("Partnership", ps.ID),
					"s": up(stage.UUID), "pr": gid("Project", f.project.ID)}, &d)
			if d.CreateRelationship.Relationship.Company.UUID != business.UUID || d.UpdatePartnership.Partnership.Stage.UUID != stage.UUID ||
				d.CreatePartnership.Partnership.Partner.UUID != f.partner.UUID {
				t.Fatalf("answers: %+v", d)
			}
		})
	})
}

// TestImpossibleIDsAreNotFound names records by ids no record can have
// (zero, negative, too large, not a number): each route answers its own
// "not found", and never shows the GraphQL ID it would have made of them.
func TestImpossibleIDsAreNotFound(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Acme")
		business := env.Org(t, "Business")
		integration := func(businessID, partnerID string) string { return connectDoc("u", businessID, partnerID) }
		var cases []struct{ name, method, path, body, want string }
		add := func(name, method, path, body, want string) {
			cases = append(cases, struct{ name, method, path, body, want string }{name, method, path, body, want})
		}
		for _, id := range []string{"0", "-1", "99999999999999999999", "abc", "1.5"} {
			add("000/Get/"+id, "GET", "/v1/partnerships/"+id, "", `{"error":{"code":"NOT_FOUND"`)
			add("000/List/"+id, "GET", "/v1/projects/"+id+"/partnerships", "", `{"error":{"code":"NOT_FOUND"`)
			add("001/Patch/"+id, "PATCH", "/api/v1/partnerships/"+id, `{"tierId": null}`, `{"error":"Partnership not found or not accessible"}`)
			add("001/Company/"+id, "PATCH", "/api/v1/companies/"+id+"/partnerships/1", `{"tierId": null}`, `{"error":"Partnership not found or not accessible"}`)
			add("002/Partner/"+id, "GET", "/v1/Partners("+id+")/Relationships/Companies", "", `"Message":"Entity Not Found"`)
			if id != "1.5" {
				add("003/Partner/"+id, "POST", "/api/v1/partner_integrations/connect", integration(business.UUID, id), `"pointer":"/data/relationships/partner"`)
				add("003/Business/"+id, "POST", "/api/v1/partner_integrations/connect", integration(id, f.partner.UUID), `"pointer":"/data/relationships/business"`)
			}
		}
		base64ID := regexp.MustCompile(`[A-Za-z0-9_-]{8,}`)
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var header []string
				if strings.HasPrefix(tc.name, "003") {
					header = []string{"Content-Type", "application/vnd.api+json"}
				}
				r := c.do(tc.method, tc.path, f.org.Write, tc.body, header...)
				r.expect(t, 404, tc.want)
				for _, m := range base64ID.FindAllString(string(r.body), -1) {
					if b, err := base64.RawURLEncoding.DecodeString(m); err == nil && strings.Contains(string(b), ":") {
						t.Fatalf("the answer shows the GraphQL ID %s (%s): %s", m, b, r.body)
					}
				}
			})
		}
	})
}

// TestSeed003BusinessByIntegerID names the business by the integer id
// organizations have in the other seeds' paths, as partners already were:
// one the organization already knows (here, once connected by UUID). A
// stranger's integer id is not found, as a missing one is, so the counter
// cannot be walked to list the gateway's tenants.
func TestSeed003BusinessByIntegerID(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Acme")
		business := env.Org(t, "Business")
		stranger := env.Org(t, "Stranger")
		const jsonAPI = "application/vnd.api+json"
		c.do("POST", "/api/v1/partner_integrations/connect", f.org.Write, connectDoc("u", fmt.Sprint(stranger.ID), fmt.Sprint(f.partner.ID)), "Content-Type", jsonAPI).
			expect(t, 404, `"pointer":"/data/relationships/business"`)
		c.do("POST", "/api/v1/partner_integrations/connect", f.org.Write, connectDoc("u", business.UUID, fmt.Sprint(f.partner.ID)), "Content-Type", jsonAPI).
			expect(t, 201, `"business":{"data":{"id":"`+business.UUID+`","type":"business"}}`)
		body := connectDoc("u", fmt.Sprint(business.ID), fmt.Sprint(f.partner.ID))
		// The same integration, named by the business's integer id: it exists.
		c.do("POST", "/api/v1/partner_integrations/connect", f.org.Write, body, "Content-Type", jsonAPI).
			expect(t, 200, `"business":{"data":{"id":"`+business.UUID+`","type":"business"}}`)
		numeric := strings.Replace(body, fmt.Sprintf(`"id": "%d", "type": "business"`, business.ID), fmt.Sprintf(`"id": %d, "type": "business"`, business.ID), 1)
		c.do("DELETE", "/api/v1/partner_integrations/disconnect", f.org.Write, numeric, "Content-Type", jsonAPI).
			expect(t, 200, `"status":"disconnected"`)
	})
}
