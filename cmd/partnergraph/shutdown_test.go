package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
)

// TestGracefulShutdown sends SIGTERM while 32 clients query and mutate and
// a subscriber listens: every request that got a response got a complete,
// successful one; every acknowledged write is kept; the subscription is
// completed and its socket closed normally; the process exits 0 within the
// shutdown deadline.
func TestGracefulShutdown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pg.db")
	key := bootstrapKey(t, db)
	const deadline = 10 * time.Second
	p := start(t, db, "--shutdown-timeout", deadline.String(), "--rate-limit", "0")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(p.url, "http", "ws", 1)+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	type message struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	wsjson.Write(ctx, ws, message{Type: "connection_init", Payload: json.RawMessage(`{"Authorization": "Bearer ` + key + `"}`)})
	var ack message
	if err := wsjson.Read(ctx, ws, &ack); err != nil || ack.Type != "connection_ack" {
		t.Fatalf("connection_init: %v %+v", err, ack)
	}
	wsjson.Write(ctx, ws, message{ID: "1", Type: "subscribe", Payload: json.RawMessage(`{"query": "subscription { events { type } }"}`)})

	var (
		ok, refused, written atomic.Int64
		mu                   sync.Mutex
		broken               []string
		wg                   sync.WaitGroup
		stop                 = make(chan struct{})
	)
	client := &http.Client{Timeout: 30 * time.Second}
	for c := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				query, mutation := `{ partners(first: 20) { nodes { companyName } } tags(first: 5) { totalCount } }`, i%2 == 0
				if mutation {
					query = fmt.Sprintf(`mutation { createTag(input: {name: "t-%d-%d"}) { tag { name } } }`, c, i)
				}
				body, _ := json.Marshal(map[string]any{"query": query})
				req, _ := http.NewRequest("POST", p.url+"/graphql", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					// No response at all: the listener was closed. Clients
					// retry these against another process.
					refused.Add(1)
					time.Sleep(5 * time.Millisecond)
					continue
				}
				raw, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				var out struct {
					Data   map[string]json.RawMessage
					Errors []any
				}
				if err != nil || resp.StatusCode != 200 || json.Unmarshal(raw, &out) != nil || len(out.Errors) > 0 || out.Data == nil {
					mu.Lock()
					broken = append(broken, fmt.Sprintf("%d %v: %.200s", resp.StatusCode, err, raw))
					mu.Unlock()
					continue
				}
				ok.Add(1)
				if mutation {
					written.Add(1)
				}
			}
		}()
	}
	waitUntil(t, 30*time.Second, "load to start", func() bool { return ok.Load() > 200 })

	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The subscriber hears complete, then a normal close.
	var completed bool
	for {
		var m message
		err := wsjson.Read(ctx, ws, &m)
		if err != nil {
			if status := websocket.CloseStatus(err); status != websocket.StatusNormalClosure {
				t.Errorf("subscription socket ended with %v (status %d), want a normal close", err, status)
			}
			break
		}
		completed = completed || (m.Type == "complete" && m.ID == "1")
	}
	if !completed {
		t.Error("the subscription was not completed before its socket closed")
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		took := time.Since(sent)
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, p.logs.String())
		}
		t.Logf("exited 0 after %s; %d complete responses (%d writes), %d requests found the listener closed", took.Round(time.Millisecond), ok.Load(), written.Load(), refused.Load())
	case <-time.After(deadline + 5*time.Second):
		t.Fatalf("still running %s after SIGTERM", deadline+5*time.Second)
	}
	close(stop)
	wg.Wait()
	if len(broken) > 0 {
		t.Fatalf("%d responses were not complete: %v", len(broken), broken[:min(len(broken), 5)])
	}
	if !strings.Contains(p.logs.String(), `"msg":"stopped"`) {
		t.Fatal("no clean stop in the log")
	}

	// Every acknowledged write is there after a restart.
	again := start(t, db)
	var tags struct{ Tags struct{ TotalCount int64 } }
	json.Unmarshal(again.graphql(t, key, `{ tags { totalCount } }`, nil), &tags)
	if tags.Tags.TotalCount < written.Load() {
		t.Fatalf("%d writes acknowledged, %d tags stored", written.Load(), tags.Tags.TotalCount)
	}
}

// TestShutdownWithHostileRequestsInFlight sends SIGTERM while clients with
// a READ-like key send documents built to make the server work (ten
// thousand fields, fragments that double thirty deep, thousands of
// directives, conflicting aliases) beside ordinary queries: each is
// answered whole, nothing is a 5xx, and the process exits 0 well within
// its shutdown timeout, since no request holds a processor for long.
func TestShutdownWithHostileRequestsInFlight(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pg.db")
	key := bootstrapKey(t, db)
	const deadline = 5 * time.Second
	p := start(t, db, "--shutdown-timeout", deadline.String(), "--request-timeout", "2s", "--rate-limit", "0")
	doubling := "query { ...H30 } fragment H0 on Query { __typename } "
	for i := 1; i <= 30; i++ {
		doubling += fmt.Sprintf("fragment H%d on Query { ...H%d ...H%d } ", i, i-1, i-1)
	}
	documents := []string{
		"query { " + strings.Repeat("__typename ", 10000) + "}",
		doubling,
		"query { __typename " + strings.Repeat("@aa ", 20000) + "}",
		"query { __typename " + strings.Repeat("@aa ", 7000) + "}",
		"query { " + strings.Repeat("a: partners(first: 1) { totalCount } a: partners(first: 2) { totalCount } ", 200) + "}",
		`{ partners(first: 20) { nodes { companyName } } __schema { types { name fields { name } } } }`,
	}
	var (
		answered atomic.Int64
		mu       sync.Mutex
		broken   []string
		wg       sync.WaitGroup
		stop     = make(chan struct{})
	)
	client := &http.Client{Timeout: 30 * time.Second}
	for c := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body, _ := json.Marshal(map[string]any{"query": documents[i%len(documents)]})
				req, _ := http.NewRequest("POST", p.url+"/graphql", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					time.Sleep(5 * time.Millisecond)
					continue
				}
				raw, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode >= 500 || !json.Valid(raw) {
					mu.Lock()
					broken = append(broken, fmt.Sprintf("%d %v: %.200s", resp.StatusCode, err, raw))
					mu.Unlock()
					continue
				}
				answered.Add(1)
			}
		}()
	}
	waitUntil(t, 30*time.Second, "hostile load to start", func() bool { return answered.Load() > 50 })
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, p.logs.String())
		}
		t.Logf("exited 0 %s after SIGTERM; %d answers", time.Since(sent).Round(time.Millisecond), answered.Load())
	case <-time.After(deadline + 2*time.Second):
		t.Fatalf("still running %s after SIGTERM", deadline+2*time.Second)
	}
	close(stop)
	wg.Wait()
	if len(broken) > 0 {
		t.Fatalf("%d broken answers: %v", len(broken), broken[:min(len(broken), 5)])
	}
}
