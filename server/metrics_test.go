package server_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/ratelimit"
	"partnergraph/server"
)

// scrape returns /metrics.
func scrape(t *testing.T, env *pgtest.Env) []byte {
	t.Helper()
	return send(t, env.Server.URL, "GET", "/metrics", nil, "").raw
}

// TestMetrics scrapes /metrics after a nested query.
func TestMetrics(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	org := env.Org(t, "Acme")
	env.Query(t, org.Write, `mutation { createPartner(input: {companyName: "TechCorp", email: "a@techcorp.example", partnerType: CUSTOMER, salesAmount: 1, frequency: "m", paymentTerms: "n"}) { partner { id } } }`, nil, nil)
	send(t, env.Server.URL, "POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON},
		gql(`query Q { partners { nodes { partnerships { nodes { tags { name } } } } } nope: partner(id: "UGFydG5lcjo5OTk5OQ") { id } }`, nil))
	raw := scrape(t, env)
	for _, want := range []string{
		`partnergraph_graphql_request_duration_seconds_count{operation_name="other",operation_type="query"} 1`,
		`partnergraph_graphql_errors_total{code="NOT_FOUND"} 1`,
		`partnergraph_sql_statements_total`,
		`partnergraph_loader_batch_keys_count{edge="partner.partnerships"}`,
		`partnergraph_webhook_attempts_total`,
		`partnergraph_subscriptions 0`,
	} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestOperationNameLabelsAreBounded sends operations under a hundred
// client-chosen names: only a registered operation's name becomes a label,
// every other name is one fixed value, so no client can grow /metrics.
// Telling them apart sends no statement: a document is known to be
// registered once it was sent by its hash, or let through the allow-list.
func TestOperationNameLabelsAreBounded(t *testing.T) {
	registered := `query Dashboard { viewer { permission } }`
	byHash := fmt.Sprintf(`{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": %q}}}`, pg.OperationHash(registered))
	for _, allowList := range []bool{false, true} {
		pgtest.EachDialect(t, func(t *testing.T, dialect string) {
			env := pgtest.New(t, dialect, func(c *server.Config) { c.AllowList = allowList })
			org := env.Org(t, "Acme")
			if _, err := env.DB.RegisterOperation(context.Background(), "dashboard", registered); err != nil {
				t.Fatal(err)
			}
			if !allowList {
				// Not registered: in allow-list mode these are refused.
				h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
				for i := range 100 {
					send(t, env.Server.URL, "POST", "/graphql", h, gql(fmt.Sprintf(`query Client%03d { viewer { permission } }`, i), nil))
				}
				// A registered name sent with another document is the client's.
				send(t, env.Server.URL, "POST", "/graphql", h, gql(`query Dashboard { viewer { permission __typename } }`, nil))
				send(t, env.Server.URL, "POST", "/graphql", h, gql(`{ viewer { permission } }`, nil))
				send(t, env.Server.URL, "POST", "/graphql", h, `{"query": "query Broken {", "operationName": "Broken"}`)
				send(t, env.Server.URL, "POST", "/graphql", h, byHash)
			}
			send(t, env.Server.URL, "POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}, gql(registered, nil))

			counts := map[string]string{}
			re := regexp.MustCompile(`partnergraph_graphql_request_duration_seconds_count\{operation_name="([^"]*)",operation_type="([^"]*)"\} (\d+)`)
			for _, m := range re.FindAllSubmatch(scrape(t, env), -1) {
				counts[string(m[2])+" "+string(m[1])] = string(m[3])
			}
			want := map[string]string{"query other": "101", "query Dashboard": "2", "query anonymous": "1", "unknown other": "1"}
			if allowList {
				want = map[string]string{"query Dashboard": "1"}
			}
			if fmt.Sprint(sorted(counts)) != fmt.Sprint(sorted(want)) {
				t.Fatalf("operation_name labels %v, want %v", counts, want)
			}
		})
	}
}

func sorted(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// TestHTTPAndRefusalMetrics counts requests by route template and status
// (REST routes included, and never by their paths), and refusals by status.
func TestHTTPAndRefusalMetrics(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) {
		// Room for one small operation; anything larger is refused.
		c.RateLimit = &ratelimit.Limiter{Capacity: 50, Rate: 0.001, Store: &ratelimit.Memory{}}
	})
	org := env.Org(t, "Acme")
	other := env.Org(t, "Other")
	auth := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
	steps := []struct {
		method, path string
		header       map[string]string
		body         string
		status       int
	}{
		{"POST", "/graphql", auth, gql(`{ viewer { permission } }`, nil), 200},
		{"POST", "/graphql", map[string]string{"Content-Type": mediaJSON}, gql(`{ viewer { permission } }`, nil), 401},
		{"POST", "/graphql", map[string]string{"Authorization": "Bearer pgk_nope", "Content-Type": mediaJSON}, gql(`{ viewer { permission } }`, nil), 401},
		{"POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON, "Target-Organization-ID": other.UUID}, gql(`{ viewer { permission } }`, nil), 403},
		{"POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON, "Accept": mediaGraphQL}, gql(`{ partners(first: 40) { nodes { id } } }`, nil), 429},
		{"GET", "/v1/partnerships/4711", map[string]string{"Authorization": "Bearer " + org.Write}, "", 404},
		{"GET", "/v1/partnerships/4712", map[string]string{"Authorization": "Bearer " + org.Write}, "", 404},
		{"GET", "/v1/partnerships/1", nil, "", 401},
		{"GET", "/no/such/path", nil, "", 404},
		{"OPTIONS", "/graphql", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST"}, "", 204},
	}
	for _, s := range steps {
		if r := send(t, env.Server.URL, s.method, s.path, s.header, s.body); r.status != s.status {
			t.Fatalf("%s %s: %d, want %d: %s", s.method, s.path, r.status, s.status, r.raw)
		}
	}
	raw := scrape(t, env)
	for _, want := range []string{
		`partnergraph_http_requests_total{method="POST",route="/graphql",status="200"} 1`,
		`partnergraph_http_requests_total{method="POST",route="/graphql",status="401"} 2`,
		`partnergraph_http_requests_total{method="POST",route="/graphql",status="403"} 1`,
		`partnergraph_http_requests_total{method="POST",route="/graphql",status="429"} 1`,
		`partnergraph_http_requests_total{method="GET",route="/v1/partnerships/{id}",status="404"} 2`,
		`partnergraph_http_requests_total{method="GET",route="/v1/partnerships/{id}",status="401"} 1`,
		`partnergraph_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`partnergraph_http_requests_total{method="OPTIONS",route="preflight",status="204"} 1`,
		`partnergraph_refused_total{status="401"} 3`,
		`partnergraph_refused_total{status="403"} 1`,
		`partnergraph_refused_total{status="429"} 1`,
		`partnergraph_refused_total{status="503"} 0`,
	} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
	// A label holding the path would hold "/v1/partnerships/4711"; the bare
	// number may be a figure of the process metrics.
	if bytes.Contains(raw, []byte("/v1/partnerships/4711")) || bytes.Contains(raw, []byte("/no/such/path")) {
		t.Error("a path, not a route, is a label")
	}
}
