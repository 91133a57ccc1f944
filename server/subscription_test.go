package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	pg "partnergraph"
	"partnergraph/pgtest"
)

type wsMessage struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func dial(t *testing.T, env *pgtest.Env, key string) (*websocket.Conn, context.Context) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	url := "ws" + strings.TrimPrefix(env.Server.URL, "http") + "/graphql"
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	init, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + key})
	if err := wsjson.Write(ctx, conn, wsMessage{Type: "connection_init", Payload: init}); err != nil {
		t.Fatal(err)
	}
	return conn, ctx
}

// TestSubscriptionReceivesEventsOfRESTChanges subscribes over
// graphql-transport-ws and changes a partnership through the REST shim.
func TestSubscriptionReceivesEventsOfRESTChanges(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		ctx := context.Background()
		p, err := env.DB.CreatePartner(ctx, org.Actor(), pg.PartnerCreate{CompanyName: "TechCorp", Email: "a@b.co", PartnerType: pg.PartnerTypeCustomer, SalesAmount: 1, Frequency: "m", PaymentTerms: "n"})
		pgtest.Must(t, err)
		ps, err := env.DB.CreatePartnership(ctx, org.Actor(), pg.PartnershipCreate{PartnerID: p.ID})
		pgtest.Must(t, err)
		other, err := env.DB.CreatePartnership(ctx, org.Actor(), pg.PartnershipCreate{PartnerID: p.ID})
		pgtest.Must(t, err)

		conn, wctx := dial(t, env, org.Read)
		var ack wsMessage
		if err := wsjson.Read(wctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
			t.Fatalf("want connection_ack, got %+v %v", ack, err)
		}
		sub, _ := json.Marshal(map[string]any{"query": `subscription($id: ID) { partnershipEvents(partnershipId: $id) { type resourceId payload } }`,
			"variables": map[string]any{"id": pg.GlobalID("Partnership", ps.ID)}})
		if err := wsjson.Write(wctx, conn, wsMessage{ID: "1", Type: "subscribe", Payload: sub}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // the subscription starts after the change otherwise
		// A change to another partnership is not this subscription's.
		patch := func(id int64) {
			req, _ := http.NewRequest("PATCH", fmt.Sprintf("%s/api/v1/partnerships/%d", env.Server.URL, id), strings.NewReader(`{"fallbackData": {"name": "TechCorp Solutions"}}`))
			req.Header.Set("Authorization", "Bearer "+org.Write)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("REST change: %v %v", err, resp)
			}
			resp.Body.Close()
		}
		patch(other.ID)
		patch(ps.ID)
		var next wsMessage
		if err := wsjson.Read(wctx, conn, &next); err != nil || next.Type != "next" || next.ID != "1" {
			t.Fatalf("want next, got %+v %v", next, err)
		}
		var payload struct {
			Data struct {
				PartnershipEvents struct {
					Type       string
					ResourceID string
				}
			}
		}
		json.Unmarshal(next.Payload, &payload)
		if e := payload.Data.PartnershipEvents; e.Type != "partnership.updated" || e.ResourceID != pg.GlobalID("Partnership", ps.ID) {
			t.Fatalf("event: %s", next.Payload)
		}
	})
}

func TestSubscriptionRefusesABadKey(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	conn, ctx := dial(t, env, "pgk_not-a-key")
	var msg wsMessage
	err := wsjson.Read(ctx, conn, &msg)
	for err == nil {
		if msg.Type == "connection_ack" {
			t.Fatal("a bad key was acknowledged")
		}
		err = wsjson.Read(ctx, conn, &msg)
	}
	if code := websocket.CloseStatus(err); code != 4403 {
		t.Fatalf("want close code 4403, got %d (%v)", code, err)
	}
}

