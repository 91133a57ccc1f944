package resolvers_test

import (
	"encoding/json"
	"strings"
	"testing"

	"partnergraph/pgtest"
)

// TestInputCoercion sends values the specification's input coercion
// refuses (Int is 32-bit and integral, never a string; enum values are
// exact names; numbers are finite; text holds no U+0000; null cannot
// remove what cannot be removed). Each is BAD_USER_INPUT naming the input
// at fault, answered the same on both engines, before any SQL beyond the
// API key, and changes nothing; a password sent with the wrong type never
// appears in the answer or the log.
func TestInputCoercion(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		partner := w.partner(t, env, "TechCorp")
		ps := w.partnership(t, env, partner)
		const password = "s3cr3t-4711-hunter2"
		partners := `query($n: Int) { partners(first: $n) { nodes { id } } }`
		byType := `query($t: PartnerType) { partners(filter: {partnerType: $t}) { nodes { id } } }`
		setNumber := `mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { partnership { id } } }`
		number := func(v any) map[string]any {
			return map[string]any{"in": map[string]any{"id": gid("Partnership", ps.ID),
				"customFields": []any{map[string]any{"customFieldId": gid("CustomField", w.number.ID), "number": v}}}}
		}
		cases := []struct {
			name, query string
			vars        map[string]any
			field       string
		}{
			{"IntOf2To62", partners, map[string]any{"n": json.Number("4611686018427387904")}, "n"},
			{"IntPast32Bits", partners, map[string]any{"n": json.Number("2147483648")}, "n"},
			{"IntAsString", partners, map[string]any{"n": "2"}, "n"},
			{"IntFractional", partners, map[string]any{"n": json.Number("2.5")}, "n"},
			{"IntLiteralPast32Bits", `{ partners(first: 4294967296) { nodes { id } } }`, nil, "first"},
			{"NestedIntAsString", `mutation($in: UpdateTierInput!) { updateTier(input: $in) { tier { id } } }`,
				map[string]any{"in": map[string]any{"id": gid("Tier", w.tier.ID), "rank": "3"}}, "rank"},
			{"EnumInLowerCase", byType, map[string]any{"t": "customer"}, "t"},
			{"EnumInInputInLowerCase", `query($f: PartnerFilter) { partners(filter: $f) { nodes { id } } }`, map[string]any{"f": map[string]any{"partnerType": "Customer"}}, "partnerType"},
			{"NumberNaN", setNumber, number("NaN"), "customFields.0.number"},
			{"NumberInfinity", setNumber, number("Infinity"), "customFields.0.number"},
			{"NumberNaNLiteral", `mutation { updatePartnership(input: {id: "` + gid("Partnership", ps.ID) + `", customFields: [{customFieldId: "` + gid("CustomField", w.number.ID) + `", number: "NaN"}]}) { partnership { id } } }`, nil, ""},
			{"NullCharacterInTagName", `mutation { createTag(input: {name: "t\u0000x"}) { tag { id } } }`, nil, "name"},
			{"NullCharacterInVariable", `mutation($n: String!) { createTag(input: {name: $n}) { tag { id } } }`, map[string]any{"n": "t\x00x"}, "n"},
			{"NullCharacterInSearch", `{ partners(filter: {search: "a\u0000"}) { nodes { id } } }`, nil, "search"},
			{"NullCharacterInSearchVariable", `query($s: String) { partners(filter: {search: $s}) { nodes { id } } }`, map[string]any{"s": "\x00"}, "s"},
			{"NullCompanyName", `mutation { updatePartner(input: {id: "` + gid("Partner", partner.ID) + `", companyName: null}) { partner { companyName } } }`, nil, "companyName"},
			{"NullCompanyNameVariable", `mutation($in: UpdatePartnerInput!) { updatePartner(input: $in) { partner { companyName } } }`,
				map[string]any{"in": map[string]any{"id": gid("Partner", partner.ID), "companyName": nil}}, "companyName"},
			{"NullTierName", `mutation($n: String) { updateTier(input: {id: "` + gid("Tier", w.tier.ID) + `", name: $n}) { tier { name } } }`, map[string]any{"n": nil}, "name"},
			{"PasswordAsNumber", `mutation { connectPartnerIntegration(input: {partnerId: "` + gid("Partner", partner.ID) + `", businessId: "` + w.org.UUID + `", login: "l", password: 867530912}) { integration: partnerIntegration { id } } }`, nil, ""},
			{"PasswordAsEnum", `mutation { connectPartnerIntegration(input: {partnerId: "` + gid("Partner", partner.ID) + `", businessId: "` + w.org.UUID + `", login: "l", password: ` + strings.ReplaceAll(password, "-", "_") + `}) { integration: partnerIntegration { id } } }`, nil, ""},
			{"PasswordInObject", `mutation { connectPartnerIntegration(input: {partnerId: "` + gid("Partner", partner.ID) + `", businessId: "` + w.org.UUID + `", login: "l", password: {p: "` + password + `"}}) { integration: partnerIntegration { id } } }`, nil, ""},
			{"PasswordVariableAsNumber", `mutation($p: String!) { connectPartnerIntegration(input: {partnerId: "` + gid("Partner", partner.ID) + `", businessId: "` + w.org.UUID + `", login: "l", password: $p}) { integration: partnerIntegration { id } } }`,
				map[string]any{"p": json.Number("867530912")}, "p"},
		}
		env.Do(t, pgtest.Request{Key: w.org.Write, Query: "{ viewer {"})
		before := env.Statements()
		env.Do(t, pgtest.Request{Key: w.org.Write, Query: "{ viewer {"})
		authentication := env.Statements() - before
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				snapshot := env.Snapshot(t, w.org.ID)
				before := env.Statements()
				r := env.Do(t, pgtest.Request{Key: w.org.Write, Query: c.query, Variables: c.vars})
				if len(r.Errors) == 0 {
					t.Fatalf("want BAD_USER_INPUT, got data %s", r.Data)
				}
				e := r.Errors[0]
				if e.Code() != "BAD_USER_INPUT" || (c.field != "" && e.Field() != c.field) || e.Message == "" {
					t.Fatalf("want BAD_USER_INPUT %q, got %s %q: %s", c.field, e.Code(), e.Field(), e.Message)
				}
				if r.Status != 200 || (r.Data != nil && string(r.Data) != "null") {
					t.Fatalf("a request refused before execution: status %d, data %s", r.Status, r.Data)
				}
				if n := env.Statements() - before; n != authentication {
					t.Fatalf("%d SQL statements ran, %d beyond authentication", n, n-authentication)
				}
				if env.Snapshot(t, w.org.ID) != snapshot {
					t.Fatal("a refused request changed data")
				}
				raw, _ := json.Marshal(r)
				// Request ids are random hex: the secrets are not.
				for _, secret := range []string{"867530912", "hunter2", "s3cr3t"} {
					if strings.Contains(string(raw), secret) || strings.Contains(env.Log(), secret) {
						t.Fatalf("the answer or the log repeats the password (%s): %s", secret, raw)
					}
				}
			})
		}
		// The exact forms are accepted.
		env.Query(t, w.org.Read, byType, map[string]any{"t": "CUSTOMER"}, nil)
		env.Query(t, w.org.Read, partners, map[string]any{"n": json.Number("2")}, nil)
		env.Query(t, w.org.Write, setNumber, number(json.Number("1e3")), nil)
	})
}
