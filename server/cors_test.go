package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"partnergraph/pgtest"
	"partnergraph/ratelimit"
	"partnergraph/server"
)

const allowedOrigin = "https://app.example"

// TestCORS sends what browsers send, preflights and actual requests, from a
// listed origin and from others, to /graphql and a REST route.
func TestCORS(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) {
		c.CORSAllowedOrigins = []string{allowedOrigin}
		c.RateLimit = &ratelimit.Limiter{Capacity: 100000, Rate: 1000, Store: &ratelimit.Memory{}}
	})
	org := env.Org(t, "Acme")
	requested := "authorization,content-type,idempotency-key,requester-organization-id,target-organization-id"
	preflight := func(origin, method, path string) map[string]string {
		return map[string]string{"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": requested}
	}
	cases := []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
		granted            bool
	}{
		{"graphql preflight", "OPTIONS", "/graphql", preflight(allowedOrigin, "POST", "/graphql"), "", 204, true},
		{"REST preflight", "OPTIONS", "/v1/partnerships/1", preflight(allowedOrigin, "PATCH", "/v1/partnerships/1"), "", 204, true},
		{"origins compare without case", "OPTIONS", "/partners", preflight("HTTPS://APP.EXAMPLE", "POST", "/partners"), "", 204, true},
		{"unlisted preflight", "OPTIONS", "/graphql", preflight("https://evil.example", "POST", "/graphql"), "", 204, false},
		{"another port is another origin", "OPTIONS", "/graphql", preflight("https://app.example:8443", "POST", "/graphql"), "", 204, false},
		{"a method no route takes", "OPTIONS", "/graphql", preflight(allowedOrigin, "PUT", "/graphql"), "", 204, false},
		{"graphql", "POST", "/graphql", map[string]string{"Origin": allowedOrigin, "Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON},
			gql(`{ viewer { permission } }`, nil), 200, true},
		{"a refusal is readable", "POST", "/graphql", map[string]string{"Origin": allowedOrigin, "Content-Type": mediaJSON},
			gql(`{ viewer { permission } }`, nil), 401, true},
		{"REST", "GET", "/v1/partnerships/99", map[string]string{"Origin": allowedOrigin, "Authorization": "Bearer " + org.Read}, "", 404, true},
		{"unlisted", "POST", "/graphql", map[string]string{"Origin": "https://evil.example", "Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON},
			gql(`{ viewer { permission } }`, nil), 200, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := send(t, env.Server.URL, c.method, c.path, c.header, c.body)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.raw)
			}
			allow := r.header.Get("Access-Control-Allow-Origin")
			if !c.granted {
				for k := range r.header {
					if strings.HasPrefix(k, "Access-Control-") {
						t.Fatalf("an unlisted origin was granted %s: %v", k, r.header)
					}
				}
				return
			}
			if allow != c.header["Origin"] || r.header.Get("Access-Control-Allow-Credentials") != "" {
				t.Fatalf("Access-Control-Allow-Origin %q: %v", allow, r.header)
			}
			if c.method == "OPTIONS" {
				if r.header.Get("Access-Control-Allow-Headers") != requested || r.header.Get("Access-Control-Allow-Methods") != c.header["Access-Control-Request-Method"] ||
					r.header.Get("Access-Control-Max-Age") == "" {
					t.Fatalf("preflight answer: %v", r.header)
				}
				return
			}
			exposed := r.header.Get("Access-Control-Expose-Headers")
			for _, h := range []string{"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Retry-After", "X-Request-Id"} {
				if !strings.Contains(exposed, h) {
					t.Fatalf("%s is not exposed: %q", h, exposed)
				}
			}
		})
	}
}

// TestCORSOff grants nothing when no origin is listed, and still answers
// preflights without asking for a key.
func TestCORSOff(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	r := send(t, env.Server.URL, "OPTIONS", "/graphql", map[string]string{"Origin": allowedOrigin, "Access-Control-Request-Method": "POST"}, "")
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "" || r.header.Get("WWW-Authenticate") != "" {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
}

func TestParseOrigins(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		err  string
	}{
		{"", nil, ""},
		{" https://app.example.com , http://127.0.0.1:5173/ ", []string{"https://app.example.com", "http://127.0.0.1:5173"}, ""},
		{"HTTPS://App.Example.com", []string{"https://app.example.com"}, ""},
		{"https://*.example.com,*", []string{"https://*.example.com", "*"}, ""},
		{"app.example.com", nil, `"app.example.com" is not an origin`},
		{"https://app.example.com/path", nil, "is not an origin"},
		{"ftp://files.example.com", nil, "is not an origin"},
		{"https://user@app.example.com", nil, "is not an origin"},
		{"https://*.*.example.com", nil, "is not an origin"},
	} {
		got, err := server.ParseOrigins(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%q: %q %v, want %q", c.in, got, err, c.want)
		}
	}
}

