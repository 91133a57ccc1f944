package resolvers_test

import (
	"testing"

	"partnergraph/pgtest"
)

// TestValidationReportsEveryField: an input the domain refuses is one
// BAD_USER_INPUT error naming its first bad field in extensions.field and
// every bad field, with its reason and limit, in extensions.fields.
func TestValidationReportsEveryField(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		before := env.Snapshot(t, w.org.ID)
		e := env.MustFail(t, w.org.Write, `mutation($in: CreatePartnerInput!) { createPartner(input: $in) { partner { id } } }`,
			map[string]any{"in": map[string]any{"companyName": "", "email": "not-an-email", "partnerType": "CUSTOMER", "salesAmount": -1,
				"frequency": "monthly", "paymentTerms": "net 30", "websiteUrl": "ftp://x.example"}}, "BAD_USER_INPUT", "companyName")
		fields, _ := e.Extensions["fields"].([]any)
		want := []struct {
			field, reason string
			limit         float64
		}{{"companyName", "REQUIRED", 1}, {"email", "INVALID_FORMAT", -1}, {"salesAmount", "BELOW_MINIMUM", 0}, {"websiteUrl", "INVALID_FORMAT", -1}}
		if len(fields) != len(want) {
			t.Fatalf("extensions.fields: %+v", e.Extensions)
		}
		for i, w := range want {
			f, _ := fields[i].(map[string]any)
			limit, hasLimit := f["limit"].(float64)
			if f["field"] != w.field || f["reason"] != w.reason || f["message"] == "" || hasLimit != (w.limit >= 0) || (hasLimit && limit != w.limit) {
				t.Errorf("fields[%d] = %v, want %+v", i, f, w)
			}
		}
		if env.Snapshot(t, w.org.ID) != before {
			t.Fatal("a refused input changed data")
		}
	})
}
