package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"partnergraph/pgtest"
	"partnergraph/server"
)

// TestGraphQLTransportWS drives /graphql with a raw WebSocket client
// through the protocol's rules (graphql-ws PROTOCOL.md): each breach closes
// the socket with the protocol's code, and what the protocol allows works.
func TestGraphQLTransportWS(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) { c.WebsocketInitTimeout = 300 * time.Millisecond })
	org := env.Org(t, "Acme")
	initMsg := func(key string) wsMessage {
		p, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + key})
		return wsMessage{Type: "connection_init", Payload: p}
	}
	subscribe := func(id string) wsMessage {
		p, _ := json.Marshal(map[string]string{"query": `subscription { events { type } }`})
		return wsMessage{ID: id, Type: "subscribe", Payload: p}
	}
	query := func(id string) wsMessage {
		p, _ := json.Marshal(map[string]string{"query": `{ viewer { permission } }`})
		return wsMessage{ID: id, Type: "subscribe", Payload: p}
	}
	invalid := func(id string) wsMessage {
		p, _ := json.Marshal(map[string]string{"query": `subscription { events { typo } }`})
		return wsMessage{ID: id, Type: "subscribe", Payload: p}
	}
	cases := []struct {
		name string
		send []wsMessage
		// replies are the message types expected before the close.
		replies []string
		code    websocket.StatusCode
		reason  string
	}{
		{"NoConnectionInit", nil, nil, 4408, "Connection initialisation timeout"},
		{"PingBeforeInit", []wsMessage{{Type: "ping"}, initMsg(org.Read), {Type: "ping"}, {Type: "bogus"}}, []string{"pong", "connection_ack", "pong"}, 4400, ""},
		{"SubscribeBeforeInit", []wsMessage{subscribe("1")}, nil, 4401, "Unauthorized"},
		{"SecondConnectionInit", []wsMessage{initMsg(org.Read), initMsg(org.Read)}, []string{"connection_ack"}, 4429, "Too many initialisation requests"},
		{"DuplicateSubscriptionID", []wsMessage{initMsg(org.Read), subscribe("a"), subscribe("a")}, []string{"connection_ack"}, 4409, "Subscriber for a already exists"},
		{"UnknownMessageType", []wsMessage{initMsg(org.Read), {Type: "subscribe_all"}}, []string{"connection_ack"}, 4400, ""},
		{"ServerMessageFromClient", []wsMessage{initMsg(org.Read), {Type: "next", ID: "1"}}, []string{"connection_ack"}, 4400, ""},
		{"BadKey", []wsMessage{initMsg("pgk_nope")}, nil, 4403, "Forbidden"},
		// An id is free again once its operation completed.
		{"IDReusedAfterComplete", []wsMessage{initMsg(org.Read), query("q"), {Type: "ping"}, query("q"), {Type: "ping"}, {Type: "bogus"}},
			[]string{"connection_ack", "next", "complete", "pong", "next", "complete", "pong"}, 4400, ""},
		// Error ends the operation: "no further events will be sent",
		// complete included; its id is free again.
		{"ErrorIsTheLastMessage", []wsMessage{initMsg(org.Read), invalid("e"), {Type: "ping"}, invalid("e"), {Type: "ping"}, {Type: "bogus"}},
			[]string{"connection_ack", "error", "pong", "error", "pong"}, 4400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			url := "ws" + strings.TrimPrefix(env.Server.URL, "http") + "/graphql"
			conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.CloseNow()
			for _, m := range c.send {
				if err := wsjson.Write(ctx, conn, m); err != nil {
					break
				}
				if m.Type == "subscribe" || m.Type == "connection_init" {
					// Let the server take each in turn.
					time.Sleep(50 * time.Millisecond)
				}
			}
			var got []string
			for {
				var m wsMessage
				err := wsjson.Read(ctx, conn, &m)
				if err != nil {
					var ce websocket.CloseError
					if !errors.As(err, &ce) {
						t.Fatalf("want close %d, got %v after %v", c.code, err, got)
					}
					if ce.Code != c.code || (c.reason != "" && ce.Reason != c.reason) {
						t.Fatalf("closed with %d %q, want %d %q", ce.Code, ce.Reason, c.code, c.reason)
					}
					break
				}
				got = append(got, m.Type)
			}
			if strings.Join(got, ",") != strings.Join(c.replies, ",") {
				t.Fatalf("replies %v, want %v", got, c.replies)
			}
		})
	}
}

// TestEventStreamRefusesABadKey: over server-sent events a bad or missing
// key is 401 before the stream starts, as over POST, never a 200 stream
// carrying an error event.
func TestEventStreamRefusesABadKey(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	for _, key := range []string{"Bearer pgk_nope", ""} {
		h := map[string]string{"Content-Type": mediaJSON, "Accept": "text/event-stream"}
		if key != "" {
			h["Authorization"] = key
		}
		r := send(t, env.Server.URL, "POST", "/graphql", h, gql(`subscription { events { type } }`, nil))
		if r.status != 401 || r.header.Get("WWW-Authenticate") == "" || strings.Contains(string(r.raw), "event:") {
			t.Fatalf("key %q: %d %v %s", key, r.status, r.header, r.raw)
		}
	}
}