// probePage is a page of another origin that calls the gateway as a
// frontend would: GraphQL and REST with a key and organization headers,
// reading the rate limit and request id headers; a request without a key;
// and a subscription's WebSocket.
const probePage = `<!doctype html><title>probe</title><script>
async function call(url, init) {
  try {
    const r = await fetch(url, init);
    return {status: r.status, body: await r.text(), limit: r.headers.get('X-Ratelimit-Limit'),
      remaining: r.headers.get('X-Ratelimit-Remaining'), requestId: r.headers.get('X-Request-Id'),
      challenge: r.headers.get('WWW-Authenticate')};
  } catch (e) {
    return {error: String(e)};
  }
}
function socket(url, key) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'graphql-transport-ws');
    ws.onopen = () => ws.send(JSON.stringify({type: 'connection_init', payload: {Authorization: 'Bearer ' + key}}));
    ws.onmessage = (m) => { if (JSON.parse(m.data).type === 'connection_ack') { ws.close(); resolve('ack'); } };
    ws.onerror = () => resolve('error');
    setTimeout(() => resolve('timeout'), 5000);
  });
}
async function probe(base, key, org) {
  const headers = {'Authorization': 'Bearer ' + key, 'Content-Type': 'application/json',
    'Requester-Organization-ID': org, 'Target-Organization-ID': org};
  return {
    graphql: await call(base + '/graphql', {method: 'POST', headers,
      body: JSON.stringify({query: '{ viewer { organization { name } } }'})}),
    rest: await call(base + '/partners', {method: 'POST', headers: {...headers, 'Idempotency-Key': 'probe-1'},
      body: JSON.stringify({company_name: 'Made in a browser', sales_amount: 1, partner_type: 'customer',
        email: 'b@example.com', frequency: 'm', payment_terms: 'n'})}),
    refused: await call(base + '/graphql', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({query: '{ viewer { permission } }'})}),
    socket: await socket(base.replace('http', 'ws') + '/graphql', key),
  };
}
</script>`

type probeCall struct {
	Status                            int
	Body, Limit, Remaining, RequestID string
	Challenge, Error                  string
}

type probeResult struct {
	GraphQL, Rest, Refused probeCall
	Socket                 string
}

// TestCORSInBrowser runs the probe page in headless Chromium from two other
// loopback origins: one listed, whose calls all work and whose scripts read
// the headers they need, and one not, which gets nothing: its preflighted
// calls never reach the gateway, and its socket is refused.
func TestCORSInBrowser(t *testing.T) {
	page := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, probePage)
	})
	allowed, unlisted := httptest.NewServer(page), httptest.NewServer(page)
	t.Cleanup(allowed.Close)
	t.Cleanup(unlisted.Close)
	env := pgtest.New(t, "sqlite", func(c *server.Config) {
		c.CORSAllowedOrigins = []string{allowed.URL}
		c.RateLimit = &ratelimit.Limiter{Capacity: 100000, Rate: 1000, Store: &ratelimit.Memory{}}
	})
	org := env.Org(t, "Acme")
	b := pgtest.NewBrowser(t, env.Log)

	run := func(pageURL string) probeResult {
		t.Helper()
		var res probeResult
		err := chromedp.Run(b.Ctx,
			chromedp.Navigate(pageURL),
			chromedp.Evaluate(fmt.Sprintf(`probe(%q, %q, %q)`, env.Server.URL, org.Write, org.UUID), &res,
				func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		)
		if err != nil {
			t.Fatalf("probe from %s: %v", pageURL, err)
		}
		return res
	}

	got := run(allowed.URL)
	if g := got.GraphQL; g.Status != 200 || !strings.Contains(g.Body, `"name":"Acme"`) || g.Limit != "100000" || g.Remaining == "" || g.RequestID == "" {
		t.Fatalf("GraphQL from a listed origin: %+v", g)
	}
	if r := got.Rest; r.Status != 200 || !strings.Contains(r.Body, "Made in a browser") || r.RequestID == "" {
		t.Fatalf("REST from a listed origin: %+v", r)
	}
	if r := got.Refused; r.Status != 401 || !strings.Contains(r.Body, "UNAUTHENTICATED") || !strings.HasPrefix(r.Challenge, "Bearer") {
		t.Fatalf("a refusal to a listed origin: %+v", r)
	}
	if got.Socket != "ack" {
		t.Fatalf("WebSocket from a listed origin: %s", got.Socket)
	}

	before := partnersMade(t, env, org)
	got = run(unlisted.URL)
	for name, c := range map[string]probeCall{"GraphQL": got.GraphQL, "REST": got.Rest, "a refusal": got.Refused} {
		if c.Error == "" || c.Status != 0 {
			t.Errorf("%s from an unlisted origin was readable: %+v", name, c)
		}
	}
	if got.Socket == "ack" {
		t.Error("a WebSocket from an unlisted origin was accepted")
	}
	if after := partnersMade(t, env, org); after != before {
		t.Errorf("a page of an unlisted origin created a partner (%d, then %d)", before, after)
	}
}

// partnersMade counts the partners the probe page created.
func partnersMade(t *testing.T, env *pgtest.Env, org *pgtest.Org) int {
	t.Helper()
	var page struct {
		Partners struct{ TotalCount int } `json:"partners"`
	}
	env.Query(t, org.Read, `{ partners(filter: {search: "Made in a browser"}) { totalCount } }`, nil, &page)
	return page.Partners.TotalCount
}
