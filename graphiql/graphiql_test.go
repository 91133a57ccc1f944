package graphiql

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(http.StripPrefix("", Handler("/graphiql", "/graphql")))
	defer srv.Close()
	get := func(path string, header ...string) *http.Response {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, path := range []string{"/graphiql", "/graphiql/"} {
		resp := get(path)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(string(body), `data-endpoint="/graphql"`) || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
			t.Fatalf("%s: %d %v %s", path, resp.StatusCode, resp.Header, body)
		}
		// Everything the page loads comes from the server itself.
		for _, ref := range regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(string(body), -1) {
			if !strings.HasPrefix(ref[1], "/graphiql/assets/") {
				t.Fatalf("page loads %s from elsewhere", ref[1])
			}
			if r := get(ref[1]); r.StatusCode != 200 {
				t.Fatalf("%s: %d", ref[1], r.StatusCode)
			}
		}
	}
	cases := []struct {
		path, contentType string
	}{
		{"/graphiql/assets/graphiql.js", "text/javascript"},
		{"/graphiql/assets/graphiql.css", "text/css"},
	}
	for _, c := range cases {
		resp := get(c.path, "Accept-Encoding", "gzip")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.contentType) ||
			!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || resp.Header.Get("ETag") == "" {
			t.Fatalf("%s: %d %v", c.path, resp.StatusCode, resp.Header)
		}
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			t.Fatalf("%s: not gzip: %v", c.path, err)
		}
		body, _ := io.ReadAll(zr)
		// No asset fetches anything from a CDN or font service at run time.
		if m := regexp.MustCompile(`https?://(?:unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|fonts\.googleapis\.com|fonts\.gstatic\.com)`).Find(body); m != nil {
			t.Fatalf("%s references %s", c.path, m)
		}
		if cached := get(c.path, "If-None-Match", resp.Header.Get("ETag")); cached.StatusCode != http.StatusNotModified {
			t.Fatalf("%s: conditional GET gave %d", c.path, cached.StatusCode)
		}
	}
	if resp := get("/graphiql/assets/nope.js"); resp.StatusCode != 404 {
		t.Fatalf("unknown asset: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphiql", nil)
	if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 405 || resp.Header.Get("Allow") == "" {
		t.Fatalf("POST: %d", resp.StatusCode)
	}
}

// TestBuildIsPinned keeps the embedded assets reproducible: every package
// the build uses is pinned to one version in package.json, and
// package-lock.json locks that version, so `npm ci && npm run build` in
// graphiql/web writes the committed assets byte for byte.
func TestBuildIsPinned(t *testing.T) {
	var pkg struct {
		Dependencies, DevDependencies map[string]string
	}
	var lock struct {
		Packages map[string]struct{ Version string } `json:"packages"`
	}
	for path, v := range map[string]any{"web/package.json": &pkg, "web/package-lock.json": &lock} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	exact := regexp.MustCompile(`^\d+\.\d+\.\d+$`)
	for _, deps := range []map[string]string{pkg.Dependencies, pkg.DevDependencies} {
		for name, version := range deps {
			if !exact.MatchString(version) {
				t.Errorf("package.json: %s %q is a range, not one version", name, version)
			}
			if locked := lock.Packages["node_modules/"+name].Version; locked != version {
				t.Errorf("package-lock.json locks %s at %q, package.json pins %q: run npm install in graphiql/web", name, locked, version)
			}
		}
	}
	if _, ok := pkg.Dependencies["graphql-ws"]; !ok {
		t.Error("graphql-ws, the subscriptions' client, is not a dependency")
	}
}
