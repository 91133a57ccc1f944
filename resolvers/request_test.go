package resolvers_test

import (
	"strings"
	"testing"

	"partnergraph/pgtest"
)

// TestBadRequestsGetACodeAndChangeNothing sends malformed and oversized
// operations; each gets a clear error with its code and writes nothing.
func TestBadRequestsGetACodeAndChangeNothing(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		w.partner(t, env, "TechCorp")
		deep := "{ partners { nodes { partnerships { nodes { partner { partnerships { nodes { partner { partnerships { nodes { partner { partnerships { nodes { partner { id } } } } } } } } } } } } } }"
		wide := "{ partners(first: 100) { nodes { partnerships(first: 100) { nodes { project { partnerships(first: 50) { nodes { id } } } } } } } }"
		cases := []struct {
			name, query string
			vars        map[string]any
			code, field string
		}{
			{"Unparseable", `{ partners { `, nil, "BAD_USER_INPUT", ""},
			{"UnknownField", `{ partners { nodes { salary } } }`, nil, "BAD_USER_INPUT", ""},
			{"WrongVariableType", `query($n: Int) { partners(first: $n) { nodes { id } } }`, map[string]any{"n": "ten"}, "BAD_USER_INPUT", "n"},
			{"MissingRequiredVariable", `query($id: ID!) { partner(id: $id) { id } }`, nil, "BAD_USER_INPUT", ""},
			{"UnknownID", `{ partner(id: "UGFydG5lcjo5OTk5OQ") { id } }`, nil, "NOT_FOUND", ""},
			{"MalformedID", `{ partner(id: "%%%") { id } }`, nil, "BAD_USER_INPUT", "id"},
			{"IDOfAnotherType", `query($id: ID!) { partner(id: $id) { id } }`, map[string]any{"id": gid("Tier", w.tier.ID)}, "BAD_USER_INPUT", "id"},
			{"FirstOver100", `{ partners(first: 101) { nodes { id } } }`, nil, "BAD_USER_INPUT", "first"},
			{"NegativeLast", `{ partners(last: -1) { nodes { id } } }`, nil, "BAD_USER_INPUT", "last"},
			{"FirstAndLast", `{ partners(first: 1, last: 1) { nodes { id } } }`, nil, "BAD_USER_INPUT", "last"},
			{"GarbageCursor", `{ partners(after: "nope") { nodes { id } } }`, nil, "BAD_USER_INPUT", "after"},
			{"CursorOfAnotherOrdering", `query($c: String!) { partners(after: $c, orderBy: {field: COMPANY_NAME}) { nodes { id } } }`,
				map[string]any{"c": "eyJ2IjoxLCJvIjoiaWQiLCJpIjoxfQ"}, "BAD_USER_INPUT", "after"},
			{"TooDeep", deep, nil, "BAD_USER_INPUT", ""},
			{"TooCostly", wide, nil, "BAD_USER_INPUT", ""},
			{"InvalidEmail", `mutation { createPartner(input: {companyName: "A", email: "not-an-email", partnerType: CUSTOMER, salesAmount: 1, frequency: "m", paymentTerms: "n"}) { partner { id } } }`, nil, "BAD_USER_INPUT", "email"},
			{"NameTooLong", `mutation($n: String!) { createPartner(input: {companyName: $n, email: "a@b.co", partnerType: CUSTOMER, salesAmount: 1, frequency: "m", paymentTerms: "n"}) { partner { id } } }`,
				map[string]any{"n": strings.Repeat("x", 101)}, "BAD_USER_INPUT", "companyName"},
			{"NegativeSales", `mutation { createPartner(input: {companyName: "A", email: "a@b.co", partnerType: CUSTOMER, salesAmount: -1, frequency: "m", paymentTerms: "n"}) { partner { id } } }`, nil, "BAD_USER_INPUT", "salesAmount"},
			{"UnknownEnum", `mutation { createPartner(input: {companyName: "A", email: "a@b.co", partnerType: PARTNER, salesAmount: 1, frequency: "m", paymentTerms: "n"}) { partner { id } } }`, nil, "BAD_USER_INPUT", ""},
			{"BadWebsite", `mutation { createPartner(input: {companyName: "A", email: "a@b.co", partnerType: CUSTOMER, salesAmount: 1, frequency: "m", paymentTerms: "n", websiteUrl: "javascript:alert(1)"}) { partner { id } } }`, nil, "BAD_USER_INPUT", "websiteUrl"},
			{"BadUUIDScalar", `mutation { createPartner(input: {companyName: "A", email: "a@b.co", partnerType: CUSTOMER, salesAmount: 1, frequency: "m", paymentTerms: "n", logoSquareUuid: "nope"}) { partner { id } } }`, nil, "BAD_USER_INPUT", "logoSquareUuid"},
			{"BadFallbackURL", `mutation($id: ID!) { updatePartnership(input: {id: $id, fallbackData: {websiteUrl: "ftp://x"}}) { partnership { id } } }`,
				map[string]any{"id": gid("Partnership", w.partnership(t, env, w.partner(t, env, "Fallback Co")).ID)}, "BAD_USER_INPUT", "fallbackData.websiteUrl"},
			{"BlankTagName", `mutation { createTag(input: {name: "   "}) { tag { id } } }`, nil, "BAD_USER_INPUT", "name"},
			{"DuplicateTag", `mutation { createTag(input: {name: "strategic"}) { tag { id } } }`, nil, "CONFLICT", "name"},
			{"SelectWithoutOptions", `mutation { createCustomField(input: {name: "Pick", type: SELECT}) { customField { id } } }`, nil, "BAD_USER_INPUT", "options"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := env.Snapshot(t, w.org.ID)
				r := env.Do(t, pgtest.Request{Key: w.org.Write, Query: c.query, Variables: c.vars})
				if len(r.Errors) == 0 {
					t.Fatalf("want an error, got %s", r.Data)
				}
				e := r.Errors[0]
				if e.Code() != c.code || (c.field != "" && e.Field() != c.field) || e.Message == "" {
					t.Fatalf("want %s %q, got %s %q: %s", c.code, c.field, e.Code(), e.Field(), e.Message)
				}
				if r.Status >= 500 {
					t.Fatalf("status %d", r.Status)
				}
				if after := env.Snapshot(t, w.org.ID); after != before {
					t.Fatalf("a refused request changed data")
				}
			})
		}
	})
}

// TestLimitsRunBeforeAnySQL: an over-limit query is refused without the
// database hearing of it beyond the API key, which admission looks up
// before anything else.
func TestLimitsRunBeforeAnySQL(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	w := newWorld(t, env, "Acme")
	env.Do(t, pgtest.Request{Key: w.org.Write, Query: "{ viewer {"})
	before := env.Statements()
	env.Do(t, pgtest.Request{Key: w.org.Write, Query: "{ viewer {"})
	authentication := env.Statements() - before
	nested := "{ partners(first: 100) { nodes { partnerships(first: 100) { nodes { project { partnerships(first: 100) { nodes { partner { partnerships(first: 100) { nodes { id } } } } } } } } } } }"
	for _, q := range []string{nested, "{ " + strings.Repeat("a: viewer { permission } ", 2000) + "}"} {
		before := env.Statements()
		r := env.Do(t, pgtest.Request{Key: w.org.Write, Query: q})
		if len(r.Errors) == 0 || r.Errors[0].Code() != "BAD_USER_INPUT" {
			t.Fatalf("want the limit's error, got %+v", r.Errors)
		}
		if n := env.Statements() - before; n != authentication {
			t.Fatalf("%d SQL statements ran for a refused query, %d beyond authentication", n, n-authentication)
		}
	}
}
