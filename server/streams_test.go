package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket/wsjson"

	pg "partnergraph"
	"partnergraph/feed"
	"partnergraph/pgtest"
	"partnergraph/resolvers"
	"partnergraph/server"
)

// TestSubscriptionsPerKeyAreBounded: each open subscription holds a
// goroutine and a buffer of events, and costs its key a couple of points
// once; unbounded, one key could open tens of thousands on one socket and
// hold the process's memory for good. A key holds
// at most --max-subscriptions-per-key open at once in a process; the next
// is RATE_LIMITED, another key is not affected, and ending one makes room.
func TestSubscriptionsPerKeyAreBounded(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) { c.MaxSubscriptionsPerKey = 3 })
	org := env.Org(t, "Acme")
	conn, ctx := dial(t, env, org.Read)
	var ack wsMessage
	if err := wsjson.Read(ctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v %v", ack, err)
	}
	sub, _ := json.Marshal(map[string]string{"query": `subscription { events { type } }`})
	subscribe := func(id string) {
		if err := wsjson.Write(ctx, conn, wsMessage{ID: id, Type: "subscribe", Payload: sub}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 4 {
		subscribe(fmt.Sprint(i))
	}
	// One of the four is refused at once (they start concurrently, in no
	// promised order) and completed; the other three stay open.
	var refused string
	for refused == "" {
		var m wsMessage
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			t.Fatalf("waiting for a refusal: %v", err)
		}
		if m.Type != "next" || !strings.Contains(string(m.Payload), "RATE_LIMITED") {
			t.Fatalf("want one subscription RATE_LIMITED, got %s %s %s", m.ID, m.Type, m.Payload)
		}
		refused = m.ID
	}
	var end wsMessage
	if err := wsjson.Read(ctx, conn, &end); err != nil || end.ID != refused || end.Type != "complete" {
		t.Fatalf("want the refused subscription completed, got %+v %v", end, err)
	}
	admitted := []string{}
	for i := range 4 {
		if id := fmt.Sprint(i); id != refused {
			admitted = append(admitted, id)
		}
	}
	// Another key has its own share.
	if err := pgtest.Post(ctx, env.Server.URL, org.Write, `{ __typename }`, nil, nil); err != nil {
		t.Fatal(err)
	}
	other, octx := dial(t, env, org.Write)
	wsjson.Read(octx, other, &ack)
	if err := wsjson.Write(octx, other, wsMessage{ID: "a", Type: "subscribe", Payload: sub}); err != nil {
		t.Fatal(err)
	}
	// Ending one makes room for the next.
	if err := wsjson.Write(ctx, conn, wsMessage{ID: admitted[0], Type: "complete"}); err != nil {
		t.Fatal(err)
	}
	// Two of the key's and the other key's one stay open.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(string(scrape(t, env)), "\npartnergraph_subscriptions 3\n") {
		if time.Now().After(deadline) {
			t.Fatalf("the completed subscription still counts: %s", scrape(t, env))
		}
		time.Sleep(20 * time.Millisecond)
	}
	subscribe("4")
	// A subscription starts at the feed's position when the server has set
	// it up, which the client cannot observe; so tags keep being created
	// until every open subscription has seen one.
	done := make(chan struct{})
	defer close(done)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(200 * time.Millisecond):
			}
			pgtest.Post(ctx, env.Server.URL, org.Write, fmt.Sprintf(`mutation { createTag(input: {name: "t%d"}) { tag { id } } }`, i), nil, nil)
		}
	}()
	seen := map[string]bool{}
	for len(seen) < 3 {
		var m wsMessage
		err := wsjson.Read(ctx, conn, &m)
		if err == nil && m.Type == "complete" && m.ID == admitted[0] {
			continue // the server confirms the end the client asked for
		}
		if err != nil || m.Type != "next" || strings.Contains(string(m.Payload), "errors") {
			t.Fatalf("want the event on the open subscriptions, got %+v %v (seen %v)", m, err, seen)
		}
		seen[m.ID] = true
	}
	if !seen["4"] || seen[admitted[0]] || seen[refused] {
		t.Fatalf("the subscription admitted after one ended got nothing: %v", seen)
	}
}

