package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/ratelimit"
	"partnergraph/server"
)

// reply is a raw HTTP response: the tests below look at what a GraphQL
// client sees on the wire.
type reply struct {
	status int
	header http.Header
	body   map[string]json.RawMessage
	raw    []byte
}

func (r reply) code() string {
	var errs []struct {
		Extensions struct{ Code, Field, Reason string }
	}
	json.Unmarshal(r.body["errors"], &errs)
	if len(errs) == 0 {
		return ""
	}
	return errs[0].Extensions.Code
}

func send(t *testing.T, base, method, path string, header map[string]string, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := reply{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			t.Fatalf("response is not JSON: %s", raw)
		}
	}
	return out
}

func gql(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

const (
	mediaJSON    = "application/json"
	mediaGraphQL = "application/graphql-response+json"
)

// TestGraphQLOverHTTP checks each status and media type rule of the
// GraphQL-over-HTTP specification.
func TestGraphQLOverHTTP(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		good := gql(`{ viewer { permission } }`, nil)
		h := func(accept string) map[string]string {
			m := map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": mediaJSON}
			if accept != "" {
				m["Accept"] = accept
			}
			return m
		}
		get := func(q string) string { return "/graphql?query=" + url.QueryEscape(q) }
		cases := []struct {
			name, method, path string
			header             map[string]string
			body               string
			status             int
			media              string
			data               bool // the response has a data entry
			code               string
		}{
			{"NoAcceptIsJSON", "POST", "/graphql", h(""), good, 200, mediaJSON, true, ""},
			{"AcceptJSON", "POST", "/graphql", h(mediaJSON), good, 200, mediaJSON, true, ""},
			{"AcceptGraphQLResponse", "POST", "/graphql", h(mediaGraphQL), good, 200, mediaGraphQL, true, ""},
			{"PreferredByQuality", "POST", "/graphql", h(mediaJSON + ";q=0.5, " + mediaGraphQL), good, 200, mediaGraphQL, true, ""},
			{"WildcardIsJSON", "POST", "/graphql", h("*/*"), good, 200, mediaJSON, true, ""},
			{"NothingAcceptable", "POST", "/graphql", h("text/html"), good, 406, mediaJSON, false, "BAD_USER_INPUT"},
			{"ParseErrorJSON", "POST", "/graphql", h(mediaJSON), gql(`{ viewer {`, nil), 200, mediaJSON, false, "BAD_USER_INPUT"},
			{"ParseErrorGraphQLResponse", "POST", "/graphql", h(mediaGraphQL), gql(`{ viewer {`, nil), 400, mediaGraphQL, false, "BAD_USER_INPUT"},
			{"ValidationErrorJSON", "POST", "/graphql", h(mediaJSON), gql(`{ viewer { salary } }`, nil), 200, mediaJSON, false, "BAD_USER_INPUT"},
			{"ValidationErrorGraphQLResponse", "POST", "/graphql", h(mediaGraphQL), gql(`{ viewer { salary } }`, nil), 400, mediaGraphQL, false, "BAD_USER_INPUT"},
			{"BadVariableGraphQLResponse", "POST", "/graphql", h(mediaGraphQL), gql(`query($n: Int) { partners(first: $n) { totalCount } }`, map[string]any{"n": "x"}), 400, mediaGraphQL, false, "BAD_USER_INPUT"},
			{"FieldErrorGraphQLResponse", "POST", "/graphql", h(mediaGraphQL), gql(`{ partner(id: "UGFydG5lcjo5OTk5OQ") { id } }`, nil), 200, mediaGraphQL, true, "NOT_FOUND"},
			{"ReadKeyMutation", "POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON, "Accept": mediaGraphQL},
				gql(`mutation { createTag(input: {name: "x"}) { tag { id } } }`, nil), 403, mediaGraphQL, false, "FORBIDDEN"},
			{"BodyNotJSON", "POST", "/graphql", h(mediaJSON), `{"query": `, 400, mediaJSON, false, "BAD_USER_INPUT"},
			{"QueryNotString", "POST", "/graphql", h(mediaGraphQL), `{"query": 5}`, 400, mediaGraphQL, false, "BAD_USER_INPUT"},
			{"VariablesNotObject", "POST", "/graphql", h(mediaJSON), `{"query": "{ viewer { permission } }", "variables": [1]}`, 400, mediaJSON, false, "BAD_USER_INPUT"},
			{"NoQuery", "POST", "/graphql", h(mediaGraphQL), `{}`, 400, mediaGraphQL, false, "BAD_USER_INPUT"},
			{"WrongContentType", "POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": "text/plain"}, good, 415, mediaJSON, false, "BAD_USER_INPUT"},
			{"GetQuery", "GET", get(`{ viewer { permission } }`), h(mediaGraphQL), "", 200, mediaGraphQL, true, ""},
			{"GetMutation", "GET", get(`mutation { createTag(input: {name: "x"}) { tag { id } } }`), h(""), "", 405, mediaJSON, false, "BAD_USER_INPUT"},
			{"GetQueryTwice", "GET", get(`{ viewer { permission } }`) + "&query=" + url.QueryEscape(`{ __typename }`), h(mediaGraphQL), "", 400, mediaGraphQL, false, "BAD_USER_INPUT"},
			{"GetOperationNameTwice", "GET", get(`query A { __typename } query B { __typename }`) + "&operationName=A&operationName=B", h(""), "", 400, mediaJSON, false, "BAD_USER_INPUT"},
			{"Put", "PUT", "/graphql", h(""), good, 405, mediaJSON, false, "BAD_USER_INPUT"},
			{"NoKey", "POST", "/graphql", map[string]string{"Content-Type": mediaJSON, "Accept": mediaGraphQL}, good, 401, mediaGraphQL, false, "UNAUTHENTICATED"},
			{"UnknownKey", "POST", "/graphql", map[string]string{"Authorization": "Bearer pg_nope", "Content-Type": mediaJSON, "Accept": mediaGraphQL}, good, 401, mediaGraphQL, false, "UNAUTHENTICATED"},
			{"UnknownKeyJSON", "POST", "/graphql", map[string]string{"Authorization": "Bearer pg_nope", "Content-Type": mediaJSON}, good, 401, mediaJSON, false, "UNAUTHENTICATED"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := env.Snapshot(t, org.ID)
				r := send(t, env.Server.URL, c.method, c.path, c.header, c.body)
				if r.status != c.status {
					t.Fatalf("status %d, want %d: %s", r.status, c.status, r.raw)
				}
				if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, c.media) {
					t.Fatalf("Content-Type %q, want %q", ct, c.media)
				}
				if _, has := r.body["data"]; has != c.data {
					t.Fatalf("data entry present: %v, want %v: %s", has, c.data, r.raw)
				}
				if r.code() != c.code {
					t.Fatalf("code %q, want %q: %s", r.code(), c.code, r.raw)
				}
				if c.status == 405 && r.header.Get("Allow") == "" {
					t.Fatal("405 without Allow")
				}
				if c.code != "" {
					var errs []struct{ Message string }
					json.Unmarshal(r.body["errors"], &errs)
					if errs[0].Message == "" {
						t.Fatal("error without a message")
					}
				}
				if env.Snapshot(t, org.ID) != before {
					t.Fatal("a request changed data")
				}
			})
		}
	})
}

