package compiled_test

import (
	"encoding/json"
	"testing"

	"partnergraph/pgtest"
)

// TestCompiledMatchesExecutorOnCursorsAndVariables sends, under every
// caller, operations the generator does not write: real cursors of one list
// used on the same list, on another list and on a nested one, @skip and
// @include on nullable and defaulted variables, page sizes and filter ids
// from variables (null, numbers), fragments merging one edge's selections,
// interface fragments on connections' items, LIKE wildcards in searches,
// and errors deep in the tree. Both servers must answer the same bytes.
func TestCompiledMatchesExecutorOnCursorsAndVariables(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		p := newPair(t, dialect)
		w := p.data.callers[0]
		status, raw := post(t, p.executor, w, []byte(`{"query":"{ partners(first: 3) { edges { cursor } pageInfo { endCursor startCursor } } partnerships(first: 4) { pageInfo { endCursor startCursor } } r: partnerships(first:3, orderBy:{field: UPDATED_AT, direction: DESC}) { pageInfo { endCursor } } }"}`))
		var cur struct {
			Data struct {
				Partners struct {
					PageInfo struct{ EndCursor, StartCursor string }
				}
				Partnerships struct {
					PageInfo struct{ EndCursor, StartCursor string }
				}
				R struct{ PageInfo struct{ EndCursor string } }
			}
		}
		if err := json.Unmarshal(raw, &cur); err != nil || status != 200 || cur.Data.Partners.PageInfo.EndCursor == "" || cur.Data.Partnerships.PageInfo.EndCursor == "" {
			t.Fatalf("cursors: %d %s", status, raw)
		}
		pe, ps := cur.Data.Partners.PageInfo.EndCursor, cur.Data.Partnerships.PageInfo.EndCursor
		ids := p.data.ids
		docs := []struct {
			doc  string
			vars map[string]any
		}{
			{`query($a: String) { partners(first: 2, after: $a) { edges { cursor node { companyName } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }`, map[string]any{"a": pe}},
			{`query($a: String) { partners(last: 2, before: $a) { edges { cursor node { companyName } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, map[string]any{"a": pe}},
			{`query($a: String) { partnerships(first: 3, after: $a) { nodes { id partner { partnerships(first: 2, after: $a) { nodes { id } pageInfo { endCursor } } } } } }`, map[string]any{"a": ps}},
			{`query($a: String) { partnerships(first: 3, after: $a, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { id } } }`, map[string]any{"a": cur.Data.R.PageInfo.EndCursor}},
			{`query($a: String) { partners(first: 3, after: $a) { nodes { id } } }`, map[string]any{"a": ps}},
			{`query($a: String) { partnerships(first: 3, after: $a) { nodes { id } } }`, map[string]any{"a": pe}},
			{`{ partners(first: 5) { nodes { ...P ...P2 } } } fragment P on Partner { companyName partnerships(first: 2) { nodes { tier { name } } } } fragment P2 on Partner { companyName partnerships(first: 2) { nodes { tier { id } stage { name } } } }`, nil},
			{`{ partners(first: 5) { nodes { ... on Node { id } ... on Partner { uuid } ... on Partnership { isDefault } } } }`, nil},
			{`query($s: Boolean!, $i: Boolean = true) { partners(first: 5) { nodes { companyName @skip(if: $s) email @include(if: $i) partnerships(first: 2) @include(if: $s) { totalCount } } } }`, map[string]any{"s": true}},
			{`query($s: Boolean!, $i: Boolean = true) { partners(first: 5) { nodes { companyName @skip(if: $s) email @include(if: $i) partnerships(first: 2) @include(if: $s) { totalCount } } } }`, map[string]any{"s": false, "i": false}},
			{`query($s: Boolean) { partners(first: 5) { nodes { companyName @skip(if: $s) } } }`, map[string]any{"s": nil}},
			{`{ partners(first: 100) { nodes { partnerships(first: 100) { nodes { partner { partnerships(first: 100) { nodes { stage { allowedNextStages { allowedNextStages { name } } } } } } } } } } }`, nil},
			{`{ partners(first: 5) { nodes { partnerships(first: 101) { totalCount } } } }`, nil},
			{`{ partners(first: 5) { nodes { companyName partnerships(first: 2, filter: {tierId: "` + ids["Tier"][0] + `"}) { totalCount nodes { tier { name } } } } } }`, nil},
			{`{ partners(first: 5) { nodes { companyName partnerships(first: 2, filter: {tierId: "` + ids["Tier"][4] + `"}) { totalCount nodes { tier { name } } } } } }`, nil},
			{`query($t: ID) { partners(first: 5) { nodes { partnerships(filter: {tierId: $t}) { totalCount } } } }`, map[string]any{"t": 1}},
			{`query($t: ID) { partners(first: 5) { nodes { partnerships(filter: {tierId: $t}) { totalCount } } } }`, map[string]any{"t": "1"}},
			{`query($n: Int) { partners(first: $n) { nodes { partnerships(first: $n) { totalCount } } } }`, map[string]any{"n": nil}},
			{`query($n: Int) { partners(first: 2) { nodes { partnerships(first: $n, last: $n) { totalCount } } } }`, map[string]any{"n": 1}},
			{`{ partners(first: 2) { nodes { partnerships(first: 1, last: 1) { nodes { id } } } } }`, nil},
			{`{ partners(first: 2) { nodes { partnerships(after: "x") { nodes { id } } } } }`, nil},
			{`{ partners(first: 3) { nodes { partnerships(filter: {updatedSince: "2000-01-01T00:00:00+05:00"}) { totalCount } } } }`, nil},
			{`{ partners(first: 3) { nodes { partnerships(filter: {updatedSince: "2999-01-01T00:00:00Z"}) { totalCount pageInfo { startCursor hasNextPage } } } } }`, nil},
			{`{ partners(first: 3) { nodes { partnerships(filter: {isDefault: null, tierId: null}) { totalCount } } } }`, nil},
			{`{ partners(first: 3) { nodes { partnerships(orderBy: {field: UPDATED_AT, direction: null}) { totalCount } } } }`, nil},
			{`{ partners(first: 3) { nodes { partnerships(filter: {partnerId: "` + ids["Partner"][1] + `"}) { totalCount } } } }`, nil},
			{`{ partners(first: 3) { nodes { partnerships(filter: {projectId: "` + ids["Project"][0] + `"}) { totalCount } } } projects { nodes { partnerships(filter: {partnerId: "` + ids["Partner"][2] + `"}) { totalCount nodes { id } } } } }`, nil},
			{`{ a: partner(id: "` + ids["Partner"][2] + `") { id } b: partner(id: "` + ids["Partner"][9] + `") { id } c: partnership(id: "` + ids["Partner"][2] + `") { id } }`, nil},
			{`{ partners(first: 3) { nodes { __typename guestOrganization { __typename name } organization { id } partnerships { edges { __typename node { __typename } } pageInfo { __typename } __typename } } __typename } }`, nil},
			{`{ partnerships(first: 10) { nodes { customFieldValues { __typename field { __typename options { __typename id } } select { __typename } multiSelect { label } number date text boolean } fallbackData { __typename name } } } }`, nil},
			{`{ partnerships(first: 10) { nodes { assignedUsers { organization { name } } tags { id } } } }`, nil},
			{`{ partnerships(first: 10, filter: {tagId: "` + ids["Tag"][1] + `", assignedUserId: "` + ids["User"][1] + `"}) { totalCount nodes { id } } }`, nil},
			{`{ partners(first: 10, filter: {search: "%"}) { totalCount nodes { companyName } } }`, nil},
			{`{ partners(first: 10, filter: {search: "_"}) { totalCount nodes { companyName } } }`, nil},
			{`{ partners(first: 10, filter: {search: "\\"}) { totalCount nodes { companyName } } }`, nil},
			{`{ partners(first: 10, filter: {search: "ω"}) { totalCount nodes { companyName } } }`, nil},
			{`{ partners(first: 10, filter: {invitationStatus: INVITED}) { totalCount nodes { companyName invitationStatus } } }`, nil},
			{`{ partners(first: 3, orderBy: {field: SALES_AMOUNT}) { pageInfo { endCursor } nodes { salesAmount } } }`, nil},
			{`{ tiers(last: 2) { edges { cursor node { name rank } } pageInfo { hasPreviousPage startCursor } } }`, nil},
			{`{ stages(first: 10, filter: {search: "o"}) { nodes { name allowedNextStages { name } } totalCount } }`, nil},
			{`{ customFields { nodes { name type options { id label } } } }`, nil},
			{`{ partners(first: 2) { nodes { relationships { nodes { company { name } } } } } }`, nil},
			{`{ partners(first: 2) { totalCount } partnerships(first: 0) { totalCount nodes { id } pageInfo { endCursor hasNextPage } } }`, nil},
		}
		for _, c := range p.data.callers {
			for i, d := range docs {
				body, _ := json.Marshal(map[string]any{"query": d.doc, "variables": d.vars})
				s1, got := post(t, p.compiled, c, body)
				s2, want := post(t, p.executor, c, body)
				if s1 != s2 || string(got) != string(want) {
					if !sameUpToErrorOrder(got, want) {
						t.Errorf("%d as %s differs: %s\n compiled %d: %s\n executor %d: %s", i, c.name, d.doc, s1, got, s2, want)
					}
				}
			}
		}
		t.Log(compiledShare(t, p))
	})
}
