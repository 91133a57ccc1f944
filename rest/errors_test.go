package rest

import (
	"encoding/json"
	"strings"
	"testing"

	pg "partnergraph"
)

// TestFastAPIRendersTheDomainsReport: a validation error from the graph
// reports every bad field in extensions.fields; seed 004 renders each as
// an entry of its 422 detail list, whether the extension holds the
// domain's own values (in process) or came through JSON.
func TestFastAPIRendersTheDomainsReport(t *testing.T) {
	err := pg.AsError(pg.PartnerCreate{CompanyName: strings.Repeat("x", 101), Email: "a@b.example", PartnerType: "PARTNER",
		SalesAmount: -5, Frequency: "m", PaymentTerms: strings.Repeat("p", 51)}.Validate())
	viaJSON, _ := json.Marshal(err.Fields)
	var decoded any
	json.Unmarshal(viaJSON, &decoded)
	for name, fields := range map[string]any{"InProcess": err.Fields, "ThroughJSON": decoded} {
		t.Run(name, func(t *testing.T) {
			rp := fastAPIErrors.render(fromDomain(domainError(err.Message, map[string]any{"code": "BAD_USER_INPUT", "field": err.Field, "fields": fields})))
			if rp.status != 422 {
				t.Fatalf("status %d: %s", rp.status, rp.body)
			}
			var got struct {
				Detail []struct {
					Loc  []string
					Msg  string
					Type string
				}
			}
			if e := json.Unmarshal(rp.body, &got); e != nil {
				t.Fatal(e)
			}
			want := []struct{ loc, msg, typ string }{
				{"body.company_name", "String should have at most 100 characters", "string_too_long"},
				{"body.partner_type", "Input should be 'customer' or 'supplier'", "enum"},
				{"body.sales_amount", "Input should be greater than or equal to 0", "greater_than_equal"},
				{"body.payment_terms", "String should have at most 50 characters", "string_too_long"},
			}
			if len(got.Detail) != len(want) {
				t.Fatalf("detail: %s", rp.body)
			}
			for i, w := range want {
				d := got.Detail[i]
				if strings.Join(d.Loc, ".") != w.loc || d.Msg != w.msg || d.Type != w.typ {
					t.Errorf("detail %d: %+v, want %+v", i, d, w)
				}
			}
		})
	}
}