// TestRequestMemberGivenTwice sends bodies that name a request member twice
// (in any case: Go's decoder matches member names regardless of case). A
// decoder keeps the last, while the client, a proxy or a log that read the
// first believes that one applies: each is refused, naming the member, and
// nothing runs.
func TestRequestMemberGivenTwice(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		mutation := `mutation { createTag(input: {name: "smuggled"}) { tag { id } } }`
		q, _ := json.Marshal(`{ viewer { permission } }`)
		m, _ := json.Marshal(mutation)
		for _, c := range []struct {
			name, body, field string
		}{
			{"Query", fmt.Sprintf(`{"query": %s, "query": %s}`, q, m), "query"},
			{"QueryInAnotherCase", fmt.Sprintf(`{"query": %s, "Query": %s}`, q, m), "Query"},
			{"QueryEscaped", fmt.Sprintf(`{"query": %s, "\u0071uery": %s}`, q, m), "query"},
			{"OperationName", fmt.Sprintf(`{"query": %s, "operationName": "A", "operationName": "B"}`, m), "operationName"},
			{"Variables", fmt.Sprintf(`{"query": %s, "variables": {}, "variables": null}`, m), "variables"},
			{"Extensions", fmt.Sprintf(`{"query": %s, "extensions": {}, "extensions": {}}`, m), "extensions"},
		} {
			t.Run(c.name, func(t *testing.T) {
				before := env.Snapshot(t, org.ID)
				r := send(t, env.Server.URL, "POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": mediaJSON, "Accept": mediaGraphQL}, c.body)
				var errs []struct{ Extensions struct{ Code, Field string } }
				json.Unmarshal(r.body["errors"], &errs)
				if r.status != 400 || len(errs) != 1 || errs[0].Extensions.Code != "BAD_USER_INPUT" || errs[0].Extensions.Field != c.field {
					t.Fatalf("want 400 BAD_USER_INPUT naming %s, got %d: %s", c.field, r.status, r.raw)
				}
				if env.Snapshot(t, org.ID) != before {
					t.Fatal("the request changed data")
				}
			})
		}
		// Within a batch, the item is refused and the others run.
		batch := fmt.Sprintf(`[{"query": %s}, {"query": %s, "query": %s}]`, q, q, m)
		r := send(t, env.Server.URL, "POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": mediaJSON}, batch)
		if r.status != 200 || !strings.Contains(string(r.raw), `"permission":"WRITE"`) || !strings.Contains(string(r.raw), `"field":"query"`) || strings.Contains(string(r.raw), "smuggled") {
			t.Fatalf("batch: %d %s", r.status, r.raw)
		}
	})
}

