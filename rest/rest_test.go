package rest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("body is not JSON (%d): %s", r.status, r.body)
	}
}

func (r response) expect(t *testing.T, status int, contains ...string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("want %d, got %d: %s", status, r.status, r.body)
	}
	for _, s := range contains {
		if !strings.Contains(string(r.body), s) {
			t.Fatalf("body lacks %s: %s", s, r.body)
		}
	}
}

type client struct {
	env *pgtest.Env
	t   testing.TB
	// unchecked skips checking the response against openapi.json, for
	// requests the document does not describe (unknown paths, methods).
	unchecked bool
}

func (c client) do(method, path, key string, body string, header ...string) response {
	c.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, c.env.Server.URL+path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.env.Server.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 500 {
		c.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if !c.unchecked {
		checkOpenAPI(c.t, method, path, resp.StatusCode, resp.Header, b)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// fixture is an organization with the records the seed examples name.
type fixture struct {
	org     *pgtest.Org
	partner *pg.Partner
	project *pg.Project
}

func newFixture(t *testing.T, env *pgtest.Env, name string) *fixture {
	ctx := context.Background()
	f := &fixture{org: env.Org(t, name)}
	a := f.org.Actor()
	var err error
	f.partner, err = env.DB.CreatePartner(ctx, a, pg.PartnerCreate{CompanyName: name + " Partner", Email: "p@example.com",
		PartnerType: pg.PartnerTypeCustomer, SalesAmount: 5, Frequency: "monthly", PaymentTerms: "net 30"})
	check(t, err)
	f.project, err = env.DB.CreateProject(ctx, a, pg.ProjectCreate{Name: name + " Presale"})
	check(t, err)
	return f
}

func gid(typ string, id int64) string { return pg.GlobalID(typ, id) }

func storeKey(user int64, p pg.Permission) pg.APIKeyCreate {
	return pg.APIKeyCreate{UserID: user, Name: "k", Permission: p}
}

// connectDoc is seed 003's connect document for a business and a partner,
// named by the ids given (as the document shows relationships: {id, type}).
func connectDoc(login, business, partner string) string {
	return fmt.Sprintf(`{"data": {"type": "partner_integrations", "attributes": {"integration_login": %q, "integration_password": "p"},
		"relationships": {"business": {"id": %q, "type": "business"}, "partner": {"id": %q, "type": "partner"}}}}`, login, business, partner)
}