// TestRevokedCredentialsEndSubscriptions: a subscription is authenticated
// when it starts; a key revoked later (or the connection it acts through)
// must not go on receiving the organization's events. The subscription
// ends with the error a new request would get, before the first event
// sent once its last check of them is a second old.
func TestRevokedCredentialsEndSubscriptions(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		guest := env.Org(t, "Guest")
		a := org.Actor()
		ctx := context.Background()
		var conn *pg.Connection
		for _, transport := range []string{pgtest.WebSocket, pgtest.SSE} {
			cases := []struct {
				name, key string
				revoke    func(t *testing.T)
				target    bool
			}{
				{"Key", "", nil, false},
				{"Connection", guest.Read, func(t *testing.T) {
					_, err := env.DB.RevokeConnection(ctx, a, conn.ID)
					pgtest.Must(t, err)
				}, true},
			}
			for _, c := range cases {
				t.Run(transport+"/"+c.name, func(t *testing.T) {
					key, revoke := c.key, c.revoke
					if key == "" {
						k, secret, err := env.DB.CreateAPIKey(ctx, a, pg.APIKeyCreate{UserID: org.Admin.ID, Name: "live", Permission: pg.PermissionRead})
						pgtest.Must(t, err)
						key = secret
						revoke = func(t *testing.T) {
							_, err := env.DB.RevokeAPIKey(ctx, a, k.ID)
							pgtest.Must(t, err)
						}
					}
					if c.target {
						var err error
						conn, err = env.DB.GrantConnection(ctx, a, pg.ConnectionGrant{GranteeOrganizationID: guest.ID, Access: pg.PermissionRead})
						pgtest.Must(t, err)
					}
					sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
					defer cancel()
					got := make(chan string, 16)
					ended := make(chan error, 1)
					go func() {
						target := ""
						if c.target {
							target = org.UUID
						}
						ended <- pgtest.SubscribeTo(sctx, transport, env.Server.URL, key, target, `subscription { events(types: ["tag.created"]) { payload } }`,
							func(d json.RawMessage) { got <- string(d) })
					}()
					tag := func(name string) {
						pgtest.Must(t, pgtest.Post(ctx, env.Server.URL, org.Write, `mutation($n: String!) { createTag(input: {name: $n}) { tag { id } } }`, map[string]any{"n": name}, nil))
					}
					// Until the first event arrives the subscription may not
					// have started: tag until it does.
					for i := 0; ; i++ {
						tag(fmt.Sprintf("before-%s-%s-%d", transport, c.name, i))
						select {
						case <-got:
						case <-time.After(300 * time.Millisecond):
							continue
						}
						break
					}
					revoke(t)
					time.Sleep(server.RecheckEvery)
					tag("after-" + transport + "-" + c.name)
					select {
					case err := <-ended:
						if err == nil || (!strings.Contains(err.Error(), "UNAUTHENTICATED") && !strings.Contains(err.Error(), "FORBIDDEN")) {
							t.Fatalf("want the stream ended by its credentials, got %v", err)
						}
					case d := <-got:
						if strings.Contains(d, "after-") {
							t.Fatalf("revoked credentials still receive events: %s", d)
						}
					case <-sctx.Done():
						t.Fatal("the stream neither ended nor delivered")
					}
					for len(got) > 0 {
						if d := <-got; strings.Contains(d, "after-") {
							t.Fatalf("revoked credentials still receive events: %s", d)
						}
					}
				})
			}
		}
	})
}

// TestASubscriptionFallenBehindEndsWithAnError: a subscription holds a
// bounded number of events its client has not taken; one that falls
// further behind ends with UNAVAILABLE after the events it holds, so its
// client knows to catch up with events(after:) rather than miss some
// silently.
func TestASubscriptionFallenBehindEndsWithAnError(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		// A broker holding two events a subscription, woken by the test
		// alone: six events read at once are more than it may hold.
		b := &feed.Broker{DB: env.DB, Poll: time.Hour, Buffer: 2}
		t.Cleanup(b.Close)
		url := env.Another(t, func(c *server.Config) {
			c.Streams = b
			c.Schema = resolvers.NewSchema(&resolvers.Resolver{DB: env.DB, Logger: slog.New(slog.DiscardHandler), Feed: b})
		}).URL
		for _, transport := range []string{pgtest.WebSocket, pgtest.SSE} {
			t.Run(transport, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				var got []string
				ended := make(chan error, 1)
				go func() {
					ended <- pgtest.Subscribe(ctx, transport, url, org.Read, `subscription { events { resourceId } }`,
						func(d json.RawMessage) { got = append(got, string(d)) })
				}()
				for b.Count() == 0 {
					time.Sleep(5 * time.Millisecond)
				}
				for i := range 6 {
					_, err := env.DB.CreateTag(ctx, org.Actor(), pg.TagCreate{Name: fmt.Sprint(transport, i)})
					pgtest.Must(t, err)
				}
				b.Wake()
				err := <-ended
				if err == nil || !strings.Contains(err.Error(), "UNAVAILABLE") {
					t.Fatalf("want the subscription ended UNAVAILABLE, got %v", err)
				}
				if len(got) != 2 {
					t.Fatalf("want the two events it held before the error, got %v", got)
				}
			})
		}
	})
}
