package partnergraph_test

import (
	"strings"
	"testing"

	pg "partnergraph"
)

// TestPartnerValidationReportsEveryField: a partner's Validate names every
// bad field at once, in input order, each with its reason and the limit it
// broke, so each transport can say all of it in one answer.
func TestPartnerValidationReportsEveryField(t *testing.T) {
	url := "ftp://example.com"
	country := strings.Repeat("c", 101)
	err := pg.PartnerCreate{CompanyName: strings.Repeat("x", 101), Email: "not-an-email", PartnerType: "PARTNER",
		SalesAmount: 2147483648, Frequency: "", PaymentTerms: "net 30", WebsiteURL: &url, CountryLabel: &country}.Validate()
	e := pg.AsError(err)
	type want struct {
		field  string
		reason pg.Reason
		limit  int64 // -1: none
	}
	wants := []want{
		{"companyName", pg.ReasonTooLong, 100}, {"email", pg.ReasonInvalidFormat, -1}, {"partnerType", pg.ReasonInvalidChoice, -1},
		{"salesAmount", pg.ReasonAboveMaximum, 2147483647}, {"frequency", pg.ReasonRequired, 1}, {"websiteUrl", pg.ReasonInvalidFormat, -1},
		{"countryLabel", pg.ReasonTooLong, 100},
	}
	if e.Code != pg.BadUserInput || e.Field != "companyName" || e.Message != e.Fields[0].Message || len(e.Fields) != len(wants) {
		t.Fatalf("error: %+v", e)
	}
	for i, w := range wants {
		f := e.Fields[i]
		if f.Field != w.field || f.Reason != w.reason || f.Message == "" || (w.limit < 0) != (f.Limit == nil) || (f.Limit != nil && *f.Limit != w.limit) {
			t.Errorf("field %d: %+v, want %+v", i, f, w)
		}
	}

	ok := pg.PartnerCreate{CompanyName: "Acme", Email: "a@acme.example", PartnerType: pg.PartnerTypeCustomer, Frequency: "m", PaymentTerms: "n"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("a valid partner: %v", err)
	}
	low := ok
	low.SalesAmount = -1
	if f := pg.AsError(low.Validate()).Fields; len(f) != 1 || f[0].Reason != pg.ReasonBelowMinimum || *f[0].Limit != 0 {
		t.Fatalf("negative sales: %+v", f)
	}
}