// TestLimitsRefuseBeforeSQL sends the hostile queries of the limits: each
// is refused with a clear error and no SQL statement runs.
func TestLimitsRefuseBeforeSQL(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		// 2 + 3 × 16 = 50 levels.
		deep := "partners { nodes { " + strings.Repeat("partnerships { nodes { partner { ", 16) + "id" + strings.Repeat(" } } }", 16) + " } }"
		var aliases strings.Builder
		for i := range 2000 {
			fmt.Fprintf(&aliases, "a%d: viewer { permission } ", i)
		}
		cases := []struct {
			name, query string
			status      int
			want        string
		}{
			{"OneMegabyte", "{ viewer { permission } }" + strings.Repeat(" ", 1<<20), 413, "larger than"},
			{"TwoThousandAliases", "{ " + aliases.String() + "}", 200, "fields"},
			{"TwentyThousandTokens", "{ " + strings.Repeat("__typename ", 20000) + "}", 200, "tokens"},
			{"DepthFifty", "{ " + deep + " }", 200, "levels deep"},
			{"FirstHundredThreeDeep", `{ partners(first: 100) { nodes { partnerships(first: 100) { nodes { project { partnerships(first: 100) { nodes { id } } } } } } } }`, 200, "costs"},
		}
		h := map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": mediaJSON}
		// Admission comes first: authenticating the key is SQL every
		// request pays, measured on a request that does not parse.
		send(t, env.Server.URL, "POST", "/graphql", h, gql(`{ viewer {`, nil))
		before := env.Statements()
		send(t, env.Server.URL, "POST", "/graphql", h, gql(`{ viewer {`, nil))
		authentication := env.Statements() - before
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := env.Statements()
				r := send(t, env.Server.URL, "POST", "/graphql", h, gql(c.query, nil))
				if r.status != c.status || r.code() != "BAD_USER_INPUT" || !strings.Contains(string(r.body["errors"]), c.want) {
					t.Fatalf("status %d: %.300s", r.status, r.raw)
				}
				if _, has := r.body["data"]; has {
					t.Fatal("a refused request has a data entry")
				}
				if n := env.Statements() - before; n != authentication {
					t.Fatalf("%d SQL statements ran for a refused query, %d of them beyond authentication", n, n-authentication)
				}
			})
		}
	})
}

func TestBatch(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) { c.MaxBatch = 3 })
	org := env.Org(t, "Acme")
	h := map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": mediaJSON}
	post := func(body string) (int, []map[string]json.RawMessage, string) {
		r := send(t, env.Server.URL, "POST", "/graphql", h, body)
		var items []map[string]json.RawMessage
		json.Unmarshal(r.raw, &items)
		return r.status, items, string(r.raw)
	}
	status, items, raw := post(`[{"query": "{ viewer { permission } }"}, {"query": "mutation { createTag(input: {name: \"batched\"}) { tag { name } } }"}, {"query": "{ nope }"}]`)
	if status != 200 || len(items) != 3 {
		t.Fatalf("status %d: %s", status, raw)
	}
	if !strings.Contains(string(items[0]["data"]), "WRITE") || !strings.Contains(string(items[1]["data"]), "batched") || items[2]["errors"] == nil {
		t.Fatalf("batch answered out of order or wrongly: %s", raw)
	}
	for _, body := range []string{`[]`, `[{"query": "{ viewer { permission } }"},{"query": "{ viewer { permission } }"},{"query": "{ viewer { permission } }"},{"query": "{ viewer { permission } }"}]`, `[1, 2`} {
		r := send(t, env.Server.URL, "POST", "/graphql", h, body)
		if r.status != 400 || r.code() != "BAD_USER_INPUT" {
			t.Fatalf("%s: status %d %s", body, r.status, r.raw)
		}
	}
}

