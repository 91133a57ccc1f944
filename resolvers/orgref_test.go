package resolvers_test

import (
	"strings"
	"testing"

	"partnergraph/pgtest"
)

// TestOtherOrganizationsAreNotEnumerable: an organization's global ID
// (and the integer id REST paths take) is a counter, so naming another
// organization by it would list every tenant of the gateway, name and
// UUID, one guess at a time. Inputs that name another organization take
// one the caller already knows by it (its own, or one its records name);
// a new one is named by its UUID, which its owner hands out (seed 004's
// headers). A stranger's global ID is "not found", as a missing one is.
func TestOtherOrganizationsAreNotEnumerable(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		stranger := env.Org(t, "Stranger")
		known := env.Org(t, "Known")
		partners := []string{gid("Partner", w.partner(t, env, "TechCorp").ID), gid("Partner", w.partner(t, env, "Globex").ID)}
		mutations := []struct{ name, query, field string }{
			{"Relationship", `mutation($org: ID!, $p: ID!) { createRelationship(input: {partnerId: $p, companyId: $org}) { relationship { company { name uuid } } } }`, "companyId"},
			{"Integration", `mutation($org: ID!, $p: ID!) { connectPartnerIntegration(input: {partnerId: $p, businessId: $org, login: "l", password: "p"}) { partnerIntegration { business { name uuid } } } }`, "businessId"},
			{"Connection", `mutation($org: ID!) { grantConnection(input: {granteeOrganizationId: $org, access: READ}) { connection { grantee { name uuid } } } }`, "granteeOrganizationId"},
		}
		for _, m := range mutations {
			t.Run(m.name, func(t *testing.T) {
				vars := func(org string, p ...string) map[string]any {
					return map[string]any{"org": org, "p": append(p, partners[0])[0]}
				}
				for _, org := range []string{gid("Organization", stranger.ID), gid("Organization", 1<<40)} {
					e := env.MustFail(t, w.org.Write, m.query, vars(org), "NOT_FOUND", m.field)
					if e.Message != "Organization not found." {
						t.Fatalf("a stranger's ID and a missing one must read alike, got %q", e.Message)
					}
				}
				// By UUID, any organization; by ID, one already known
				// (the organization itself, or one it has named).
				env.Query(t, w.org.Write, m.query, vars(known.UUID), nil)
				env.Query(t, w.org.Write, m.query, vars(gid("Organization", known.ID), partners[1]), nil)
			})
		}
		if snap := env.Snapshot(t, w.org.ID); strings.Contains(snap, stranger.UUID) {
			t.Fatalf("the stranger was linked: %s", snap)
		}
	})
}
