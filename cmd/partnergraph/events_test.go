package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"partnergraph/pgtest"
)

// received is an event as the readers below select it.
type received struct {
	DatabaseID int64  `json:"databaseId"`
	Type       string `json:"type"`
	ResourceID string `json:"resourceId"`
}

// reader keeps, in the order they arrive, the tag.created events a
// subscriber or a pager receives, and counts the events of any type.
type reader struct {
	name string
	mu   sync.Mutex
	tags []received
	any  int
	err  error
}

func (r *reader) add(e received) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.any++
	if e.Type == "tag.created" {
		r.tags = append(r.tags, e)
	}
}

func (r *reader) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

func (r *reader) state() (tags []received, any int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.tags), r.any, r.err
}

const subscribeEvents = `subscription { events { databaseId type resourceId } }`

// subscribeSSE follows the events subscription over server-sent events.
func subscribeSSE(ctx context.Context, p *process, key string, r *reader) {
	body, _ := json.Marshal(map[string]string{"query": subscribeEvents})
	req, _ := http.NewRequestWithContext(ctx, "POST", p.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.fail(err)
		return
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data:")
		if !ok {
			continue
		}
		var msg struct {
			Data   struct{ Events received }
			Errors []any
		}
		if err := json.Unmarshal([]byte(data), &msg); err != nil || len(msg.Errors) > 0 {
			r.fail(fmt.Errorf("SSE message %s: %v", data, err))
			return
		}
		r.add(msg.Data.Events)
	}
}

// subscribeWS follows the events subscription over graphql-transport-ws.
func subscribeWS(ctx context.Context, p *process, key string, r *reader) {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.url, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		r.fail(err)
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	type message struct {
		ID      string          `json:"id,omitempty"`
		Type    string          `json:"type"`
		Payload json.RawMessage `json:"payload,omitempty"`
	}
	init, _ := json.Marshal(map[string]string{"Authorization": "Bearer " + key})
	sub, _ := json.Marshal(map[string]string{"query": subscribeEvents})
	for _, m := range []message{{Type: "connection_init", Payload: init}, {ID: "1", Type: "subscribe", Payload: sub}} {
		if err := wsjson.Write(ctx, conn, m); err != nil {
			r.fail(err)
			return
		}
	}
	for {
		var m message
		if err := wsjson.Read(ctx, conn, &m); err != nil {
			if ctx.Err() == nil {
				r.fail(err)
			}
			return
		}
		switch m.Type {
		case "connection_ack", "ping", "pong":
		case "next":
			var msg struct{ Data struct{ Events received } }
			if err := json.Unmarshal(m.Payload, &msg); err != nil {
				r.fail(err)
				return
			}
			r.add(msg.Data.Events)
		default:
			r.fail(fmt.Errorf("graphql-transport-ws message %s: %s", m.Type, m.Payload))
			return
		}
	}
}