// TestRateLimit spends a key's points and checks what GraphQL and REST
// clients see before and after they run out.
func TestRateLimit(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		var env *pgtest.Env
		// Buckets in the database, as processes sharing PostgreSQL keep them.
		limit := func(c *server.Config) {
			c.RateLimit = &ratelimit.Limiter{Capacity: 100, Rate: 0.5, Store: ratelimit.StoreFunc(func(ctx context.Context, bucket string, cost, capacity, rate float64) (float64, bool, error) {
				return env.DB.TakeTokens(ctx, bucket, cost, capacity, rate)
			})}
		}
		env = pgtest.New(t, dialect, limit)
		org := env.Org(t, "Acme")
		other := env.Org(t, "Other")
		h := map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": mediaJSON, "Accept": mediaGraphQL}
		costly := gql(`{ partners(first: 40) { nodes { id } } }`, nil) // 1 + 40 × 2 = 81 points

		r := send(t, env.Server.URL, "POST", "/graphql", h, costly)
		if r.status != 200 || r.header.Get("X-Ratelimit-Limit") != "100" || r.header.Get("X-Ratelimit-Remaining") != "19" {
			t.Fatalf("first request: %d %v %s", r.status, r.header, r.raw)
		}
		if reset, _ := strconv.Atoi(r.header.Get("X-Ratelimit-Reset")); reset < 160 || reset > 163 {
			t.Fatalf("X-Ratelimit-Reset %q: 81 points at 0.5 a second take 162 s", r.header.Get("X-Ratelimit-Reset"))
		}
		var ext struct {
			Cost struct {
				Requested int
				Throttle  struct{ MaximumAvailable, CurrentlyAvailable int }
			}
		}
		json.Unmarshal(r.body["extensions"], &ext)
		if ext.Cost.Requested != 81 || ext.Cost.Throttle.MaximumAvailable != 100 || ext.Cost.Throttle.CurrentlyAvailable != 19 {
			t.Fatalf("extensions.cost: %s", r.body["extensions"])
		}

		before := env.Statements()
		r = send(t, env.Server.URL, "POST", "/graphql", h, costly)
		if r.status != 429 || r.code() != "RATE_LIMITED" || r.header.Get("Retry-After") == "" {
			t.Fatalf("over the limit: %d %v %s", r.status, r.header, r.raw)
		}
		if _, has := r.body["data"]; has {
			t.Fatal("a rate-limited request has a data entry")
		}
		if n := env.Statements() - before; n > 2 {
			t.Fatalf("%d statements for a refused request: only the key and its bucket may be read", n)
		}
		// Another process on the same database draws from the same bucket.
		second := env.Another(t, limit)
		if r = send(t, second.URL, "POST", "/graphql", h, costly); r.status != 429 {
			t.Fatalf("a second process let the spent key through: %d %s", r.status, r.raw)
		}
		// Cheap operations still fit; the REST shim draws from the same bucket.
		if r = send(t, env.Server.URL, "POST", "/graphql", h, gql(`{ viewer { permission } }`, nil)); r.status != 200 {
			t.Fatalf("a cheap query: %d %s", r.status, r.raw)
		}
		var rest reply
		for range 20 {
			if rest = send(t, env.Server.URL, "GET", "/v1/projects/1/partnerships", map[string]string{"Authorization": "Bearer " + org.Write}, ""); rest.status == 429 {
				break
			}
		}
		if rest.status != 429 || rest.header.Get("Retry-After") == "" || rest.header.Get("X-Ratelimit-Limit") != "100" {
			t.Fatalf("REST over the limit: %d %v", rest.status, rest.header)
		}
		// Another key has its own bucket.
		if r = send(t, env.Server.URL, "POST", "/graphql", map[string]string{"Authorization": "Bearer " + other.Write, "Content-Type": mediaJSON}, costly); r.status != 200 {
			t.Fatalf("another key: %d %s", r.status, r.raw)
		}
	})
}

// TestPersistedQueries follows the automatic persisted query protocol, and
// shows an operator-registered operation works by hash on any process.
func TestPersistedQueries(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
		query := `{ viewer { permission } }`
		byHash := func(base, q string, withQuery bool) reply {
			body := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": pg.OperationHash(q)}}}
			if withQuery {
				body["query"] = q
			}
			b, _ := json.Marshal(body)
			return send(t, base, "POST", "/graphql", h, string(b))
		}
		if r := byHash(env.Server.URL, query, false); r.code() != "PERSISTED_QUERY_NOT_FOUND" || r.status != 200 {
			t.Fatalf("unknown hash: %d %s", r.status, r.raw)
		}
		if r := byHash(env.Server.URL, query, true); !strings.Contains(string(r.body["data"]), "READ") {
			t.Fatalf("hash with query: %s", r.raw)
		}
		if r := byHash(env.Server.URL, query, false); !strings.Contains(string(r.body["data"]), "READ") {
			t.Fatalf("hash after registering: %s", r.raw)
		}

		registered := `query Mine { viewer { permission } }`
		if _, err := env.DB.RegisterOperation(context.Background(), "Mine", registered); err != nil {
			t.Fatal(err)
		}
		second := env.Another(t)
		if r := byHash(second.URL, registered, false); !strings.Contains(string(r.body["data"]), "READ") {
			t.Fatalf("registered operation by hash on another process: %s", r.raw)
		}
	})
}

