package resolvers_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// eventsSeen lists the organization's events of types, oldest first, as
// its admin pages them over HTTP.
func eventsSeen(t *testing.T, env *pgtest.Env, key string, types ...string) []struct {
	Type, ResourceID string
	Payload          json.RawMessage
} {
	t.Helper()
	var out struct {
		Events struct {
			Nodes []struct {
				Type, ResourceID string
				Payload          json.RawMessage
			}
		}
	}
	env.Query(t, key, `query($types: [String!]) { events(first: 100, filter: {types: $types}) { nodes { type resourceId payload } } }`,
		map[string]any{"types": types}, &out)
	return out.Events.Nodes
}

// TestDeletingAPartnerAnnouncesItsRecords deletes a partner with a
// relationship and two integrations (one connected, one disconnected): the
// database deletes them with it, and each has its event, before the
// partner's own, once.
func TestDeletingAPartnerAnnouncesItsRecords(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Owner")
		company, business := env.Org(t, "Company"), env.Org(t, "Business")
		partner := gid(pg.TypePartner, w.partner(t, env, "Doomed").ID)
		var rel struct {
			CreateRelationship struct{ Relationship struct{ ID string } }
		}
		env.Query(t, w.org.Write, `mutation($p: ID!, $c: ID!) { createRelationship(input: {partnerId: $p, companyId: $c}) { relationship { id } } }`,
			map[string]any{"p": partner, "c": company.UUID}, &rel)
		var integrations []string
		for _, b := range []string{business.UUID, company.UUID} {
			var made struct {
				ConnectPartnerIntegration struct{ PartnerIntegration struct{ ID string } }
			}
			env.Query(t, w.org.Write, `mutation($p: ID!, $b: ID!) { connectPartnerIntegration(input: {partnerId: $p, businessId: $b, login: "l", password: "pw"}) { partnerIntegration { id } } }`,
				map[string]any{"p": partner, "b": b}, &made)
			integrations = append(integrations, made.ConnectPartnerIntegration.PartnerIntegration.ID)
		}
		env.Query(t, w.org.Write, `mutation($p: ID!, $b: ID!) { disconnectPartnerIntegration(input: {partnerId: $p, businessId: $b}) { partnerIntegration { id } } }`,
			map[string]any{"p": partner, "b": company.UUID}, nil)
		env.Query(t, w.org.Write, `mutation($id: ID!) { deletePartner(input: {id: $id}) { deletedId } }`, map[string]any{"id": partner}, nil)

		var got []string
		for _, e := range eventsSeen(t, env, w.org.Read, "relationship.deleted", "integration.deleted", "partner.deleted") {
			got = append(got, e.Type+" "+e.ResourceID)
		}
		want := []string{"relationship.deleted " + rel.CreateRelationship.Relationship.ID,
			"integration.deleted " + integrations[0], "integration.deleted " + integrations[1], "partner.deleted " + partner}
		if !slices.Equal(got, want) {
			t.Fatalf("events %q, want %q", got, want)
		}
	})
}

// TestDeletingAStageAnnouncesTheStagesLeadingToIt deletes a stage other
// stages allow moving to: the database takes it off their allowed next
// stages, and each has its stage.updated event with the change; a stage
// that did not allow it has none.
func TestDeletingAStageAnnouncesTheStagesLeadingToIt(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Owner")
		// qualified allows won and lost; lead allows qualified.
		before := eventsSeen(t, env, w.org.Read, "stage.updated")
		env.Query(t, w.org.Write, `mutation($id: ID!) { deleteStage(input: {id: $id}) { deletedId } }`,
			map[string]any{"id": gid(pg.TypeStage, w.won.ID)}, nil)
		events := eventsSeen(t, env, w.org.Read, "stage.updated")[len(before):]
		if len(events) != 1 || events[0].ResourceID != gid(pg.TypeStage, w.qualified.ID) {
			t.Fatalf("stage.updated events %+v, want one of the stage that allowed the deleted one", events)
		}
		var payload struct{ Changes map[string]json.RawMessage }
		pgtest.Must(t, json.Unmarshal(events[0].Payload, &payload))
		want := fmt.Sprintf(`{"from":[%d,%d],"to":[%d]}`, min(w.won.ID, w.lost.ID), max(w.won.ID, w.lost.ID), w.lost.ID)
		if got := string(payload.Changes["allowedNextStageIds"]); got != want {
			t.Fatalf("allowedNextStageIds change %s, want %s: %s", got, want, events[0].Payload)
		}
		var out struct {
			Node struct {
				UpdatedAt         string
				AllowedNextStages []struct{ Name string }
			}
		}
		env.Query(t, w.org.Read, `query($id: ID!) { node(id: $id) { ... on Stage { updatedAt allowedNextStages { name } } } }`,
			map[string]any{"id": gid(pg.TypeStage, w.qualified.ID)}, &out)
		if len(out.Node.AllowedNextStages) != 1 || out.Node.UpdatedAt == w.qualified.UpdatedAt.Format("2006-01-02T15:04:05.999999999Z07:00") {
			t.Fatalf("the stage that allowed it: %+v (updatedAt was %v)", out.Node, w.qualified.UpdatedAt)
		}
	})
}
