package rest

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
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

// recorder is an Executor that keeps the variables a route built, so the
// seed 000 body decoding can be fuzzed without a database.
type recorder struct{ vars map[string]any }

func (r *recorder) Execute(_ context.Context, _ string, vars map[string]any) *graphql.Response {
	r.vars = vars
	return &graphql.Response{Data: json.RawMessage(`{}`)}
}

func FuzzPartnershipBody(f *testing.F) {
	for _, s := range []string{`{"partner_id": 3, "is_default": true, "is_support": false}`, `{"partner_id": "3"}`, `{"partner_id": -1}`,
		`{"partner_id": 1e30}`, `{"is_default": 1}`, `{}`, `[]`, `null`, `{"partner_id": 2, "presale": {"x": 1}}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		for _, route := range []func(*call) (int, any, error){createProjectPartnership, patchPartnership} {
			r := httptest.NewRequest("POST", "/v1/projects/7/partnerships", strings.NewReader(body))
			r.SetPathValue("id", "7")
			exec := &recorder{}
			c := &call{ctx: context.Background(), r: r, exec: exec, body: []byte(body)}
			status, _, err := route(c)
			if err != nil {
				e := asAPIError(err)
				if e.status < 400 || e.status >= 500 || e.message == "" {
					t.Fatalf("body %q: error %+v", body, e)
				}
				continue
			}
			if status >= 300 {
				t.Fatalf("body %q: status %d without an error", body, status)
			}
			input, _ := exec.vars["input"].(map[string]any)
			for _, k := range []string{"isDefault", "isSupport"} {
				if v, ok := input[k]; ok {
					if _, isBool := v.(bool); !isBool {
						t.Fatalf("body %q: %s is %T", body, k, v)
					}
				}
			}
		}
	})
}
