package server_test

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/ratelimit"
	"partnergraph/server"
)

// hostileDocument is a request body a holder of any valid key could send
// to make the server work: the answer it must get (BAD_USER_INPUT with
// want in its message) and how many errors it may carry at most.
type hostileDocument struct {
	name, body, want string
	maxErrors        int
}

// repeat joins n copies of f(i).
func repeat(n int, f func(i int) string) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(f(i))
	}
	return b.String()
}

// doubling is fragment H<levels> expanding to 2^levels selections.
func doubling(levels int) string {
	return "query { ...H" + strconv.Itoa(levels) + " } fragment H0 on Query { __typename } " +
		repeat(levels, func(i int) string { return fmt.Sprintf("fragment H%d on Query { ...H%d ...H%d } ", i+1, i, i) })
}

// independentCycles is k cycles of two fragments on Partner, spread together:
// each fragment selects k fields, the i-th of which leads back to the
// fragment's own cycle, advanced if i is the cycle's number and as it was
// if not. Merging those fields level by level meets every combination of
// the cycles' phases, 2^k of them, unless a cycle is followed once.
func independentCycles(k int) string {
	var b strings.Builder
	b.WriteString("query { partner(id: \"UGFydG5lcjox\") { ")
	for j := range k {
		fmt.Fprintf(&b, "...Q%d_0 ", j)
	}
	b.WriteString("} } ")
	for j := range k {
		for phase := range 2 {
			fmt.Fprintf(&b, "fragment Q%d_%d on Partner { ", j, phase)
			for i := range k {
				next := phase
				if i == j {
					next = 1 - phase
				}
				fmt.Fprintf(&b, "a%d: partnerships { nodes { partner { ...Q%d_%d } } } ", i, j, next)
			}
			b.WriteString("} ")
		}
	}
	return b.String()
}

// hostileDocuments are the documents of each kind of expensive request,
// the worst of each kind up to the 1 MiB body limit included. Each count
// is divided by scale: the fuzz target seeds its corpus with them a tenth
// the size, against limits a tenth the defaults.
func hostileDocuments(scale int) []hostileDocument {
	body := (1<<20 - 64) / scale
	n := func(count int) int { return count / scale }
	q := func(query string) string { b, _ := json.Marshal(map[string]string{"query": query}); return string(b) }
	return []hostileDocument{
		{"TenThousandTypenames", q("query { " + strings.Repeat("__typename ", n(10000)) + "}"), "fields", 1},
		{"TypenamesToBodyLimit", q("query { " + strings.Repeat("__typename ", body/11) + "}"), "tokens", 1},
		{"TenThousandRealFields", q("query { " + strings.Repeat("viewer { permission } ", n(10000)) + "}"), "tokens", 1},
		{"ThreeThousandRealFields", q("query { " + strings.Repeat("viewer { permission } ", n(3000)) + "}"), "fields", 1},
		{"FifteenHundredTypenameAliases", q("query { " + repeat(n(1500), func(i int) string { return fmt.Sprintf("a%d: __typename ", i) }) + "}"), "fields", 1},
		{"FragmentsDoubling30", q(doubling(30)), "1073741824 fields", 1},
		{"FragmentsDoubling40", q(doubling(40)), "fields", 1},
		{"UnusedFragmentsDoubling30", q(strings.Replace(doubling(30), "...H30", "__typename", 1)), "1073741825 fields", 1},
		{"FragmentsDoubling1000", q(doubling(n(1000))), "more than", 1},
		{"TwentyThousandDirectives", q("query { __typename " + strings.Repeat("@aa ", n(20000)) + "}"), "tokens", 1},
		{"SevenThousandDirectives", q("query { __typename " + strings.Repeat("@aa ", n(7000)) + "}"), "Unknown directive", 100},
		{"ThreeThousandUnusedVariables", q("query Q(" + repeat(n(3000), func(i int) string { return fmt.Sprintf("$v%d: Int ", i) }) + ") { __typename }"), "never used", 100},
		{"SevenHundredDirectivesOnVariables", q("query Q(" + repeat(n(700), func(i int) string { return fmt.Sprintf("$v%d: Boolean! ", i) }) + ") { __typename " +
			repeat(n(700), func(i int) string { return fmt.Sprintf("@include(if: $v%d) ", i) }) + "}"), "can only be used once", 100},
		{"TwoThousandOperations", q(repeat(n(2000), func(i int) string { return fmt.Sprintf("query A%d { __typename } ", i) })), "fields", 1},
		{"TwelveHundredFragmentsSpread", q("query { " + repeat(n(1200), func(i int) string { return fmt.Sprintf("...F%d ", i) }) + "} " +
			repeat(n(1200), func(i int) string { return fmt.Sprintf("fragment F%d on Query { __typename } ", i) })), "fields", 1},
		{"ConflictingAliases", q("query { " + repeat(n(450), func(i int) string { return fmt.Sprintf("a: partners(first: %d) { totalCount } ", i+1) }) + "}"), "conflict", 100},
		{"NineHundredLevelsDeep", q(strings.Repeat("{ viewer ", n(900)) + "{ permission }" + strings.Repeat(" }", n(900))), "levels deep", 1},
		{"AliasedIntrospection", q("query { " + repeat(n(150), func(i int) string { return fmt.Sprintf("s%d: __schema { types { name fields { name } } } ", i) }) + "}"), "costs", 1},
		{"CommentsToBodyLimit", q(strings.Repeat("#"+strings.Repeat("x", 98)+"\n", body/101) + "query { nope }"), "Cannot query field", 1},
		{"FragmentCycleBranching", q("query { partner(id: \"UGFydG5lcjox\") { ...F } } fragment F on Partner { " +
			"x: partnerships { nodes { partner { ...F } } } y: partnerships { nodes { partner { ...F } } } }"), "within itself", 2},
		{"IndependentFragmentCycles", q(independentCycles(n(12))), "within itself", 100},
		{"ConnectionsMultiplied", q("query { partners(first: 100) { nodes { partnerships(first: 100) { nodes { project { partnerships(first: 100) { nodes { id } } } } } } } }"), "costs", 1},
	}
}