// TestAllowList runs only registered operations over HTTP, by text or by
// hash; the REST shim's own operations are unaffected.
func TestAllowList(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect, func(c *server.Config) { c.AllowList = true })
		org := env.Org(t, "Acme")
		registered := "query Viewer { viewer { permission } }"
		if _, err := env.DB.RegisterOperation(context.Background(), "Viewer", registered); err != nil {
			t.Fatal(err)
		}
		h := map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": mediaJSON, "Accept": mediaGraphQL}
		r := send(t, env.Server.URL, "POST", "/graphql", h, gql(`{ viewer { permission } }`, nil))
		if r.status != 403 || r.code() != "FORBIDDEN" || r.body["data"] != nil {
			t.Fatalf("unregistered operation: %d %s", r.status, r.raw)
		}
		if r = send(t, env.Server.URL, "POST", "/graphql", h, gql(registered, nil)); r.status != 200 || !strings.Contains(string(r.body["data"]), "WRITE") {
			t.Fatalf("registered operation: %d %s", r.status, r.raw)
		}
		b, _ := json.Marshal(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": pg.OperationHash(registered)}}})
		if r = send(t, env.Server.URL, "POST", "/graphql", h, string(b)); r.status != 200 || !strings.Contains(string(r.body["data"]), "WRITE") {
			t.Fatalf("registered operation by hash: %d %s", r.status, r.raw)
		}
		// A client cannot register its own operation through the APQ protocol.
		other := `{ viewer { role } }`
		b, _ = json.Marshal(map[string]any{"query": other, "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": pg.OperationHash(other)}}})
		if r = send(t, env.Server.URL, "POST", "/graphql", h, string(b)); r.status != 403 {
			t.Fatalf("client-registered operation: %d %s", r.status, r.raw)
		}
		if r = send(t, env.Server.URL, "GET", "/v1/projects/1/partnerships", map[string]string{"Authorization": "Bearer " + org.Write}, ""); r.status == 403 {
			t.Fatal("the allow-list refused the REST shim's own operation")
		}
	})
}

// countedOperations counts the look-ups of persisted operations that reach
// the database.
type countedOperations struct {
	server.Operations
	n atomic.Int64
}

func (c *countedOperations) PersistedOperation(ctx context.Context, hash string) (*pg.PersistedOperation, error) {
	c.n.Add(1)
	return c.Operations.PersistedOperation(ctx, hash)
}

// TestPersistedLookupsArePaidFor: a hash the server does not hold, and an
// operation the allow-list must look up, take a point from the key's bucket
// before the database is asked, so made-up hashes or documents cannot read
// it without limit; once the bucket is empty they are RATE_LIMITED and the
// database is not asked at all. A hash that cannot be an operation's is
// never looked up.
func TestPersistedLookupsArePaidFor(t *testing.T) {
	for _, allowListed := range []bool{false, true} {
		t.Run(fmt.Sprintf("allowList=%v", allowListed), func(t *testing.T) {
			pgtest.EachDialect(t, func(t *testing.T, dialect string) {
				var ops *countedOperations
				env := pgtest.New(t, dialect, func(c *server.Config) {
					ops = &countedOperations{Operations: c.Operations}
					c.Operations = ops
					c.AllowList = allowListed
					c.RateLimit = &ratelimit.Limiter{Capacity: 5, Rate: 0.001, Store: &ratelimit.Memory{}}
				})
				org := env.Org(t, "Acme")
				h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
				body := func(i int) string {
					if allowListed && i%2 == 1 {
						return gql(fmt.Sprintf(`{ viewer { permission } a%d: __typename }`, i), nil)
					}
					hash := pg.OperationHash(strconv.Itoa(i))
					b, _ := json.Marshal(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}})
					return string(b)
				}
				limited := 0
				for i := range 20 {
					r := send(t, env.Server.URL, "POST", "/graphql", h, body(i))
					switch r.code() {
					case "PERSISTED_QUERY_NOT_FOUND", "FORBIDDEN":
						if limited > 0 {
							t.Fatalf("request %d ran after the bucket was empty: %d %s", i, r.status, r.raw)
						}
					case "RATE_LIMITED":
						if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
							t.Fatalf("request %d: %d %v %s", i, r.status, r.header, r.raw)
						}
						limited++
					default:
						t.Fatalf("request %d: %d %s", i, r.status, r.raw)
					}
				}
				if got := ops.n.Load(); got > 5 || limited != 15 {
					t.Fatalf("%d look-ups reached the database, %d requests of 20 were limited", got, limited)
				}
			})
		})
	}
	t.Run("malformed hash", func(t *testing.T) {
		var ops *countedOperations
		env := pgtest.New(t, "sqlite", func(c *server.Config) {
			ops = &countedOperations{Operations: c.Operations}
			c.Operations = ops
		})
		org := env.Org(t, "Acme")
		h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
		for _, hash := range []string{"x", strings.Repeat("Z", 64), strings.ToUpper(pg.OperationHash("{ __typename }"))} {
			b, _ := json.Marshal(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}})
			if r := send(t, env.Server.URL, "POST", "/graphql", h, string(b)); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
				t.Fatalf("%q: %d %s", hash, r.status, r.raw)
			}
		}
		if got := ops.n.Load(); got != 0 {
			t.Fatalf("%d malformed hashes were looked up", got)
		}
	})
}

