package graphiql_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"partnergraph/demo"
	"partnergraph/pgtest"
)

// chromiumPath finds Debian's chromium. Without it the browser test skips,
// unless PARTNERGRAPH_TEST_BROWSER=1 (CI) demands it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("PARTNERGRAPH_TEST_BROWSER") == "1" {
		t.Fatal("chromium is not installed, and PARTNERGRAPH_TEST_BROWSER=1 requires the browser test (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium): skipping the browser test; set PARTNERGRAPH_TEST_BROWSER=1 to make this a failure")
	return ""
}

// blackhole is the proxy every request that is not to the test server is
// sent to: it refuses each one (403) and records who tried.
type blackhole struct {
	ln       net.Listener
	mu       sync.Mutex
	attempts []string
}

func newBlackhole(t *testing.T) *blackhole {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{ln: ln}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(2 * time.Second))
				line, _ := bufio.NewReader(conn).ReadString('\n')
				b.mu.Lock()
				b.attempts = append(b.attempts, strings.TrimSpace(line))
				b.mu.Unlock()
				io.WriteString(conn, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return b
}

func (b *blackhole) Attempts() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.attempts...)
}

type seenRequest struct {
	method, url, authorization, body string
}

// TestBrowserRunsQuery opens /graphiql in headless Chromium with the network
// cut off from everything but the server, enters the API key once in the
// page's key bar, runs a query by clicking the execute button and checks the
// result appears. It leaves a screenshot in its temporary directory.
func TestBrowserRunsQuery(t *testing.T) {
	chromium := chromiumPath(t)

	env := pgtest.New(t, "sqlite")
	res, err := demo.Load(context.Background(), env.DB)
	if err != nil || res == nil {
		t.Fatalf("demo data: %v %v", res, err)
	}
	origin, _ := url.Parse(env.Server.URL)

	const query = `{ partners(first: 3) { nodes { companyName } } }`
	// The company the browser must show, asked over plain HTTP.
	var direct partnersPage
	env.Query(t, res.APIKey, query, nil, &direct)
	if len(direct.Partners.Nodes) == 0 {
		t.Fatal("the demo data has no partners")
	}
	want := direct.Partners.Nodes[0].CompanyName

	proxy := newBlackhole(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1400, 900),
		// No name resolves, and everything but the test server goes to a
		// proxy that refuses every request.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.ProxyServer("http://"+proxy.ln.Addr().String()),
		chromedp.Flag("proxy-bypass-list", "<-loopback>;127.0.0.1"),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	var (
		mu       sync.Mutex
		requests []seenRequest
		console  []string
		cdpErrs  []string
	)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(format string, args ...any) {
		mu.Lock()
		cdpErrs = append(cdpErrs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}))
	defer cancelBrowser()
	chromedp.ListenTarget(browserCtx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			auth, _ := e.Request.Headers["Authorization"].(string)
			var body string
			for _, entry := range e.Request.PostDataEntries {
				body += entry.Bytes // base64, as the protocol sends it
			}
			requests = append(requests, seenRequest{method: e.Request.Method, url: e.Request.URL, authorization: auth, body: body})
		case *network.EventWebSocketCreated:
			requests = append(requests, seenRequest{method: "WEBSOCKET", url: e.URL})
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				if a.Value != nil {
					parts = append(parts, string(a.Value))
				} else {
					parts = append(parts, a.Description)
				}
			}
			console = append(console, string(e.Type)+": "+strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			console = append(console, "exception: "+e.ExceptionDetails.Error())
		}
	})
	defer func() {
		if t.Failed() {
			mu.Lock()
			var seen []string
			for _, r := range requests {
				u := r.url
				if len(u) > 120 {
					u = u[:120] + "…"
				}
				if b, err := base64.StdEncoding.DecodeString(r.body); err == nil && len(b) > 0 {
					u += " " + string(b)
				}
				seen = append(seen, r.method+" "+u)
			}
			t.Logf("requests:\n%s\nconsole:\n%s\ncdp errors:\n%s", strings.Join(seen, "\n"), strings.Join(console, "\n"), strings.Join(cdpErrs, "\n"))
			mu.Unlock()
			t.Logf("server log:\n%s", env.Log())
		}
	}()

	start := time.Now()
	setQuery := fmt.Sprintf(`(() => {
		const cm = document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror;
		cm.setValue(%q);
		return cm.getValue();
	})()`, query)
	resultText := `(() => {
		const el = document.querySelector('.graphiql-response .CodeMirror');
		return el && el.CodeMirror ? el.CodeMirror.getValue() : '';
	})()`
	var editorValue, status, result string
	var screenshot []byte
	err = chromedp.Run(browserCtx,
		network.Enable(),
		chromedp.Navigate(env.Server.URL+"/graphiql"),
		// The key bar: enter the key once and save it.
		chromedp.WaitVisible(`#api-key`, chromedp.ByQuery),
		chromedp.SendKeys(`#api-key`, res.APIKey, chromedp.ByQuery),
		chromedp.Click(`#save-api-key`, chromedp.ByQuery),
		chromedp.Poll(`document.getElementById('api-key-status').textContent.startsWith('Using key')`, nil,
			chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`#api-key-status`, &status, chromedp.ByQuery),
		// The query editor (CodeMirror 5).
		chromedp.WaitReady(`.graphiql-query-editor .CodeMirror`, chromedp.ByQuery),
		chromedp.Evaluate(setQuery, &editorValue),
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

	// Close the browser before reading what it did.
	cancelBrowser()
	mu.Lock()
	defer mu.Unlock()
	var graphqlPosts, authorized int
	for _, r := range requests {
		u, err := url.Parse(r.url)
		if err != nil {
			t.Errorf("request to unparsable URL %q", r.url)
			continue
		}
		if u.Scheme == "data" {
			continue // inline assets (fonts, icons): nothing leaves the page
		}
		if u.Scheme != origin.Scheme || u.Host != origin.Host {
			t.Errorf("request to %s %s, outside the server's origin %s", r.method, r.url, env.Server.URL)
		}
		if r.method == http.MethodPost && u.Path == "/graphql" {
			graphqlPosts++
			if r.authorization == "Bearer "+res.APIKey {
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
	if a := proxy.Attempts(); len(a) > 0 {
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
