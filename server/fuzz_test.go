package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"partnergraph/demo"
	"partnergraph/pgtest"
	"partnergraph/server"
)

// fuzzContentTypes and fuzzAccepts are what a fuzzed request may claim to
// send and accept. text/event-stream is left out: it asks for the SSE
// transport, whose answer is a stream, not a JSON document.
var (
	fuzzContentTypes = []string{"application/json", "application/json; charset=utf-8", "application/graphql-response+json",
		"application/graphql", "text/plain", "", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
		"application/json; charset=latin1"}
	fuzzAccepts = []string{"", "application/json", "application/graphql-response+json",
		"application/graphql-response+json, application/json;q=0.9", "*/*", "text/html", "application/xml"}
)

// FuzzGraphQLRequest sends arbitrary bodies (POST) and query strings (GET)
// to the real /graphql handler over a real SQLite database with the demo
// data. Whatever arrives, the answer is never a 5xx, and it is a GraphQL
// response: JSON with data or a non-empty errors list, every error with
// extensions.code. The seeds run as ordinary tests.
func FuzzGraphQLRequest(f *testing.F) {
	// One server per fuzz process, not per input.
	// The log is dropped: pgtest keeps it in memory, and a fuzz process
	// sends hundreds of thousands of requests.
	env := pgtest.New(f, "sqlite", func(c *server.Config) {
		c.RequestTimeout = 5 * time.Second
		c.Logger = slog.New(slog.DiscardHandler)
	})
	res, err := demo.Load(context.Background(), env.DB)
	if err != nil || res == nil {
		f.Fatalf("demo data: %v %v", res, err)
	}
	org := env.Org(f, "Fuzz Co")
	authorizations := []string{"Bearer " + res.APIKey, "Bearer " + org.Read, "", "Bearer pgk_nope", "Basic " + res.APIKey,
		"Bearer " + res.APIKey + "x", "bearer " + res.APIKey}
	handler := env.Server.Config.Handler

	q := func(query string) string { b, _ := json.Marshal(map[string]any{"query": query}); return string(b) }
	posts := []string{
		q(`{ viewer { user { name } organization { name } permission } }`),
		q(`{ partners(first: 3) { totalCount pageInfo { hasNextPage endCursor } nodes { id databaseId companyName } } }`),
		q(`{ __typename }`),
		q(`{ __schema { queryType { name } types { name kind } } }`),
		`{"query":"query Q($n: Int) { partners(first: $n) { nodes { companyName } } }","variables":{"n":2},"operationName":"Q"}`,
		`{"query":"query Q($n: Int) { partners(first: $n) { nodes { companyName } } }","variables":{"n":"two"}}`,
		`{"query":"query Q($n: Int) { partners(first: $n) { nodes { companyName } } }","variables":{"n":1e400}}`,
		`{"query":"query Q($n: Int) { partners(first: $n) { nodes { companyName } } }","variables":{"n":99999999999999999999999}}`,
		`{"query":"query Q($n: Int) { partners(first: $n) { nodes { companyName } } }","variables":{"n":-1}}`,
		`{"query":"query Q($n: Int) { partners(first: $n) { nodes { companyName } } }","variables":{"n":[[[[1]]]]}}`,
		`{"query":"query Q($n: Int!) { partners(first: $n) { nodes { companyName } } }","variables":{}}`,
		`{"query":"query Q($n: Int) { partners(first: $n) { nodes { companyName } } }","variables":"{\"n\":1}"}`,
		`{"query":"query Q($n: Int) { partners(first: $n) { nodes { companyName } } }","variables":[1,2]}`,
		`{"query":"query Q($a: String) { partners(first: 1, after: $a) { nodes { companyName } } }","variables":{"a":"not a cursor"}}`,
		`{"query":"query Q($id: ID!) { node(id: $id) { id } }","variables":{"id":"UGFydG5lcjox"}}`,
		`{"query":"query Q($id: ID!) { node(id: $id) { id } }","variables":{"id":{"nested":[1,[2,[3]]]}}}`,
		`{"query":"query A { __typename } query B { __typename }"}`,
		`{"query":"query A { __typename } query B { __typename }","operationName":"C"}`,
		`{"query":"query A { __typename }","operationName":5}`,
		`{"query":"mutation { __typename }"}`,
		`{"query":"subscription { __typename }"}`,
		`{"query":"fragment F on Query { ...F } { ...F }"}`,
		`{"query":"{ partners(first: 100) { nodes { partnerships(first: 100) { nodes { tags { name } } } } } }"}`,
		`{"query":"{ a: __typename b: __typename c: __typename }"}`,
		`{"query":"{ nope }"}`,
		`{"query":"{"}`,
		`{"query":""}`,
		`{"query":null}`,
		`{"query":5}`,
		`{"query":["{ __typename }"]}`,
		`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ecf4edb46db40b5132295c0291d62fb65d6759a9eedfa4d5d612dd5ec54a6b38"}}}`,
		`{"query":"{ __typename }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"0000"}}}`,
		`{"extensions":{"persistedQuery":{"version":"1","sha256Hash":5}}}`,
		`{"extensions":"x"}`,
		`[{"query":"{ __typename }"},{"query":"{ viewer { permission } }"}]`,
		`[]`, `[1]`, `[[]]`, `[null]`,
		`{}`, `null`, `true`, `"{ __typename }"`, `12`, ``, ` `, `{`, `{"query":"{ __typename }"`, `{"query":"{ __typename }"}garbage`,
		"\xef\xbb\xbf" + q(`{ __typename }`),
		q("{ __typename \x00 }"),
		q("{ partners(filter: { companyName: \"\xff\xfe\" }) { nodes { id } } }"),
		`{"query":"{ __typename }","query":"{ nope }"}`,
		`{"query":"{ __typename }","variables":{"` + strings.Repeat("a", 4096) + `":1}}`,
		q(strings.Repeat("{ partners { nodes { ", 40) + "id" + strings.Repeat(" } }", 40) + " }"),
		q("{ " + strings.Repeat("x: __typename ", 2000) + "}"),
		q(strings.Repeat("{", 5000)),
		strings.Repeat("[", 10000),
	}
	for i, body := range posts {
		f.Add(false, uint8(i%len(fuzzContentTypes)), uint8(i%3), uint8(i%2), body)
		if i < 4 {
			for ct := range fuzzContentTypes {
				f.Add(false, uint8(ct), uint8(ct%len(fuzzAccepts)), uint8(ct%len(authorizations)), body)
			}
		}
	}
	for i, raw := range []string{
		"query=%7B__typename%7D",
		"query={viewer{user{name}}}",
		"query=query+Q($n:Int){partners(first:$n){nodes{companyName}}}&variables=%7B%22n%22%3A2%7D&operationName=Q",
		"query=query+Q($n:Int){partners(first:$n){nodes{companyName}}}&variables=notjson",
		"query=query+Q($n:Int){partners(first:$n){nodes{companyName}}}&variables=%7B%22n%22%3A1e400%7D",
		"query=mutation{__typename}",
		"query=subscription{__typename}",
		"query=%7B__typename%7D&extensions=%7B%22persistedQuery%22%3A%7B%22version%22%3A1%7D%7D",
		"extensions=%7B%22persistedQuery%22%3A%7B%22version%22%3A1%2C%22sha256Hash%22%3A%22abc%22%7D%7D",
		"query=&query={__typename}",
		"query=%zz",
		"query",
		"",
		"=;&&&=",
		"query=%7B__typename%7D;variables=%7B%7D",
	} {
		f.Add(true, uint8(0), uint8(i%len(fuzzAccepts)), uint8(i%2), raw)
	}

	f.Fuzz(func(t *testing.T, get bool, contentType, accept, key uint8, input string) {
		var req *http.Request
		if get {
			req = httptest.NewRequest(http.MethodGet, "/graphql", nil)
			// A client sends the bytes a request line can carry; escape
			// the others as it would.
			req.URL.RawQuery = requestLineSafe(input)
			req.RequestURI = "/graphql?" + req.URL.RawQuery
		} else {
			req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(input))
			if ct := fuzzContentTypes[int(contentType)%len(fuzzContentTypes)]; ct != "" {
				req.Header.Set("Content-Type", ct)
			}
		}
		if a := fuzzAccepts[int(accept)%len(fuzzAccepts)]; a != "" {
			req.Header.Set("Accept", a)
		}
		if a := authorizations[int(key)%len(authorizations)]; a != "" {
			req.Header.Set("Authorization", a)
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if err := checkGraphQLResponse(w); err != nil {
			t.Fatalf("%s %s (Content-Type %q, Accept %q, Authorization %q) %q:\n%v\nstatus %d, Content-Type %q\n%.2000s",
				req.Method, req.URL, req.Header.Get("Content-Type"), req.Header.Get("Accept"), redact(req.Header.Get("Authorization")),
				input, err, w.Code, w.Header().Get("Content-Type"), w.Body.String())
		}
	})
}