// page follows events(after:) from the first event on, a page of up to 100
// at a time, until ctx ends.
func page(ctx context.Context, p *process, key string, r *reader) {
	var after *string
	for ctx.Err() == nil {
		var data struct {
			Events struct {
				Nodes    []received
				PageInfo struct{ EndCursor *string }
			}
		}
		if err := post(ctx, p, key, `query($after: String) { events(first: 100, after: $after) {
			nodes { databaseId type resourceId } pageInfo { endCursor } } }`, map[string]any{"after": after}, &data); err != nil {
			if ctx.Err() == nil {
				r.fail(err)
			}
			return
		}
		for _, e := range data.Events.Nodes {
			r.add(e)
		}
		if c := data.Events.PageInfo.EndCursor; c != nil {
			after = c
		}
		if len(data.Events.Nodes) < 100 {
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// post runs a GraphQL operation on p and decodes its data into out.
func post(ctx context.Context, p *process, key, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(ctx, "POST", p.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var r struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(raw, &r); err != nil || len(r.Errors) > 0 || resp.StatusCode != 200 {
		return fmt.Errorf("%d %s", resp.StatusCode, raw)
	}
	return json.Unmarshal(r.Data, out)
}

// TestEveryReaderReceivesEveryCommittedEventOnce runs two gateways on one
// PostgreSQL database and eight writers committing 1,000 events through
// both at once. A subscriber over server-sent events and one over
// graphql-transport-ws on each gateway, and a client paging events(after:)
// while the writers write, each receive every committed event exactly once,
// all in the one order of the events connection's cursors.
func TestEveryReaderReceivesEveryCommittedEventOnce(t *testing.T) {
	if os.Getenv("PARTNERGRAPH_TEST_POSTGRES") == "" {
		t.Skip("PARTNERGRAPH_TEST_POSTGRES is not set: skipping PostgreSQL")
	}
	if testing.Short() {
		t.Skip("runs real processes")
	}
	db := pgtest.DSN(t, "postgres")
	key := bootstrapKey(t, db)
	a, b := start(t, db), start(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	var readers []*reader
	var running sync.WaitGroup
	defer func() { cancel(); running.Wait() }()
	follow := func(name string, f func(context.Context, *process, string, *reader), p *process) {
		r := &reader{name: name}
		readers = append(readers, r)
		running.Add(1)
		go func() { defer running.Done(); f(ctx, p, key, r) }()
	}
	follow("SSE on A", subscribeSSE, a)
	follow("SSE on B", subscribeSSE, b)
	follow("graphql-transport-ws on A", subscribeWS, a)
	follow("graphql-transport-ws on B", subscribeWS, b)
	follow("pager on B", page, b)

	// The subscriptions start when their first event arrives.
	live := func() bool {
		for _, r := range readers {
			if _, n, _ := r.state(); n == 0 {
				return false
			}
		}
		return true
	}
	for i := 0; !live(); i++ {
		if i == 100 {
			t.Fatal("the subscriptions never started")
		}
		a.graphql(t, key, `mutation($n: String!) { createProject(input: {name: $n}) { project { id } } }`, map[string]any{"n": fmt.Sprint("start ", i)})
		time.Sleep(100 * time.Millisecond)
	}

	committed := write(t, ctx, []*process{a, b}, key, 8, 125)
	// Wait for every reader to have as many events as were committed (or
	// for 30 s: the checks below then say what is missing).
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		done := true
		for _, r := range readers {
			if tags, _, err := r.state(); err == nil && len(tags) < len(committed) {
				done = false
			}
		}
		if done {
			break
		}
	}
	time.Sleep(300 * time.Millisecond) // time for a duplicate to arrive
	var order []int64
	for _, r := range readers {
		tags, _, err := r.state()
		if err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		got := map[string]int{}
		ids := make([]int64, len(tags))
		for i, e := range tags {
			got[e.ResourceID]++
			ids[i] = e.DatabaseID
		}
		lost, twice := 0, 0
		for tag := range committed {
			switch {
			case got[tag] == 0:
				lost++
			case got[tag] > 1:
				twice++
			}
		}
		if lost > 0 || twice > 0 || len(tags) != len(committed) {
			t.Errorf("%s received %d events for %d committed changes: %d never, %d more than once", r.name, len(tags), len(committed), lost, twice)
			continue
		}
		if order == nil {
			order = ids
		} else if !slices.Equal(ids, order) {
			t.Errorf("%s received the events in another order than %s", r.name, readers[0].name)
		}
	}
}

// write runs writers goroutines, each committing n tags through the
// processes in turn, and returns the global IDs of the tags committed.
func write(t *testing.T, ctx context.Context, ps []*process, key string, writers, n int) map[string]bool {
	t.Helper()
	var mu sync.Mutex
	committed := map[string]bool{}
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				var data struct {
					CreateTag struct{ Tag struct{ ID string } }
				}
				if err := post(ctx, ps[(w+i)%len(ps)], key, `mutation($n: String!) { createTag(input: {name: $n}) { tag { id } } }`,
					map[string]any{"n": fmt.Sprintf("w%d-%04d", w, i)}, &data); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				committed[data.CreateTag.Tag.ID] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return committed
}
