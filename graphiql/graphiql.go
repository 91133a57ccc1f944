// Package graphiql serves the GraphiQL IDE with every asset embedded in the
// binary, so /graphiql works with no internet access.
//
// The assets are built from the graphiql npm package at development time and
// committed; rebuild them with:
//
//	cd graphiql/web && npm ci && npm run build
//
// Every package is pinned and locked, so the build writes the committed
// assets byte for byte. The page sends queries and mutations over HTTP and
// runs subscriptions over a WebSocket to the same endpoint
// (graphql-transport-ws, through graphql-ws), the key in connection_init.
package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
)

//go:embed assets/graphiql.js assets/graphiql.css
var assets embed.FS

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>partnergraph · GraphiQL</title>
<link rel="stylesheet" href="{{.Mount}}/assets/graphiql.css?v={{.CSSVersion}}">
</head>
<body>
<div id="graphiql" data-endpoint="{{.Endpoint}}">Loading GraphiQL…</div>
<script src="{{.Mount}}/assets/graphiql.js?v={{.JSVersion}}"></script>
</body>
</html>
`))

// contentSecurityPolicy allows nothing from elsewhere: scripts and styles
// come from the binary, requests go to the same origin. GraphiQL's editor
// sets inline styles, hence 'unsafe-inline' for styles only.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

type asset struct {
	contentType string
	body, gz    []byte
	etag        string
}

type handler struct {
	mount  string
	html   []byte
	assets map[string]asset
}

// Handler serves GraphiQL mounted at mount (for example "/graphiql"),
// sending queries to endpoint (for example "/graphql"). Register it for
// both mount and mount+"/".
func Handler(mount, endpoint string) http.Handler {
	mount = strings.TrimSuffix(mount, "/")
	h := &handler{mount: mount, assets: map[string]asset{}}
	versions := map[string]string{}
	for name, typ := range map[string]string{"graphiql.js": "text/javascript; charset=utf-8", "graphiql.css": "text/css; charset=utf-8"} {
		body, err := assets.ReadFile("assets/" + name)
		if err != nil {
			panic("graphiql: embedded asset missing: " + name)
		}
		sum := sha256.Sum256(body)
		version := hex.EncodeToString(sum[:8])
		var gz bytes.Buffer
		w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		w.Write(body)
		w.Close()
		h.assets[name] = asset{contentType: typ, body: body, gz: gz.Bytes(), etag: `"` + version + `"`}
		versions[name] = version
	}
	var b bytes.Buffer
	if err := page.Execute(&b, map[string]string{"Mount": mount, "Endpoint": endpoint,
		"JSVersion": versions["graphiql.js"], "CSSVersion": versions["graphiql.css"]}); err != nil {
		panic(err)
	}
	h.html = b.Bytes()
	return h
}

// allow are the methods the IDE's paths take (RFC 9110: HEAD wherever GET;
// OPTIONS says which).
const allow = "GET, HEAD, OPTIONS"

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", allow)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	path := strings.TrimPrefix(r.URL.Path, h.mount)
	switch {
	case path == "" || path == "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(h.html)
	case strings.HasPrefix(path, "/assets/"):
		a, ok := h.assets[strings.TrimPrefix(path, "/assets/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", a.contentType)
		w.Header().Set("ETag", a.etag)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		// Asset URLs carry their content hash, so they never go stale.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("Vary", "Accept-Encoding")
		if r.Header.Get("If-None-Match") == a.etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body := a.body
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Header().Set("Content-Encoding", "gzip")
			body = a.gz
		}
		w.Write(body)
	default:
		http.NotFound(w, r)
	}
}