// TestTimeout bounds a request's execution.
func TestTimeout(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) { c.RequestTimeout = time.Nanosecond })
	org := env.Org(t, "Acme")
	r := send(t, env.Server.URL, "POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}, gql(`{ partners { totalCount } }`, nil))
	if (r.status != 200 && r.status != 503) || !bytes.Contains(r.raw, []byte("time limit")) {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
}

// TestRequestIDAndLog: every response carries a request id, and the
// request's log line has it with the operation, key prefix and status,
// and never the key.
func TestRequestIDAndLog(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	org := env.Org(t, "Acme")
	r := send(t, env.Server.URL, "POST", "/graphql", map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON, "X-Request-Id": "req-42"},
		gql(`query Dashboard { viewer { permission } }`, nil))
	if r.header.Get("X-Request-Id") != "req-42" {
		t.Fatalf("X-Request-Id %q", r.header.Get("X-Request-Id"))
	}
	if r = send(t, env.Server.URL, "GET", "/healthz", nil, ""); len(r.header.Get("X-Request-Id")) < 16 {
		t.Fatal("no generated request id")
	}
	var line map[string]any
	for _, l := range strings.Split(env.Log(), "\n") {
		if strings.Contains(l, `"req-42"`) {
			json.Unmarshal([]byte(l), &line)
		}
	}
	if line["operation"] != "Dashboard" || line["status"] != float64(200) || line["key_prefix"] == nil || line["duration"] == nil {
		t.Fatalf("log line: %v", line)
	}
	if strings.Contains(env.Log(), org.Read) {
		t.Fatal("the log holds an API key")
	}
}

// TestEveryPathTakesHEADWhereGETAndSaysItsMethods: HEAD is GET without the
// body wherever GET is taken (RFC 9110 §9.3.2), OPTIONS answers the
// methods a path takes, without a key, and another method is 405 with the
// same methods in Allow, on every path the server serves.
func TestEveryPathTakesHEADWhereGETAndSaysItsMethods(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	org := env.Org(t, "Acme")
	get := map[string]string{"Authorization": "Bearer " + org.Read, "Accept": mediaGraphQL}
	for _, tc := range []struct{ path, allow string }{
		{"/graphql?query=%7Bviewer%7Bpermission%7D%7D", "GET, HEAD, POST, OPTIONS"},
		{"/healthz", "GET, HEAD, OPTIONS"},
		{"/readyz", "GET, HEAD, OPTIONS"},
		{"/metrics", "GET, HEAD, OPTIONS"},
		{"/graphiql", "GET, HEAD, OPTIONS"},
		{"/graphiql/", "GET, HEAD, OPTIONS"},
		{"/", "GET, HEAD, OPTIONS"},
		{"/openapi.json", "GET, HEAD, OPTIONS"},
		{"/v1/partnerships/1", "GET, HEAD, PATCH, DELETE, OPTIONS"},
		{"/v1/projects/1/partnerships", "GET, HEAD, POST, OPTIONS"},
		{"/v1/Partners(1)/Relationships/Companies", "GET, HEAD, OPTIONS"},
		{"/api/v1/partnerships/1", "PATCH, OPTIONS"},
		{"/api/v1/partner_integrations/connect", "POST, OPTIONS"},
		{"/partners", "POST, OPTIONS"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			g := send(t, env.Server.URL, "GET", tc.path, get, "")
			h := send(t, env.Server.URL, "HEAD", tc.path, get, "")
			if h.status != g.status || len(h.raw) != 0 || h.header.Get("Content-Type") != g.header.Get("Content-Type") ||
				h.header.Get("Allow") != g.header.Get("Allow") {
				t.Fatalf("HEAD %d %q %q %q; GET %d %q %q", h.status, h.header.Get("Content-Type"), h.header.Get("Allow"), h.raw,
					g.status, g.header.Get("Content-Type"), g.header.Get("Allow"))
			}
			if strings.HasPrefix(tc.allow, "GET") && g.status == http.StatusMethodNotAllowed {
				t.Fatalf("GET: %d %s", g.status, g.raw)
			}
			if o := send(t, env.Server.URL, "OPTIONS", tc.path, nil, ""); o.status != http.StatusNoContent || o.header.Get("Allow") != tc.allow {
				t.Fatalf("OPTIONS: %d Allow %q", o.status, o.header.Get("Allow"))
			}
			if p := send(t, env.Server.URL, "PUT", tc.path, get, ""); p.status != http.StatusMethodNotAllowed || p.header.Get("Allow") != tc.allow {
				t.Fatalf("PUT: %d Allow %q", p.status, p.header.Get("Allow"))
			}
		})
	}
}

