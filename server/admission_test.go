package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket/wsjson"

	"partnergraph/pgtest"
	"partnergraph/server"
)

// TestEveryTransportIsAdmitted: GraphQL over HTTP, server-sent events,
// WebSocket and the REST shim all pass the one admission step. Without a
// valid key, each is refused before anything of its request is read; with
// every execution slot taken, each operation waits for one and is answered
// busy in its own format.
func TestEveryTransportIsAdmitted(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) {
		c.MaxInFlight = 1
		c.RequestTimeout = 200 * time.Millisecond
	})
	org := env.Org(t, "Acme")

	t.Run("KeyFirst", func(t *testing.T) {
		cases := []struct {
			name, method, path, contentType, accept, body string
			status                                        int
			want                                          string
		}{
			{"GraphQLMalformedBody", "POST", "/graphql", mediaJSON, "", `{"query": `, 401, `"UNAUTHENTICATED"`},
			{"GraphQLWrongContentType", "POST", "/graphql", "text/plain", "", `x`, 401, `"UNAUTHENTICATED"`},
			{"GraphQLUnacceptable", "POST", "/graphql", mediaJSON, "text/html", `{}`, 401, `"UNAUTHENTICATED"`},
			{"GraphQLGet", "GET", "/graphql?query=%7B", "", "", "", 401, `"UNAUTHENTICATED"`},
			{"EventStream", "POST", "/graphql", mediaJSON, "text/event-stream", `{"query":"subscription { events { type } }"}`, 401, `"UNAUTHENTICATED"`},
			{"Seed001BadBody", "PATCH", "/api/v1/partnerships/1", mediaJSON, "", `{"tierId": "x"}`, 401, `"Invalid API key or insufficient permissions"`},
			{"Seed004IncompleteBody", "POST", "/partners", mediaJSON, "", `{}`, 401, `"detail"`},
			{"Seed000WrongContentType", "POST", "/v1/projects/1/partnerships", "text/plain", "", `x`, 401, `"UNAUTHENTICATED"`},
		}
		for _, c := range cases {
			for _, key := range []string{"", "Bearer pgk_unknown"} {
				t.Run(c.name+map[bool]string{true: "NoKey", false: "UnknownKey"}[key == ""], func(t *testing.T) {
					h := map[string]string{"Content-Type": c.contentType, "Accept": c.accept, "Authorization": key}
					r := send(t, env.Server.URL, c.method, c.path, h, c.body)
					if r.status != c.status || !strings.Contains(string(r.raw), c.want) {
						t.Fatalf("status %d: %s", r.status, r.raw)
					}
					challenge := r.header.Get("WWW-Authenticate")
					if !strings.HasPrefix(challenge, "Bearer ") || (key != "") != strings.Contains(challenge, "invalid_token") {
						t.Fatalf("WWW-Authenticate %q", challenge)
					}
				})
			}
		}
	})

	release := env.Gateway.HoldSlot() // an operation executing
	defer release()
	t.Run("BusyREST", func(t *testing.T) {
		r := send(t, env.Server.URL, "GET", "/v1/projects/1/partnerships", map[string]string{"Authorization": "Bearer " + org.Read}, "")
		if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(string(r.raw), `"UNAVAILABLE"`) {
			t.Fatalf("status %d %v: %s", r.status, r.header, r.raw)
		}
	})
	t.Run("BusyWebSocket", func(t *testing.T) {
		conn, ctx := dial(t, env, org.Read)
		var ack wsMessage
		if err := wsjson.Read(ctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
			t.Fatalf("no ack: %v %+v", err, ack)
		}
		query, _ := json.Marshal(map[string]string{"query": "{ viewer { permission } }"})
		if err := wsjson.Write(ctx, conn, wsMessage{ID: "1", Type: "subscribe", Payload: query}); err != nil {
			t.Fatal(err)
		}
		var msg wsMessage
		for msg.Type != "next" && msg.Type != "error" {
			if err := wsjson.Read(ctx, conn, &msg); err != nil {
				t.Fatal(err)
			}
		}
		if !strings.Contains(string(msg.Payload), `"UNAVAILABLE"`) || strings.Contains(string(msg.Payload), "READ") {
			t.Fatalf("a query over a WebSocket ran on a full server: %s %s", msg.Type, msg.Payload)
		}
	})
}
