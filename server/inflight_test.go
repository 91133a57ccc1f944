package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/server"
)

// TestBusyServerAsksToRetry: with every execution slot taken, a request
// waits its timeout and gets 503 with Retry-After, not an unbounded queue.
func TestBusyServerAsksToRetry(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) { c.MaxInFlight = 1; c.RequestTimeout = 100 * time.Millisecond })
	key := env.Org(t, "Acme").Read
	post := func() *http.Response {
		resp := postQuery(t, env.Server.URL, key, `{ viewer { permission } }`)
		resp.Body.Close()
		return resp
	}
	release := env.Gateway.HoldSlot() // an operation executing
	if resp := post(); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("busy: %d %v", resp.StatusCode, resp.Header)
	}
	release()
	if resp := post(); resp.StatusCode != http.StatusOK {
		t.Fatalf("free: %d", resp.StatusCode)
	}
}

// TestAdmissionByCost: operations wait for room in the in-flight cost
// budget, so a small query runs beside a large one, a server whose budget
// is spent answers 503 with Retry-After, and an operation costing more
// than the whole budget still runs, alone.
func TestAdmissionByCost(t *testing.T) {
	const small = `{ viewer { permission } }`
	large := `{ partners(first: 100) { nodes { partnerships(first: 100) { nodes { id } } } } }`
	for _, c := range []struct {
		name   string
		budget int
		held   int64
		query  string
		status int
	}{
		{"free budget", 1000, 0, small, http.StatusOK},
		{"room beside a large operation", 1000, 990, small, http.StatusOK},
		{"budget spent", 1000, 1000, small, http.StatusServiceUnavailable},
		{"costlier than the budget runs alone", 10, 0, large, http.StatusOK},
		{"costlier than the budget waits for the others", 10, 1, large, http.StatusServiceUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			env := pgtest.New(t, "sqlite", func(cfg *server.Config) {
				cfg.MaxInFlightCost = c.budget
				cfg.RequestTimeout = 100 * time.Millisecond
			})
			key := env.Org(t, "Acme").Read
			if c.held > 0 && !env.Gateway.HoldBudget(c.held) {
				t.Fatal("could not hold the budget")
			}
			resp := postQuery(t, env.Server.URL, key, c.query)
			defer resp.Body.Close()
			var out struct {
				Data   json.RawMessage `json:"data"`
				Errors []struct {
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d (%+v)", resp.StatusCode, c.status, out)
			}
			if c.status == http.StatusServiceUnavailable {
				if resp.Header.Get("Retry-After") == "" || out.Data != nil || len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != string(pg.Unavailable) {
					t.Fatalf("busy answer: %v %+v", resp.Header, out)
				}
				return
			}
			if len(out.Errors) > 0 || len(out.Data) == 0 {
				t.Fatalf("answer: %+v", out)
			}
			// The operation gave its cost back.
			if !env.Gateway.HoldBudget(int64(c.budget) - c.held) {
				t.Fatal("the operation kept its share of the budget")
			}
		})
	}
}

// postQuery sends query to url's /graphql with key.
func postQuery(t *testing.T, url, key, query string) *http.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req, _ := http.NewRequest("POST", url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
