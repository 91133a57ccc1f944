package rest_test

import (
	"context"
	"fmt"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// TestRepeatedRequestsChangeNothing sends each REST update twice with the
// same body. The first changes the record (a new updatedAt, an event); the
// repeat is answered as before but writes nothing: the partnership keeps
// its updatedAt and no event is added.
func TestRepeatedRequestsChangeNothing(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		org, _ := seed001World(t, env)
		f := newFixture(t, env, "Supplier Co")
		business := env.Org(t, "Business Inc")
		ctx := context.Background()
		own, err := env.DB.CreatePartnership(ctx, f.org.Actor(), pg.PartnershipCreate{PartnerID: f.partner.ID, ProjectID: &f.project.ID})
		check(t, err)
		_, _, err = env.DB.ConnectPartnerIntegration(ctx, f.org.Actor(), pg.IntegrationConnect{PartnerID: f.partner.ID, BusinessID: business.ID, Login: "l", Password: "p"})
		check(t, err)
		partnership := func(o *pgtest.Org, id int64) func() string {
			return func() string {
				var data struct{ Partnership struct{ UpdatedAt string } }
				env.Query(t, o.Read, `query($id: ID!) { partnership(id: $id) { updatedAt } }`, map[string]any{"id": gid("Partnership", id)}, &data)
				return data.Partnership.UpdatedAt
			}
		}
		integration := func() string {
			var data struct {
				PartnerIntegrations struct{ Nodes []struct{ UpdatedAt string } }
			}
			env.Query(t, f.org.Read, `{ partnerIntegrations { nodes { updatedAt } } }`, nil, &data)
			return fmt.Sprint(data.PartnerIntegrations.Nodes)
		}
		cases := []struct {
			name, method, path string
			org                *pgtest.Org
			body, contentType  string
			stamp              func() string
		}{
			{"Seed000PATCH", "PATCH", fmt.Sprintf("/v1/partnerships/%d", own.ID), f.org, `{"is_default": true, "is_support": true}`, "", partnership(f.org, own.ID)},
			{"Seed001PATCH", "PATCH", "/api/v1/partnerships/789", org, seed001Example, "", partnership(org, 789)},
			{"Seed001CompanyPATCH", "PATCH", "/api/v1/companies/123/partnerships/789", org,
				`{"tierId": null, "tags": [12, 10], "fallbackData": {"name": "TechCorp"}}`, "", partnership(org, 789)},
			{"Seed003Disconnect", "DELETE", "/api/v1/partner_integrations/disconnect", f.org,
				fmt.Sprintf(`{"data": {"type": "partner_integrations", "relationships": {"business": {"id": %q, "type": "business"}, "partner": {"id": %q, "type": "partner"}}}}`,
					business.UUID, f.partner.UUID), "application/vnd.api+json", integration},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				send := func() response {
					if tc.contentType != "" {
						return c.do(tc.method, tc.path, tc.org.Write, tc.body, "Content-Type", tc.contentType)
					}
					return c.do(tc.method, tc.path, tc.org.Write, tc.body)
				}
				events := countEvents(t, env, tc.org)
				first := send()
				first.expect(t, 200)
				changed := tc.stamp()
				if countEvents(t, env, tc.org) == events {
					t.Fatalf("the first request changed the record but wrote no event: %s", first.body)
				}
				events = countEvents(t, env, tc.org)
				send().expect(t, 200)
				if got := tc.stamp(); got != changed {
					t.Errorf("the repeated request moved updatedAt from %s to %s", changed, got)
				}
				if n := countEvents(t, env, tc.org); n != events {
					t.Errorf("the repeated request wrote %d events", n-events)
				}
			})
		}
	})
}

func countEvents(t *testing.T, env *pgtest.Env, org *pgtest.Org) int {
	t.Helper()
	var data struct{ Events struct{ TotalCount int } }
	env.Query(t, org.Read, `{ events { totalCount } }`, nil, &data)
	return data.Events.TotalCount
}
