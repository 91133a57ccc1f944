package compiled_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"partnergraph/pgtest"
)

// pair is one database served twice: with the compiled path (the server
// as deployed) and with gqlgen's executor alone (--compiled-reads=false).
type pair struct {
	env                *pgtest.Env
	compiled, executor *httptest.Server
	data               *dataset
}

func newPair(t testing.TB, dialect string) *pair {
	t.Helper()
	env := pgtest.New(t, dialect)
	return &pair{env: env, compiled: env.Server, executor: env.Another(t, pgtest.ExecutorOnly), data: seed(t, env)}
}

func post(t testing.TB, srv *httptest.Server, c caller, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.key)
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// compare sends one operation as c to both servers and reports how their
// answers differ, or "" when they are the same.
func (p *pair) compare(t testing.TB, c caller, doc string, vars map[string]any) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": doc, "variables": vars})
	s1, got := post(t, p.compiled, c, body)
	s2, want := post(t, p.executor, c, body)
	if s1 != s2 {
		return fmt.Sprintf("status %d, gqlgen's executor %d\ncompiled: %s\nexecutor: %s", s1, s2, got, want)
	}
	if bytes.Equal(got, want) || sameUpToErrorOrder(got, want) {
		return ""
	}
	return fmt.Sprintf("compiled: %s\nexecutor: %s", got, want)
}

// sameUpToErrorOrder accepts two responses that differ only in the order of
// their errors, when they have several: gqlgen's executor resolves sibling
// fields and list items in goroutines and appends their errors as they
// come, so it does not define that order itself (two runs of it differ).
func sameUpToErrorOrder(a, b []byte) bool {
	type response struct {
		Errors     []json.RawMessage `json:"errors"`
		Data       json.RawMessage   `json:"data"`
		Extensions json.RawMessage   `json:"extensions"`
	}
	var ra, rb response
	if json.Unmarshal(a, &ra) != nil || json.Unmarshal(b, &rb) != nil || len(ra.Errors) < 2 || len(ra.Errors) != len(rb.Errors) {
		return false
	}
	if !bytes.Equal(ra.Data, rb.Data) || !bytes.Equal(ra.Extensions, rb.Extensions) {
		return false
	}
	sorted := func(errs []json.RawMessage) []string {
		out := make([]string, len(errs))
		for i, e := range errs {
			out[i] = string(e)
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(sorted(ra.Errors), sorted(rb.Errors))
}

// seedFrom is the seed of a run: PARTNERGRAPH_DIFF_SEED to reproduce one.
func seedFrom(t testing.TB) uint64 {
	if s := os.Getenv("PARTNERGRAPH_DIFF_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PARTNERGRAPH_DIFF_SEED: %v", err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

// TestCompiledMatchesExecutor runs generated operations under every caller
// on both servers and requires the same response body, byte for byte.
// PARTNERGRAPH_DIFF_OPS sets how many operations (default 2,000, each under
// all five callers); the seed is printed and PARTNERGRAPH_DIFF_SEED replays it.
func TestCompiledMatchesExecutor(t *testing.T) {
	ops := 2000
	if s := os.Getenv("PARTNERGRAPH_DIFF_OPS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("PARTNERGRAPH_DIFF_OPS: %v", err)
		}
		ops = n
	}
	if testing.Short() {
		ops = 200
	}
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		p := newPair(t, dialect)
		seed := seedFrom(t)
		t.Logf("seed %d (PARTNERGRAPH_DIFF_SEED=%d reproduces this run)", seed, seed)
		r := rand.New(rand.NewPCG(seed, seed))
		start := time.Now()
		failures := 0
		for i := range ops {
			doc, vars := operation(r, p.data)
			for _, c := range p.data.callers {
				if diff := p.compare(t, c, doc, vars); diff != "" {
					failures++
					t.Errorf("operation %d as %s differs (PARTNERGRAPH_DIFF_SEED=%d)\n%s\nvariables: %v\n%s", i, c.name, seed, doc, vars, diff)
					if failures > 5 {
						t.FailNow()
					}
				}
			}
		}
		served := compiledShare(t, p)
		t.Logf("%d operations × %d callers in %s; %s", ops, len(p.data.callers), time.Since(start).Round(time.Millisecond), served)
	})
}

var compiledLine = regexp.MustCompile(`partnergraph_compiled_reads_total\{outcome="(\w+)",reason="(\w*)"\} (\d+)`)

// compiledShare fails unless the compiled path served a fair share of the
// operations: a comparison that always falls back proves nothing.
func compiledShare(t *testing.T, p *pair) string {
	t.Helper()
	counts := p.served(t)
	total := 0
	for _, n := range counts {
		total += n
	}
	if total == 0 || counts["compiled/"]*4 < total {
		t.Errorf("the compiled path served %d of %d operations: %v", counts["compiled/"], total, counts)
	}
	return fmt.Sprintf("served: %v", counts)
}