// TestOperationSelection: a document of several operations needs an
// operationName, and a name must be one of them; each refusal is worded as
// graphql-js words it, with the status of any request refused before it
// runs (400 under application/graphql-response+json, 200 under
// application/json), over POST and GET alike.
func TestOperationSelection(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	org := env.Org(t, "Acme")
	const two = `query A { viewer { permission } } query B { viewer { user { name } } }`
	for _, tc := range []struct {
		name, operationName, message string
	}{
		{"NoName", "", "Must provide operation name if query contains multiple operations."},
		{"UnknownName", "C", `Unknown operation named "C".`},
	} {
		for _, media := range []struct {
			accept string
			status int
		}{{mediaGraphQL, 400}, {mediaJSON, 200}} {
			h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON, "Accept": media.accept}
			body, _ := json.Marshal(map[string]any{"query": two, "operationName": tc.operationName})
			q := url.Values{"query": {two}}
			if tc.operationName != "" {
				q.Set("operationName", tc.operationName)
			}
			for method, r := range map[string]reply{
				"POST": send(t, env.Server.URL, "POST", "/graphql", h, string(body)),
				"GET":  send(t, env.Server.URL, "GET", "/graphql?"+q.Encode(), h, ""),
			} {
				var errs []struct{ Message string }
				json.Unmarshal(r.body["errors"], &errs)
				if r.status != media.status || r.code() != "BAD_USER_INPUT" || len(errs) != 1 || errs[0].Message != tc.message || r.body["data"] != nil {
					t.Errorf("%s %s under %s: %d %s", tc.name, method, media.accept, r.status, r.raw)
				}
			}
		}
	}
	// Either operation runs by its name.
	h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
	body, _ := json.Marshal(map[string]any{"query": two, "operationName": "B"})
	if r := send(t, env.Server.URL, "POST", "/graphql", h, string(body)); r.status != 200 || !strings.Contains(string(r.body["data"]), "Admin of Acme") {
		t.Fatalf("named: %d %s", r.status, r.raw)
	}
}