// TestHostileDocuments sends each hostile document as a READ key: each is
// refused with BAD_USER_INPUT and a message saying why, with few errors,
// before any SQL beyond the key's, and the server still answers.
func TestHostileDocuments(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	org := env.Org(t, "Acme")
	h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
	send(t, env.Server.URL, "POST", "/graphql", h, gql(`{ viewer {`, nil))
	before := env.Statements()
	send(t, env.Server.URL, "POST", "/graphql", h, gql(`{ viewer {`, nil))
	authentication := env.Statements() - before
	for _, d := range hostileDocuments(1) {
		t.Run(d.name, func(t *testing.T) {
			before := env.Statements()
			r := send(t, env.Server.URL, "POST", "/graphql", h, d.body)
			var errs []struct {
				Message    string
				Extensions struct{ Code string }
			}
			json.Unmarshal(r.body["errors"], &errs)
			if r.status != 200 || len(errs) == 0 || errs[0].Extensions.Code != "BAD_USER_INPUT" || !strings.Contains(r.body2(), d.want) {
				t.Fatalf("status %d: %.600s", r.status, r.raw)
			}
			if _, has := r.body["data"]; has {
				t.Fatal("a refused request has a data entry")
			}
			if len(errs) > d.maxErrors {
				t.Fatalf("%d errors, at most %d expected", len(errs), d.maxErrors)
			}
			if n := env.Statements() - before; n != authentication {
				t.Fatalf("%d SQL statements ran, %d beyond authentication", n, n-authentication)
			}
		})
	}
	if r := send(t, env.Server.URL, "POST", "/graphql", h, gql(`{ viewer { permission } }`, nil)); r.status != 200 || r.code() != "" {
		t.Fatalf("after the hostile documents: %d %s", r.status, r.raw)
	}
}

// body2 is the errors of the reply as text.
func (r reply) body2() string { return string(r.body["errors"]) }

// TestMetaFieldsCost: __typename and introspection count as fields and
// cost what they answer, so they draw from the rate limit like any query.
func TestMetaFieldsCost(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) {
		c.RateLimit = &ratelimit.Limiter{Capacity: 100000, Rate: 0.001, Store: &ratelimit.Memory{}}
	})
	org := env.Org(t, "Acme")
	h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
	costOf := func(query string) (int, int) {
		r := send(t, env.Server.URL, "POST", "/graphql", h, gql(query, nil))
		var ext struct{ Cost struct{ Requested int } }
		json.Unmarshal(r.body["extensions"], &ext)
		remaining, _ := strconv.Atoi(r.header.Get("X-Ratelimit-Remaining"))
		if r.status != 200 || r.code() != "" {
			t.Fatalf("%s: %d %.300s", query, r.status, r.raw)
		}
		return ext.Cost.Requested, remaining
	}
	if c, _ := costOf(`{ a: __typename b: __typename c: __typename }`); c != 3 {
		t.Fatalf("three __typename cost %d", c)
	}
	var types struct {
		Schema struct{ Types []struct{ Name string } } `json:"__schema"`
	}
	env.Query(t, org.Read, `{ __schema { types { name } } }`, nil, &types)
	c, left := costOf(`{ __schema { types { name } } }`)
	// __schema, types, and each type's name.
	if want := 2 + len(types.Schema.Types); c != want {
		t.Fatalf("introspection of %d type names cost %d, want %d", len(types.Schema.Types), c, want)
	}
	c2, left2 := costOf(`{ __schema { types { name } } }`)
	if c2 != c || left-left2 < c {
		t.Fatalf("introspection did not draw its cost %d from the bucket: %d then %d left", c, left, left2)
	}
	full, _ := costOf(graphiqlIntrospection)
	t.Logf("GraphiQL introspection costs %d", full)
	if full < 1000 || full > server.DefaultLimits.MaxCost {
		t.Fatalf("GraphiQL's introspection query costs %d", full)
	}
}

