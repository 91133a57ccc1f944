package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"partnergraph/compiled"
	"partnergraph/pgtest"
	"partnergraph/server"
)

// encodingCheck is an extension that encodes every response a test server
// answers both as /graphql does (server.EncodeResponse) and as
// json.Marshal does, and keeps each response where the two differ or
// json.Marshal refuses the data.
type encodingCheck struct {
	mu       sync.Mutex
	seen     int
	mismatch []string
}

func (*encodingCheck) ExtensionName() string                   { return "EncodingCheck" }
func (*encodingCheck) Validate(graphql.ExecutableSchema) error { return nil }

func (c *encodingCheck) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || resp.Data == nil {
		return resp
	}
	want, err := json.Marshal(resp)
	got := server.EncodeResponse(resp)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen++
	switch {
	case err != nil:
		c.mismatch = append(c.mismatch, fmt.Sprintf("json.Marshal refuses %q: %v\n encoded: %s", resp.Data, err, got))
	case !bytes.Equal(got, want):
		c.mismatch = append(c.mismatch, fmt.Sprintf("got:  %s\nwant: %s", got, want))
	}
	return resp
}

// hostileText holds what a response's encoding escapes or must keep: HTML
// characters, the line and paragraph separators, quotes, backslashes,
// control characters, non-ASCII text and JSON escapes sent as text.
var hostileText = []string{
	`<script>alert("x")</script> & co >`,
	"line\u2028para\u2029 end \u2027",
	`say "hi" \ back\\slash \" \u003c \/`,
	"ctl \x01\x08\x0b\x0c\x1b\x1f\x7f\t\r\n",
	"Zürich – 東京 ☃ 😀 \ufeff\u00ad\ufffd",
	"\u2028<\u2029>&\\\"",
}

