package pgtest

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds Debian's chromium. Without it the browser test skips,
// unless PARTNERGRAPH_TEST_BROWSER=1 (CI) demands it.
func chromiumPath(t testing.TB) string {
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

// Blackhole is the proxy every request that is not to the test server is
// sent to: it refuses each one (403) and records who tried.
type Blackhole struct {
	ln       net.Listener
	mu       sync.Mutex
	attempts []string
}

func newBlackhole(t testing.TB) *Blackhole {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &Blackhole{ln: ln}
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

func (b *Blackhole) Attempts() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.attempts...)
}

// SeenRequest is a request a page made: WEBSOCKET for a WebSocket.
type SeenRequest struct {
	Method, URL, Authorization string
	// Body is base64, as the DevTools protocol sends it.
	Body string
}

// Browser is a headless Chromium whose network reaches only loopback
// servers, recording what its pages request and log.
type Browser struct {
	// Ctx runs chromedp actions in the browser's tab.
	Ctx context.Context
	// Proxy took every request that was not to loopback.
	Proxy *Blackhole

	mu       sync.Mutex
	requests []SeenRequest
	console  []string
	cdpErrs  []string
}

// NewBrowser starts Debian's Chromium for t, closed when t ends. When t fails it
// logs what the browser requested and its console, then serverLog.
func NewBrowser(t testing.TB, serverLog func() string) *Browser {
	t.Helper()
	chromium := chromiumPath(t)
	b := &Browser{Proxy: newBlackhole(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.WindowSize(1400, 900),
		// No name resolves, and everything but loopback goes to a proxy
		// that refuses every request.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.ProxyServer("http://"+b.Proxy.ln.Addr().String()),
		chromedp.Flag("proxy-bypass-list", "<-loopback>;127.0.0.1"),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-domain-reliability", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(format string, args ...any) {
		b.mu.Lock()
		b.cdpErrs = append(b.cdpErrs, fmt.Sprintf(format, args...))
		b.mu.Unlock()
	}))
	t.Cleanup(cancelBrowser)
	b.Ctx = browserCtx
	chromedp.ListenTarget(browserCtx, b.record)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("%s\nserver log:\n%s", b.report(), serverLog())
		}
	})
	return b
}

// record keeps the requests, WebSockets and console lines of the page.
func (b *Browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		auth, _ := e.Request.Headers["Authorization"].(string)
		var body string
		for _, entry := range e.Request.PostDataEntries {
			body += entry.Bytes // base64, as the protocol sends it
		}
		b.requests = append(b.requests, SeenRequest{Method: e.Request.Method, URL: e.Request.URL, Authorization: auth, Body: body})
	case *network.EventWebSocketCreated:
		b.requests = append(b.requests, SeenRequest{Method: "WEBSOCKET", URL: e.URL})
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range e.Args {
			if a.Value != nil {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		b.console = append(b.console, string(e.Type)+": "+strings.Join(parts, " "))
	case *runtime.EventExceptionThrown:
		b.console = append(b.console, "exception: "+e.ExceptionDetails.Error())
	}
}

// Requests returns the requests the browser made so far.
func (b *Browser) Requests() []SeenRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]SeenRequest(nil), b.requests...)
}

func (b *Browser) report() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var seen []string
	for _, r := range b.requests {
		u := r.URL
		if len(u) > 120 {
			u = u[:120] + "…"
		}
		if body, err := base64.StdEncoding.DecodeString(r.Body); err == nil && len(body) > 0 {
			u += " " + string(body)
		}
		seen = append(seen, r.Method+" "+u)
	}
	return fmt.Sprintf("requests:\n%s\nconsole:\n%s\ncdp errors:\n%s", strings.Join(seen, "\n"), strings.Join(b.console, "\n"), strings.Join(b.cdpErrs, "\n"))
}