// FuzzOperation sends arbitrary documents with arbitrary variables (a JSON
// object, or anything else) to the real /graphql handler as a READ key
// and a WRITE key, over a real SQLite database with the demo data. The
// seeds are the hostile documents, a tenth their size against limits a
// tenth the defaults (the fuzzer crawls on inputs of a hundred kilobytes),
// and the inputs coercion refuses. Whatever
// arrives, the answer keeps the contract of checkGraphQLResponse: never a
// 5xx, never INTERNAL, every error with its code. The seeds run as
// ordinary tests.
func FuzzOperation(f *testing.F) {
	env := pgtest.New(f, "sqlite", func(c *server.Config) {
		c.Limits = server.Limits{MaxTokens: 1500, MaxDepth: 12, MaxCost: 5000, MaxFields: 100}
		c.RequestTimeout = 5 * time.Second
		c.Logger = slog.New(slog.DiscardHandler)
	})
	res, err := demo.Load(context.Background(), env.DB)
	if err != nil || res == nil {
		f.Fatalf("demo data: %v %v", res, err)
	}
	org := env.Org(f, "Fuzz Co")
	keys := []string{res.APIKey, org.Read}
	for _, d := range append(hostileDocuments(10), coercionDocuments()...) {
		var req struct {
			Query     string          `json:"query"`
			Variables json.RawMessage `json:"variables"`
		}
		if err := json.Unmarshal([]byte(d.body), &req); err != nil {
			f.Fatalf("%s: %v", d.name, err)
		}
		f.Add(req.Query, string(req.Variables), false)
	}
	for _, seed := range []struct{ query, vars string }{
		{`query($n: Int) { partners(first: $n) { nodes { companyName } } }`, `{"n": 3}`},
		{`query($n: Int) { partners(first: $n) { nodes { companyName } } }`, `{"n": 1e400}`},
		{`query($f: PartnerFilter) { partners(filter: $f) { nodes { id } } }`, `{"f": {"partnerType": "SUPPLIER", "search": "a"}}`},
		{`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, `{"ids": ["UGFydG5lcjox", 1, 2.5]}`},
		{`mutation($in: CreateTagInput!) { createTag(input: $in) { tag { name } } }`, `{"in": {"name": "fuzz"}}`},
		{`mutation($in: CreateTagInput!) { createTag(input: $in) { tag { name } } }`, `{"in": {"name": null}}`},
		{`{ __type(name: "Partner") { fields { name type { ofType { ofType { name } } } } } }`, ``},
	} {
		f.Add(seed.query, seed.vars, true)
	}
	handler := env.Server.Config.Handler
	f.Fuzz(func(t *testing.T, query, vars string, write bool) {
		body, _ := json.Marshal(map[string]any{"query": query})
		if json.Valid([]byte(vars)) {
			body = []byte(`{"query":` + string(mustJSON(query)) + `,"variables":` + vars + `}`)
		}
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		key := keys[1]
		if write {
			key = keys[0]
		}
		req.Header.Set("Authorization", "Bearer "+key)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		if err := checkGraphQLResponse(w); err != nil {
			t.Fatalf("%q with variables %q:\n%v\nstatus %d\n%.2000s", query, vars, err, w.Code, w.Body.String())
		}
	})
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// checkGraphQLResponse is the contract of every answer of /graphql.
func checkGraphQLResponse(w *httptest.ResponseRecorder) error {
	if w.Code >= 500 {
		return fmt.Errorf("server error %d", w.Code)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/graphql-response+json") {
		return fmt.Errorf("Content-Type %q is not JSON", ct)
	}
	body := bytes.TrimSpace(w.Body.Bytes())
	if !json.Valid(body) {
		return fmt.Errorf("the body is not JSON")
	}
	if len(body) > 0 && body[0] == '[' {
		// A batch answers a list of responses.
		var list []json.RawMessage
		if err := json.Unmarshal(body, &list); err != nil {
			return err
		}
		if len(list) == 0 {
			return fmt.Errorf("an empty list of responses")
		}
		for i, r := range list {
			if err := checkOneResponse(r); err != nil {
				return fmt.Errorf("response %d: %w", i, err)
			}
		}
		return nil
	}
	return checkOneResponse(body)
}

func checkOneResponse(raw json.RawMessage) error {
	var r map[string]json.RawMessage
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("not a JSON object: %v", err)
	}
	data, hasData := r["data"]
	var errs []struct {
		Message    *string        `json:"message"`
		Extensions map[string]any `json:"extensions"`
	}
	if e, ok := r["errors"]; ok {
		if err := json.Unmarshal(e, &errs); err != nil {
			return fmt.Errorf("errors is not a list of errors: %v", err)
		}
		if len(errs) == 0 {
			return fmt.Errorf("errors is present but empty")
		}
	}
	if len(errs) == 0 && (!hasData || string(data) == "null") {
		return fmt.Errorf("neither data nor errors")
	}
	for i, e := range errs {
		if e.Message == nil || *e.Message == "" {
			return fmt.Errorf("error %d has no message", i)
		}
		code, _ := e.Extensions["code"].(string)
		if code == "" {
			return fmt.Errorf("error %d (%q) has no extensions.code", i, *e.Message)
		}
		// Whatever a client sends is the client's fault, never the server's.
		if code == "INTERNAL" {
			return fmt.Errorf("error %d (%q) is INTERNAL", i, *e.Message)
		}
	}
	return nil
}

// requestLineSafe percent-escapes the bytes an HTTP request line cannot
// carry in its query (controls, space, '#', non-ASCII).
func requestLineSafe(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c == '#' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func redact(authorization string) string {
	if len(authorization) > 20 {
		return authorization[:20] + "…"
	}
	return authorization
}