// TestTooManyIDsCostAPage: nodes(ids:) answers at most a page of IDs and
// refuses more; 5,000 IDs are refused for what a page costs, not charged
// 5,001 points of the key's rate limit first.
func TestTooManyIDsCostAPage(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) {
		c.RateLimit = &ratelimit.Limiter{Capacity: 1000, Rate: 0.001, Store: &ratelimit.Memory{}}
	})
	org := env.Org(t, "Acme")
	h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
	ids := make([]string, 5000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%q", pg.GlobalID("Partner", int64(i+1)))
	}
	body := `{"query":"query($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":[` + strings.Join(ids, ",") + `]}}`
	r := send(t, env.Server.URL, "POST", "/graphql", h, body)
	var ext struct{ Cost struct{ Requested int } }
	json.Unmarshal(r.body["extensions"], &ext)
	if r.code() != "BAD_USER_INPUT" || !strings.Contains(r.body2(), "At most 100 IDs") || ext.Cost.Requested != 101 {
		t.Fatalf("5,000 IDs: %d, cost %d: %.300s", r.status, ext.Cost.Requested, r.raw)
	}
	if left, _ := strconv.Atoi(r.header.Get("X-Ratelimit-Remaining")); left != 1000-101 {
		t.Fatalf("5,000 IDs left %d of 1000 points, want %d", left, 1000-101)
	}
}

// TestOverflowingIntCannotRefillTheBucket: an Int past 32 bits once wrapped
// the cost negative and refilled the key's bucket.
func TestOverflowingIntCannotRefillTheBucket(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) {
		c.RateLimit = &ratelimit.Limiter{Capacity: 100, Rate: 0.001, Store: &ratelimit.Memory{}}
	})
	org := env.Org(t, "Acme")
	h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
	costly := gql(`{ partners(first: 40) { nodes { id } } }`, nil) // 81 points
	if r := send(t, env.Server.URL, "POST", "/graphql", h, costly); r.status != 200 {
		t.Fatalf("first: %d %s", r.status, r.raw)
	}
	for _, n := range []string{"4611686018427387904", "9223372036854775807", "-9223372036854775808", "2147483648"} {
		body := `{"query":"query($n: Int) { partners(first: $n) { nodes { partnerships(first: $n) { nodes { id } } } } }","variables":{"n":` + n + `}}`
		if r := send(t, env.Server.URL, "POST", "/graphql", h, body); r.code() != "BAD_USER_INPUT" {
			t.Fatalf("first: %s: %d %s", n, r.status, r.raw)
		}
	}
	r := send(t, env.Server.URL, "POST", "/graphql", h, costly)
	if r.status != 429 {
		t.Fatalf("the spent key ran a query after the overflowing ones: %d %s", r.status, r.raw)
	}
	if left, _ := strconv.Atoi(r.header.Get("X-Ratelimit-Remaining")); left > 100 || left < 0 {
		t.Fatalf("X-Ratelimit-Remaining %d outside 0…100", left)
	}
}

// TestValidationErrorsAreCapped: twenty thousand unknown directives fit in
// the token limit only in part; those that do give 100 errors, not one each.
func TestValidationErrorsAreCapped(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	org := env.Org(t, "Acme")
	r := env.Do(t, pgtest.Request{Key: org.Read, Query: "{ __typename " + strings.Repeat("@aa ", 7000) + "}"})
	if len(r.Errors) != 100 || !strings.Contains(r.Errors[99].Message, "more errors") {
		t.Fatalf("%d errors; the last: %+v", len(r.Errors), r.Errors[len(r.Errors)-1])
	}
}

// graphiqlIntrospection is the query GraphiQL sends to draw its docs.
const graphiqlIntrospection = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