func TestServerSentEvents(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	org := env.Org(t, "Acme")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", env.Server.URL+"/graphql", strings.NewReader(`{"query":"subscription { events(types: [\"tag.created\"]) { type payload } }"}`))
	req.Header.Set("Authorization", "Bearer "+org.Read)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	// The stream's headers come with its first event: change data until
	// one arrives (the subscription may start after the first change).
	// The writer stops before the test ends, and reports nothing: the
	// stream is what is under test.
	var writer sync.WaitGroup
	defer func() { cancel(); writer.Wait() }()
	writer.Add(1)
	go func() {
		defer writer.Done()
		for i := 0; ctx.Err() == nil; i++ {
			time.Sleep(200 * time.Millisecond)
			body := fmt.Sprintf(`{"query": "mutation { createTag(input: {name: \"live-%d\"}) { tag { id } } }"}`, i)
			req, _ := http.NewRequestWithContext(ctx, "POST", env.Server.URL+"/graphql", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+org.Write)
			req.Header.Set("Content-Type", "application/json")
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
			}
		}
	}()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("Content-Type %q: %s", resp.Header.Get("Content-Type"), b)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "data:") && strings.Contains(line, "tag.created") {
			if !strings.Contains(line, `"name":"live-`) {
				t.Fatalf("event without its resource: %s", line)
			}
			return
		}
	}
	t.Fatalf("stream ended without the event: %v", sc.Err())
}

// TestServerSentEventsRefuseBadBodies sends event-stream requests whose body
// is not one request object within the limit: each is refused before any
// operation runs, as the same body is over plain POST, and neither the answer
// nor a log line repeats the body (it may hold an integration's password).
func TestServerSentEventsRefuseBadBodies(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		var stdLog bytes.Buffer
		log.SetOutput(&stdLog)
		t.Cleanup(func() { log.SetOutput(os.Stderr) })
		const secret = "hunter2-not-for-logs"
		subscription, _ := json.Marshal(`subscription { events { type } }`)
		mutation, _ := json.Marshal(`mutation { createTag(input: {name: "smuggled"}) { tag { id } } }`)
		connect, _ := json.Marshal(`mutation($p: String!) { connectPartnerIntegration(input: {partnerId: "1", businessId: "1", login: "l", password: $p}) { created } }`)
		for _, c := range []struct {
			name, body string
			status     int
			field      string
		}{
			{"NotJSON", fmt.Sprintf(`{"query": %s, "variables": {"p": %q},}`, connect, secret), 400, ""},
			{"VariablesNotObject", fmt.Sprintf(`{"query": %s, "variables": [%q]}`, subscription, secret), 400, "variables"},
			{"QueryTwice", fmt.Sprintf(`{"query": %s, "query": %s}`, subscription, mutation), 400, "query"},
			{"Batch", fmt.Sprintf(`[{"query": %s}]`, mutation), 400, ""},
			{"TooLarge", fmt.Sprintf(`{"query": %s, "variables": {"pad": "%s"}}`, subscription, strings.Repeat("x", 1<<20)), 413, ""},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := env.Snapshot(t, org.ID)
				// A stream that starts would not end: read for a while only.
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				req, _ := http.NewRequestWithContext(ctx, "POST", env.Server.URL+"/graphql", strings.NewReader(c.body))
				req.Header.Set("Authorization", "Bearer "+org.Write)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "text/event-stream")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				r := reply{status: resp.StatusCode, raw: raw}
				json.Unmarshal(raw, &r.body)
				var errs []struct{ Extensions struct{ Code, Field string } }
				json.Unmarshal(r.body["errors"], &errs)
				if r.status != c.status || len(errs) != 1 || errs[0].Extensions.Code != "BAD_USER_INPUT" || errs[0].Extensions.Field != c.field {
					t.Fatalf("want %d BAD_USER_INPUT naming %q, got %d: %.500s", c.status, c.field, r.status, r.raw)
				}
				if _, has := r.body["data"]; has {
					t.Fatalf("a refused request has a data entry: %s", r.raw)
				}
				if strings.Contains(string(r.raw), secret) || strings.Contains(env.Log(), secret) || strings.Contains(stdLog.String(), secret) {
					t.Fatalf("the body was repeated:\nanswer: %s\nlog: %s%s", r.raw, env.Log(), stdLog.String())
				}
				if env.Snapshot(t, org.ID) != before {
					t.Fatal("the request changed data")
				}
			})
		}
	})
}
