package resolvers_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// TestAdminResourceEventsAreForAdmins: API keys, connections and webhook
// endpoints are listed to the organization's admins alone, so the events
// about them are too. A member's key, and another organization acting
// through a connection, read every other event (by list, by node and by
// subscription) but never these, which name keys and connections and carry
// webhook URLs (often secrets themselves).
func TestAdminResourceEventsAreForAdmins(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		partnerOrg := env.Org(t, "Connected")
		ctx := context.Background()
		_, member, err := env.DB.CreateAPIKey(ctx, w.org.Actor(), pg.APIKeyCreate{UserID: w.member.ID, Name: "member", Permission: pg.PermissionRead})
		pgtest.Must(t, err)

		// A member follows the events as they commit.
		sctx, stop := context.WithCancel(ctx)
		defer stop()
		streamed := make(chan string, 16)
		go pgtest.Subscribe(sctx, pgtest.WebSocket, env.Server.URL, member, `subscription { events { type } }`, func(d json.RawMessage) {
			var e struct{ Events struct{ Type string } }
			json.Unmarshal(d, &e)
			streamed <- e.Events.Type
		})
		time.Sleep(300 * time.Millisecond) // the subscription starts at the head

		env.Query(t, w.org.Write, `mutation($g: ID!) {
			k: createApiKey(input: {name: "ci", permission: READ}) { secret }
			c: grantConnection(input: {granteeOrganizationId: $g, access: READ}) { connection { id } }
			h: createWebhookEndpoint(input: {url: "https://127.0.0.1:1/hooks/T0/B0/secret-token"}) { secret }
			t: createTag(input: {name: "last"}) { tag { id } } }`, map[string]any{"g": partnerOrg.UUID}, nil)
		admin := []string{"api_key.created", "connection.granted", "webhook_endpoint.created"}

		type listed struct {
			Events struct {
				Nodes []struct{ ID, Type string }
			}
		}
		const list = `{ events(last: 100) { nodes { id type } } }`
		var all listed
		env.Query(t, w.org.Read, list, nil, &all)
		ids := map[string]string{}
		for _, n := range all.Events.Nodes {
			ids[n.Type] = n.ID
		}
		for _, typ := range append(admin, "tag.created") {
			if ids[typ] == "" {
				t.Fatalf("the admin's events lack %s: %+v", typ, all)
			}
		}

		readers := []struct {
			name, key string
			header    map[string]string
		}{
			{"Member", member, nil},
			{"ConnectedOrganization", partnerOrg.Write, map[string]string{"Target-Organization-ID": w.org.UUID}},
		}
		for _, rd := range readers {
			t.Run(rd.name, func(t *testing.T) {
				r := env.Do(t, pgtest.Request{Key: rd.key, Query: list, Header: rd.header})
				var got listed
				if err := json.Unmarshal(r.Data, &got); err != nil || len(r.Errors) > 0 {
					t.Fatalf("list: %+v %s", r.Errors, r.Data)
				}
				seen := map[string]bool{}
				for _, n := range got.Events.Nodes {
					seen[n.Type] = true
				}
				if !seen["tag.created"] {
					t.Fatalf("the other events must stay readable: %+v", got)
				}
				for _, typ := range admin {
					if seen[typ] {
						t.Errorf("%s lists %s", rd.name, typ)
					}
					r := env.Do(t, pgtest.Request{Key: rd.key, Query: `query($id: ID!) { node(id: $id) { id } }`,
						Variables: map[string]any{"id": ids[typ]}, Header: rd.header})
					if len(r.Errors) == 0 || r.Errors[0].Code() != "NOT_FOUND" {
						t.Errorf("%s reads %s by node: %+v %s", rd.name, typ, r.Errors, r.Data)
					}
				}
			})
		}

		var got []string
		for len(got) == 0 || got[len(got)-1] != "tag.created" {
			select {
			case typ := <-streamed:
				got = append(got, typ)
			case <-time.After(10 * time.Second):
				t.Fatalf("the member's subscription did not stream tag.created: %v", got)
			}
		}
		for _, typ := range admin {
			if slices.Contains(got, typ) {
				t.Errorf("a member's subscription streamed %s: %v", typ, got)
			}
		}
	})
}
