package compiled_test

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"partnergraph/pgtest"
)

// served reads how many operations the compiled server counted under
// outcome/reason.
func (p *pair) served(t *testing.T) map[string]int {
	t.Helper()
	resp, err := p.compiled.Client().Get(p.compiled.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]int{}
	for _, m := range compiledLine.FindAllStringSubmatch(string(raw), -1) {
		n, _ := strconv.Atoi(m[3])
		out[m[1]+"/"+m[2]] = n
	}
	return out
}

// Each execution rule, on both servers: the answers must be the same bytes,
// the compiled path must serve the operation or fall back for the reason
// given, and the answer must show what the rule says.
func TestExecutionRules(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		vars   map[string]any
		served string // outcome/reason the compiled server counts
		want   []string
	}{
		{"aliases and one field twice with different arguments",
			`{ a: partners(first: 2) { nodes { n: companyName x: partnerships(first: 1) { totalCount } y: partnerships(first: 2, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { id } } } } b: partners(first: 1) { totalCount } }`,
			nil, "compiled/", []string{`"a":{"nodes":[{"n":`, `"x":{"totalCount":`, `"b":{"totalCount":`}},
		{"named fragments, inline fragments on the type and on the Node interface",
			`{ partners(first: 2) { nodes { ... on Node { id } ...F ... on Partner { email } } } } fragment F on Partner { companyName }`,
			nil, "compiled/", []string{`{"id":"`, `"companyName":"`, `"email":"`}},
		{"@skip and @include on variables and literals",
			`query($no: Boolean!, $yes: Boolean!) { partners(first: 1) { nodes { companyName @skip(if: $yes) email @include(if: $yes) id @include(if: $no) salesAmount @skip(if: false) } } }`,
			map[string]any{"no": false, "yes": true}, "compiled/", []string{`{"email":"`, `"salesAmount":`}},
		{"@skip with the other values plans anew",
			`query($no: Boolean!, $yes: Boolean!) { partners(first: 1) { nodes { companyName @skip(if: $yes) email @include(if: $yes) id @include(if: $no) salesAmount @skip(if: false) } } }`,
			map[string]any{"no": true, "yes": false}, "compiled/", []string{`{"companyName":"`, `"id":"`}},
		{"__typename at every level",
			`{ __typename partnerships(first: 3) { __typename edges { __typename cursor node { __typename tier { __typename } } } pageInfo { __typename hasNextPage } } }`,
			nil, "compiled/", []string{`"__typename":"Query"`, `"__typename":"PartnershipConnection"`, `"__typename":"PartnershipEdge"`, `"__typename":"PageInfo"`}},
		{"nullable edges that are not set are null",
			`{ partnerships(first: 20) { nodes { tier { name } category { name } project { name } fallbackData { name } customFieldValues { select { label } multiSelect { label } } } } }`,
			nil, "compiled/", []string{`"tier":null`, `"category":null`, `"fallbackData":null`}},
		{"a bad nested argument: the error has the item's path and null propagates to data",
			`{ partners(first: 2) { nodes { partnerships(first: 101) { totalCount } } } }`,
			nil, "fallback/runtime", []string{`"data":null`, `"path":["partners","nodes",`, `"partnerships"]`}},
		{"a root resolver's error is gqlgen's to report",
			`{ partnerships(after: "not-a-cursor") { totalCount } tiers(first: 1) { totalCount } }`,
			nil, "fallback/runtime", []string{`"data":null`, `"path":["partnerships"]`}},
		{"a nullable root field not found is null with its error",
			`{ partner(id: "UGFydG5lcjo5OTk5OTk") { id } tags(first: 1) { totalCount } }`,
			nil, "fallback/runtime", []string{`"partner":null`, `"code":"NOT_FOUND"`, `"tags":{"totalCount":`}},
		{"node over mixed types falls back", `{ node(id: "UGFydG5lcjox") { __typename ... on Partner { companyName } ... on Tier { name } } }`,
			nil, "fallback/root_field", nil},
		{"a field without a writer falls back", `{ partners(first: 1) { nodes { relationships { totalCount } } } }`,
			nil, "fallback/field", nil},
		{"introspection falls back", `{ __schema { queryType { name } } }`, nil, "fallback/introspection", []string{`"name":"Query"`}},
	}
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		p := newPair(t, dialect)
		write := p.data.callers[0]
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := p.served(t)
				if diff := p.compare(t, write, tc.query, tc.vars); diff != "" {
					t.Fatal(diff)
				}
				after := p.served(t)
				if after[tc.served] != before[tc.served]+1 {
					t.Errorf("want the operation counted as %s; before %v, after %v", tc.served, before, after)
				}
				body, _ := json.Marshal(map[string]any{"query": tc.query, "variables": tc.vars})
				_, got := post(t, p.compiled, write, body)
				for _, w := range tc.want {
					if !strings.Contains(string(got), w) {
						t.Errorf("answer lacks %s: %s", w, got)
					}
				}
			})
		}
	})
}