// TestVariableCoercionMessages: a variable the specification's input
// coercion refuses (§3.5) is refused in graphql-js's words, naming the
// variable and, within an input, the field; a number is shown where a
// number belongs, no other value (it may be a secret sent in the wrong
// place).
func TestVariableCoercionMessages(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	org := env.Org(t, "Acme")
	h := map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": mediaJSON}
	first := `query($n: Int) { partners(first: $n) { totalCount } }`
	required := `query($n: Int!) { partners(first: $n) { totalCount } }`
	tier := `mutation($in: UpdateTierInput!) { updateTier(input: $in) { tier { id } } }`
	for _, tc := range []struct {
		name, query, variables, message, field string
	}{
		{"IntFromTwoPointZero", first, `{"n": 2.0}`, `Variable "$n" got invalid value 2.0; Int cannot represent non-integer value: 2.0`, "n"},
		{"IntFromAFraction", first, `{"n": 2.5}`, `Variable "$n" got invalid value 2.5; Int cannot represent non-integer value: 2.5`, "n"},
		{"IntFromAnExponent", first, `{"n": 1e2}`, `Variable "$n" got invalid value 1e2; Int cannot represent non-integer value: 1e2`, "n"},
		{"IntFromABoolean", first, `{"n": true}`, `Variable "$n" got an invalid value; Int cannot represent a boolean`, "n"},
		{"IntFromAList", first, `{"n": [1]}`, `Variable "$n" got an invalid value; Int cannot represent a list`, "n"},
		{"IntFromAString", first, `{"n": "2"}`, `Variable "$n" got an invalid value; Int cannot represent a string`, "n"},
		{"IntInAnInput", tier, `{"in": {"id": "x", "rank": 2.5}}`, `Variable "$in" got invalid value 2.5 at "in.rank"; Int cannot represent non-integer value: 2.5`, "rank"},
		{"StringFromANumber", tier, `{"in": {"id": "x", "name": 867530912}}`, `Variable "$in" got an invalid value at "in.name"; String cannot represent a number`, "name"},
		{"UnknownField", tier, `{"in": {"id": "x", "Rank": 3}}`, `Variable "$in" got an invalid value at "in.Rank"; Field "Rank" is not defined by type "UpdateTierInput"`, "Rank"},
		{"MissingField", tier, `{"in": {"rank": 3}}`, `Variable "$in" got an invalid value at "in.id"; Field "id" of required type "ID!" was not provided`, "id"},
		{"NotAnObject", tier, `{"in": 3}`, `Variable "$in" got an invalid value; Expected type "UpdateTierInput" to be an object`, "in"},
		{"Missing", required, `{}`, `Variable "$n" of required type "Int!" was not provided.`, "n"},
		{"Null", required, `{"n": null}`, `Variable "$n" of non-null type "Int!" must not be null.`, "n"},
		// A literal is validated, as graphql-js validates it.
		{"IntLiteralFromTwoPointZero", `{ partners(first: 2.0) { totalCount } }`, `{}`, `Int cannot represent non-integer value: 2.0`, ""},
		{"StringLiteralFromANumber", `mutation { createTag(input: {name: 867530912}) { tag { id } } }`, `{}`, `String cannot represent a non string value: <Int value>`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := json.Marshal(tc.query)
			r := send(t, env.Server.URL, "POST", "/graphql", h, `{"query": `+string(q)+`, "variables": `+tc.variables+`}`)
			var errs []struct {
				Message    string
				Extensions struct{ Code, Field string }
			}
			json.Unmarshal(r.body["errors"], &errs)
			if len(errs) != 1 || errs[0].Message != tc.message || errs[0].Extensions.Code != "BAD_USER_INPUT" || errs[0].Extensions.Field != tc.field {
				t.Fatalf("%d %s", r.status, r.raw)
			}
		})
	}
}

// TestMalformedBodiesSayWhatIsWrong: a POST body that is not one request
// object is refused with a message, and the field at fault when there is
// one, that tell the client what to fix.
func TestMalformedBodiesSayWhatIsWrong(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		header := map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": mediaJSON}
		for _, c := range []struct {
			name, body, field string
			message           string // how the message starts
		}{
			{"QueryNotString", `{"query": 5}`, "query", "query must be a JSON string."},
			{"OperationNameNotString", `{"query": "{ __typename }", "operationName": []}`, "operationName", "operationName must be a JSON string."},
			{"VariablesNotObject", `{"query": "{ __typename }", "variables": [1]}`, "variables", "variables must be a JSON object."},
			{"ExtensionsNotObject", `{"query": "{ __typename }", "extensions": "x"}`, "extensions", "extensions must be a JSON object."},
			{"TwoValues", `{"query": "{ __typename }"} {"query": "{ __typename }"}`, "", "The request body holds more than one JSON value."},
			{"Truncated", `{"query": `, "", "The request body must be a JSON object with a query: unexpected EOF."},
			{"NotAnObject", `"{ __typename }"`, "", "The request body must be a JSON object with a query: json: cannot unmarshal string"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := send(t, env.Server.URL, "POST", "/graphql", header, c.body)
				var errs []struct {
					Message    string
					Extensions struct{ Code, Field string }
				}
				json.Unmarshal(r.body["errors"], &errs)
				if r.status != http.StatusBadRequest || len(errs) != 1 {
					t.Fatalf("status %d: %s", r.status, r.raw)
				}
				if e := errs[0]; e.Extensions.Code != "BAD_USER_INPUT" || e.Extensions.Field != c.field || !strings.HasPrefix(e.Message, c.message) {
					t.Fatalf("got %+v, want field %q and message %q", e, c.field, c.message)
				}
			})
		}
	})
}
