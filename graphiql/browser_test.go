package graphiql_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"partnergraph/demo"
	"partnergraph/pgtest"
)

// demoEnv serves the demo organization, and returns its key.
func demoEnv(t *testing.T, opts ...pgtest.Option) (*pgtest.Env, string) {
	t.Helper()
	env := pgtest.New(t, "sqlite", opts...)
	res, err := demo.Load(context.Background(), env.DB)
	if err != nil || res == nil {
		t.Fatalf("demo data: %v %v", res, err)
	}
	return env, res.APIKey
}

// enterKey opens GraphiQL and saves key in its key bar.
func enterKey(base, key string, status *string) chromedp.Tasks {
	return chromedp.Tasks{
		chromedp.Navigate(base + "/graphiql"),
		chromedp.WaitVisible(`#api-key`, chromedp.ByQuery),
		chromedp.SendKeys(`#api-key`, key, chromedp.ByQuery),
		chromedp.Click(`#save-api-key`, chromedp.ByQuery),
		chromedp.Poll(`document.getElementById('api-key-status').textContent.startsWith('Using key')`, nil,
			chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`#api-key-status`, status, chromedp.ByQuery),
	}
}

// runInEditor puts an anonymous operation in the query editor, waits until
// GraphiQL has parsed it, and runs it with the execute button.
func runInEditor(operation string, editorValue *string) chromedp.Tasks {
	setQuery := fmt.Sprintf(`(() => {
		const cm = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror;
		cm.setValue(%q);
		return cm.getValue();
	})()`, operation)
	return chromedp.Tasks{
		chromedp.WaitReady(`.graphiql-query-editor .CodeMirror`, chromedp.ByQuery),
		chromedp.Evaluate(setQuery, editorValue),
		// GraphiQL reparses the editor 100 ms after a change and only then
		// updates the operation name it sends; a click before that sends
		// the new query with the default query's operation name.
		chromedp.Poll(`(() => {
			const cm = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror;
			const tab = document.querySelector('.graphiql-tab-active');
			return !!cm.operations && cm.operations.length === 1 && !cm.operations[0].name && !cm.operationName &&
				(!tab || !tab.textContent.includes('Dashboard'));
		})()`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Click(`.graphiql-execute-button`, chromedp.ByQuery),
	}
}

// resultText reads GraphiQL's result pane.
const resultText = `(() => {
	const el = document.querySelector('.graphiql-response .CodeMirror');
	return el && el.CodeMirror ? el.CodeMirror.getValue() : '';
})()`

// TestBrowserRunsQuery opens /graphiql in headless Chromium with the network
// cut off from everything but the server, enters the API key once in the
// page's key bar, runs a query by clicking the execute button and checks the
// result appears. It leaves a screenshot in its temporary directory.
func TestBrowserRunsQuery(t *testing.T) {
	env, key := demoEnv(t)
	b := pgtest.NewBrowser(t, env.Log)
	origin, _ := url.Parse(env.Server.URL)

	const query = `{ partners(first: 3) { nodes { companyName } } }`
	// The company the browser must show, asked over plain HTTP.
	var direct partnersPage
	env.Query(t, key, query, nil, &direct)
	if len(direct.Partners.Nodes) == 0 {
		t.Fatal("the demo data has no partners")
	}
	want := direct.Partners.Nodes[0].CompanyName

	start := time.Now()
	var editorValue, status, result string
	var screenshot []byte
	err := chromedp.Run(b.Ctx,
		network.Enable(),
		enterKey(env.Server.URL, key, &status),
		runInEditor(query, &editorValue),
		chromedp.Poll(fmt.Sprintf(`%s.includes(%q)`, resultText, want), nil,
			chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(resultText, &result),
		chromedp.CaptureScreenshot(&screenshot),
	)
	if err != nil {
		t.Fatalf("browser: %v (status %q, editor %q, result %q)", err, status, editorValue, result)
	}
	t.Logf("browser run took %s; key status %q", time.Since(start).Round(time.Millisecond), status)
	if editorValue != query {
		t.Fatalf("editor holds %q, want %q", editorValue, query)
	}
	var shown struct {
		Data   partnersPage `json:"data"`
		Errors []any        `json:"errors"`
	}
	if err := json.Unmarshal([]byte(result), &shown); err != nil || len(shown.Errors) > 0 || len(shown.Data.Partners.Nodes) != 3 {
		t.Fatalf("result pane shows %q (%v)", result, err)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "graphiql.png")
	if !bytes.HasPrefix(screenshot, []byte("\x89PNG")) {
		t.Fatalf("screenshot is not a PNG (%d bytes)", len(screenshot))
	}
	if err := os.WriteFile(path, screenshot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	// A copy that outlives the test, to look at.
	if err := os.WriteFile(filepath.Join(os.TempDir(), "graphiql-screenshot.png"), screenshot, 0o644); err != nil {
		t.Logf("copy screenshot: %v", err)
	}

	var graphqlPosts, authorized int
	requests := b.Requests()
	for _, r := range requests {
		u, err := url.Parse(r.URL)
		if err != nil {
			t.Errorf("request to unparsable URL %q", r.URL)
			continue
		}
		if u.Scheme == "data" {
			continue // inline assets (fonts, icons): nothing leaves the page
		}
		if u.Scheme != origin.Scheme || u.Host != origin.Host {
			t.Errorf("request to %s %s, outside the server's origin %s", r.Method, r.URL, env.Server.URL)
		}
		if r.Method == http.MethodPost && u.Path == "/graphql" {
			graphqlPosts++
			if r.Authorization == "Bearer "+key {
				authorized++
			}
		}
	}
	if authorized == 0 {
		t.Errorf("no POST /graphql carried Authorization: Bearer <the key> (%d posts): %+v", graphqlPosts, requests)
	}
	// Chromium's own background services (component updater, network
	// time, sign-in) try to reach Google even headless; the blackhole proxy
	// is where they end. Any such request of the page itself would have
	// failed the origin check above.
	if a := b.Proxy.Attempts(); len(a) > 0 {
		t.Logf("blocked %d requests of the browser's own services: %q", len(a), a)
	}
	t.Logf("%d requests, all to %s; %d POST /graphql, %d with the key", len(requests), env.Server.URL, graphqlPosts, authorized)
}

// partnersPage is the data of the test's query.
type partnersPage struct {
	Partners struct {
		Nodes []struct {
			CompanyName string `json:"companyName"`
		} `json:"nodes"`
	} `json:"partners"`
}

// TestBrowserRunsSubscription runs a subscription in GraphiQL: the page
// opens a WebSocket to the server with the key in connection_init, and an
// event committed afterwards appears in the result pane.
func TestBrowserRunsSubscription(t *testing.T) {
	env, key := demoEnv(t)
	b := pgtest.NewBrowser(t, env.Log)

	var editorValue, status, result string
	err := chromedp.Run(b.Ctx,
		network.Enable(),
		enterKey(env.Server.URL, key, &status),
		runInEditor(`subscription { events(types: ["tag.created"]) { type payload } }`, &editorValue),
	)
	if err != nil {
		t.Fatalf("browser: %v (status %q, editor %q)", err, status, editorValue)
	}
	// The event must commit after the subscription is open: the server
	// counts it among its open subscriptions.
	waitFor(t, "the subscription to open", func() bool {
		return strings.Contains(scrape(t, env), "partnergraph_subscriptions 1")
	})
	env.Query(t, key, `mutation { createTag(input: {name: "seen-in-graphiql"}) { tag { id } } }`, nil, nil)
	err = chromedp.Run(b.Ctx,
		chromedp.Poll(resultText+`.includes("seen-in-graphiql")`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(resultText, &result),
	)
	if err != nil {
		t.Fatalf("no event in the result pane: %v", err)
	}
	var shown struct {
		Data struct {
			Events struct{ Type string } `json:"events"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(result), &shown); err != nil || shown.Data.Events.Type != "tag.created" {
		t.Fatalf("result pane shows %q (%v)", result, err)
	}
	origin, _ := url.Parse(env.Server.URL)
	var sockets []string
	for _, r := range b.Requests() {
		if r.Method == "WEBSOCKET" {
			sockets = append(sockets, r.URL)
		}
	}
	if len(sockets) != 1 || sockets[0] != "ws://"+origin.Host+"/graphql" {
		t.Fatalf("WebSockets opened: %q, want one to ws://%s/graphql", sockets, origin.Host)
	}
}

// scrape returns the server's /metrics.
func scrape(t *testing.T, env *pgtest.Env) string {
	t.Helper()
	resp, err := http.Get(env.Server.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// waitFor polls cond for up to 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}