// TestResponsesEncodeAsJSONMarshalDoes stores hostile text in every kind of
// record through the graph and the REST shim, reads it back through both the
// compiled path and gqlgen's executor (data, errors with data, extensions,
// events' JSON payloads), and requires every response /graphql encoded to be
// the bytes json.Marshal writes.
func TestResponsesEncodeAsJSONMarshalDoes(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		check := &encodingCheck{}
		env := pgtest.New(t, dialect, func(c *server.Config) {
			c.Extensions = []graphql.HandlerExtension{compiled.New(100, nil), check}
		})
		executor := env.Another(t, func(c *server.Config) { c.Extensions = []graphql.HandlerExtension{check} })
		org := env.Org(t, "Hostile")
		other := env.Org(t, "Other")

		mutate := func(query string, vars map[string]any) map[string]any {
			t.Helper()
			var out map[string]any
			env.Query(t, org.Write, query, vars, &out)
			return out
		}
		id := func(m map[string]any, path ...string) string {
			var v any = m
			for _, p := range path {
				v = v.(map[string]any)[p]
			}
			return v.(string)
		}
		short := func(s string) string {
			if r := []rune(s); len(r) > 25 {
				return string(r[:25])
			}
			return s
		}
		website := func(s string) string {
			return "https://x.example/" + strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f {
					return -1
				}
				return r
			}, s)
		}
		var partnerIDs, tagIDs []string
		for i, s := range hostileText {
			p := mutate(`mutation($in: CreatePartnerInput!) { createPartner(input: $in) { partner { id } } }`, map[string]any{"in": map[string]any{
				"companyName": fmt.Sprintf("%d %s", i, s), "email": fmt.Sprintf("p%d@example.com", i), "partnerType": "CUSTOMER",
				"salesAmount": 1, "frequency": short(s), "paymentTerms": short(s), "websiteUrl": website(s), "countryLabel": s, "clientMutationId": s,
			}})
			partnerIDs = append(partnerIDs, id(p, "createPartner", "partner", "id"))
			tg := mutate(`mutation($n: String!) { createTag(input: {name: $n}) { tag { id } } }`, map[string]any{"n": fmt.Sprintf("%d %s", i, s)})
			tagIDs = append(tagIDs, id(tg, "createTag", "tag", "id"))
		}
		proj := id(mutate(`mutation($n: String!) { createProject(input: {name: $n}) { project { id } } }`, map[string]any{"n": hostileText[0]}), "createProject", "project", "id")
		tier := id(mutate(`mutation($n: String!) { createTier(input: {name: $n}) { tier { id } } }`, map[string]any{"n": hostileText[1]}), "createTier", "tier", "id")
		stage := id(mutate(`mutation($n: String!) { createStage(input: {name: $n}) { stage { id } } }`, map[string]any{"n": hostileText[2]}), "createStage", "stage", "id")
		textField := id(mutate(`mutation($n: String!) { createCustomField(input: {name: $n, type: TEXT}) { customField { id } } }`, map[string]any{"n": hostileText[3]}), "createCustomField", "customField", "id")
		selectField := id(mutate(`mutation($n: String!, $o: [CustomFieldOptionInput!]) { createCustomField(input: {name: $n, type: MULTI_SELECT, options: $o}) { customField { id } } }`,
			map[string]any{"n": hostileText[4], "o": []map[string]any{{"id": 1, "label": hostileText[5]}, {"id": 2, "label": hostileText[0]}}}), "createCustomField", "customField", "id")
		numberField := id(mutate(`mutation { createCustomField(input: {name: "n", type: NUMBER}) { customField { id } } }`, nil), "createCustomField", "customField", "id")
		for i, p := range partnerIDs {
			s := hostileText[i]
			mutate(`mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) { partnership { id } } }`, map[string]any{"in": map[string]any{
				"partnerId": p, "projectId": proj, "tierId": tier, "stageId": stage, "tagIds": tagIDs[:i+1], "assignedUserIds": []string{},
				"customFields": []map[string]any{
					{"customFieldId": textField, "text": s},
					{"customFieldId": selectField, "multiSelect": []int{1, 2}},
					{"customFieldId": numberField, "number": []float64{1e21, 5e-324, -0.0, 123456789, 1.7976931348623157e308, 0.1}[i]},
				},
				"fallbackData": map[string]any{"name": s, "logoSquareUuid": s, "websiteUrl": website(s), "countryLabel": s},
			}})
		}
		// The REST shim stores the same text by its own decoders.
		for _, s := range hostileText {
			body, _ := json.Marshal(map[string]any{"company_name": s, "email": "rest@example.com", "partner_type": "supplier",
				"sales_amount": 1, "frequency": "monthly", "payment_terms": "Net 30"})
			r := send(t, env.Server.URL, "POST", "/partners", map[string]string{"Authorization": "Bearer " + org.Write, "Content-Type": "application/json",
				"Requester-Organization-ID": org.UUID, "Target-Organization-ID": org.UUID}, string(body))
			if r.status != 200 {
				t.Fatalf("POST /partners: %d %s", r.status, r.raw)
			}
		}

		reads := []string{
			`{ partners(first: 50) { totalCount pageInfo { endCursor } edges { cursor node { id companyName frequency paymentTerms websiteUrl countryLabel
				partnerships(first: 10) { nodes { fallbackData { name logoSquareUuid websiteUrl countryLabel } tier { name } stage { name }
					tags { name } project { name } customFieldValues { field { name options { label } } text number select { label } multiSelect { label } } } } } } } }`,
			`query Q($s: String) { partners(first: 5, filter: {search: $s}) { nodes { a: companyName, b: companyName } } }`,
			`{ tags(first: 50) { nodes { name } } tiers { nodes { name } } stages { nodes { name } } customFields { nodes { name options { id label } } } projects { nodes { name } } }`,
			`{ events(first: 100) { nodes { type payload } } }`,
			`{ organization { name } viewer { organization { name } user { name } } }`,
			`{ partner(id: "UGFydG5lcjoxMDAwMA") { companyName } partners(first: 1) { nodes { companyName } } }`,
			`{ p: partner(id: "<\u2028>") { companyName } partners(first: 1) { nodes { companyName } } }`,
			`{ node(id: "` + partnerIDs[0] + `") { id ... on Partner { companyName } } nodes(ids: ["` + partnerIDs[1] + `", "x"]) { ... on Partner { companyName } } }`,
			`{ partners(first: 3, filter: {search: "` + "\\u2028<>&" + `"}) { nodes { companyName } } }`,
			`{ ` + "\"<\\u2028>\"" + ` }`,
			`{ __typename a: __typename }`,
		}
		for _, q := range reads {
			for _, base := range []string{env.Server.URL, executor.URL} {
				for _, k := range []string{org.Write, other.Read} {
					body := gql(q, map[string]any{"s": hostileText[1][:4]})
					r := send(t, base, "POST", "/graphql", map[string]string{"Authorization": "Bearer " + k, "Content-Type": "application/json"}, body)
					if r.status >= 500 {
						t.Errorf("%s: status %d: %s", q, r.status, r.raw)
					}
					if q == reads[0] && k == org.Write {
						for _, esc := range []string{`\u003cscript\u003e`, `\u2028`, `\u2029`, `\u0026`, `\u0001`, `\\\"`, "東京"} {
							if !bytes.Contains(r.raw, []byte(esc)) {
								t.Errorf("%s: the answer lacks %s: %s", base, esc, r.raw)
							}
						}
					}
				}
			}
		}
		check.mu.Lock()
		defer check.mu.Unlock()
		if check.seen < len(reads)*4 {
			t.Fatalf("only %d responses checked", check.seen)
		}
		for _, m := range check.mismatch {
			t.Error(m)
		}
		t.Logf("%d responses checked", check.seen)
	})
}
