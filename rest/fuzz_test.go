package rest

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
)

// The body decoders take whatever a client sends: they must answer with an
// error or an input, never panic. Their seeds run as ordinary tests.

func FuzzJourneyBeeBody(f *testing.F) {
	for _, s := range []string{`{"tierId": 3, "assignedUsers": [123, 456]}`, `{"tierId": null, "tags": [{"id": 1}]}`,
		`{"customFields": [{"customFieldId": 5, "type": "number", "value": {"number": 1, "multi_select": [{}]}}]}`,
		`{"fallbackData": {"name": "x"}, "stageUuid": "s"}`, `{"assignedUsers": [{}]}`, `[]`, `{"tierId": 1e400}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(body), &m) != nil {
			return
		}
		if input, err := journeyBeeInput(m); err == nil {
			if _, err := json.Marshal(input); err != nil {
				t.Fatalf("input does not encode: %v", err)
			}
		}
	})
}

func FuzzIntegrationDocument(f *testing.F) {
	for _, s := range []string{
		`{"data": {"type": "partner_integrations", "attributes": {"integration_login": "a", "integration_password": 1}, "relationships": {"business": {"id": "b", "type": "business"}, "partner": {"id": "1"}}}}`,
		`{"data": {"type": "partner_integrations", "relationships": {"business": {"data": {"id": "b"}}, "partner": {"data": null}}}}`,
		`{"data": null}`, `{"data": {"type": 5}}`, `null`,
	} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, body string, withCredentials bool) {
		input, err := decodeIntegration([]byte(body), withCredentials)
		if err == nil && (input["businessId"] == "" || input["partnerId"] == "") {
			t.Fatalf("accepted a document without ids: %v", input)
		}
	})
}

func FuzzPartnerBody(f *testing.F) {
	for _, s := range []string{`{"company_name": "a", "sales_amount": 1, "partner_type": "customer", "email": "a@b.co", "frequency": "m", "payment_terms": "n"}`,
		`{"sales_amount": "1"}`, `{"sales_amount": 1e10}`, `{"company_name": null}`, `"x"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/partners", strings.NewReader(body))
		input, errs := partnerBody(r, []byte(body))
		if len(errs) == 0 {
			t.Fatalf("headers are missing, yet no error: %v", input)
		}
		for _, e := range errs {
			if e.msg == "" || e.kind == "" || len(e.loc) == 0 {
				t.Fatalf("incomplete error: %+v", e)
			}
		}
	})
}
