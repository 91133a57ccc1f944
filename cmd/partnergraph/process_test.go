package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"partnergraph/pgtest"
)

// These tests run the real binary as separate processes.

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "partnergraph-bin")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "partnergraph")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v: %s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

type process struct {
	cmd  *exec.Cmd
	url  string
	logs *lockedBuffer
}

// start runs serve and waits until it listens.
func start(t *testing.T, db string, extra ...string) *process {
	t.Helper()
	return startEnv(t, nil, db, extra...)
}

// startEnv runs serve with env added to the environment.
func startEnv(t *testing.T, env []string, db string, extra ...string) *process {
	t.Helper()
	args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--allow-private-webhooks",
		"--webhook-timeout", "1s", "--webhook-retry-schedule", "100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms"}, extra...)
	cmd := exec.Command(buildBinary(t), args...)
	cmd.Env = append(append(os.Environ(), "PARTNERGRAPH_SECRET_KEY="+testSecretKey), env...)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, logs: &lockedBuffer{}}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`"msg":"serving","addr":"([^"]+)"`)
		for sc.Scan() {
			p.logs.Write(append(sc.Bytes(), '\n'))
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		p.url = "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start: %s", p.logs.String())
	}
	return p
}

const testSecretKey = "0707070707070707070707070707070707070707070707070707070707070707"

func (p *process) graphql(t *testing.T, key, query string, vars map[string]any) json.RawMessage {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest("POST", p.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Data   json.RawMessage
		Errors []any
	}
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("graphql: %s", raw)
	}
	return out.Data
}

func bootstrapKey(t *testing.T, db string) string {
	t.Helper()
	cmd := exec.Command(buildBinary(t), "bootstrap", "--db", db, "--org", "Acme", "--email", "ops@acme.example", "--json")
	cmd.Env = append(os.Environ(), "PARTNERGRAPH_SECRET_KEY="+testSecretKey)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	var b struct {
		APIKey string `json:"apiKey"`
	}
	json.Unmarshal(out, &b)
	return b.APIKey
}

// sink receives webhooks: it answers 2xx only while accepting, and counts
// the 2xx answers per webhook-id.
type sink struct {
	mu        sync.Mutex
	accepting bool
	answered  map[string]int
	seen      int
	srv       *httptest.Server
}

func newSink(t *testing.T, accepting bool) *sink {
	s := &sink{accepting: accepting, answered: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		s.mu.Lock()
		s.seen++
		ok := s.accepting
		s.mu.Unlock()
		if !ok {
			// Hang until the caller gives up or dies: no 2xx is given.
			<-r.Context().Done()
			return
		}
		s.mu.Lock()
		s.answered[r.Header.Get("webhook-id")]++
		s.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *sink) state() (seen int, distinct int, dup []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, n := range s.answered {
		if n > 1 {
			dup = append(dup, id)
		}
	}
	return s.seen, len(s.answered), dup
}

func (s *sink) accept() {
	s.mu.Lock()
	s.accepting = true
	s.mu.Unlock()
}

func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func createEndpoint(t *testing.T, p *process, key, url string) {
	p.graphql(t, key, `mutation($u: String!) { createWebhookEndpoint(input: {url: $u, eventTypes: ["tag.created"]}) { secret } }`, map[string]any{"u": url})
}

func createTags(t *testing.T, p *process, key string, from, n int) {
	for i := from; i < from+n; i++ {
		p.graphql(t, key, `mutation($n: String!) { createTag(input: {name: $n}) { tag { id } } }`, map[string]any{"n": fmt.Sprintf("tag-%05d", i)})
	}
}

// TestCrashLosesNoEvent kills serve with SIGKILL while its deliveries are
// pending or in flight; after a restart every event reaches the receiver,
// and none is answered 2xx twice.
func TestCrashLosesNoEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	db := filepath.Join(t.TempDir(), "crash.db")
	key := bootstrapKey(t, db)
	recv := newSink(t, false)
	a := start(t, db)
	createEndpoint(t, a, key, recv.srv.URL)
	const n = 20
	createTags(t, a, key, 0, n)
	waitUntil(t, 20*time.Second, "a delivery in flight", func() bool { seen, _, _ := recv.state(); return seen > 0 })
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.cmd.Wait()
	recv.accept()
	b := start(t, db)
	waitUntil(t, 60*time.Second, "every event delivered", func() bool { _, distinct, _ := recv.state(); return distinct == n })
	time.Sleep(500 * time.Millisecond)
	if _, distinct, dup := recv.state(); distinct != n || len(dup) > 0 {
		t.Fatalf("delivered %d of %d; answered 2xx more than once: %v", distinct, n, dup)
	}
	var events struct {
		Events struct{ TotalCount int }
	}
	json.Unmarshal(b.graphql(t, key, `{ events(filter: {types: ["tag.created"]}) { totalCount } }`, nil), &events)
	if events.Events.TotalCount != n {
		t.Fatalf("%d tag.created events for %d changes", events.Events.TotalCount, n)
	}
}

// TestTwoProcessesShareOnePostgreSQL runs two gateways on one database: a
// change through A reaches a subscriber of B, and 1,000 events to one
// endpoint are delivered exactly once in all while both dispatch; killing
// one mid-run loses none.
func TestTwoProcessesShareOnePostgreSQL(t *testing.T) {
	if os.Getenv("PARTNERGRAPH_TEST_POSTGRES") == "" {
		t.Skip("PARTNERGRAPH_TEST_POSTGRES is not set: skipping PostgreSQL")
	}
	if testing.Short() {
		t.Skip("runs real processes")
	}
	db := pgtest.DSN(t, "postgres")
	key := bootstrapKey(t, db)
	a, b := start(t, db), start(t, db)

	t.Run("SubscriberOfBSeesChangesThroughA", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "POST", b.url+"/graphql", strings.NewReader(`{"query":"subscription { events(types: [\"project.created\"]) { type } }"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		go func() {
			for i := 0; ctx.Err() == nil; i++ {
				time.Sleep(300 * time.Millisecond)
				a.graphql(t, key, `mutation($n: String!) { createProject(input: {name: $n}) { project { id } } }`, map[string]any{"n": fmt.Sprint("P", i)})
			}
		}()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "project.created") {
				return
			}
		}
		t.Fatal("B's subscriber never saw A's change")
	})

	t.Run("ExactlyOnceAcrossDispatchers", func(t *testing.T) {
		recv := newSink(t, true)
		createEndpoint(t, a, key, recv.srv.URL)
		const n = 1000
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p := a
				if w%2 == 1 {
					p = b
				}
				createTags(t, p, key, w*n/4, n/4)
			}()
		}
		wg.Wait()
		waitUntil(t, 120*time.Second, "1,000 deliveries", func() bool { _, distinct, _ := recv.state(); return distinct == n })
		time.Sleep(time.Second)
		if _, distinct, dup := recv.state(); distinct != n || len(dup) > 0 {
			t.Fatalf("delivered %d of %d; %d delivered twice", distinct, n, len(dup))
		}
	})

	t.Run("KillingOneLosesNone", func(t *testing.T) {
		recv := newSink(t, true)
		createEndpoint(t, b, key, recv.srv.URL)
		const n = 200
		createTags(t, a, key, 10000, n)
		if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		a.cmd.Wait()
		waitUntil(t, 120*time.Second, "every delivery after the kill", func() bool { _, distinct, _ := recv.state(); return distinct == n })
	})
}
