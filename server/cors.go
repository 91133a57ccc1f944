package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rs/cors"
)

// corsHeaders are the request headers browsers may send from an allowed
// origin: the credentials and organization headers every transport reads,
// the REST shim's Idempotency-Key, and a client's own request id.
var corsHeaders = []string{
	"Authorization", "Content-Type", "Accept",
	"Target-Organization-ID", "Requester-Organization-ID",
	"Idempotency-Key", "X-Request-Id",
}

// corsExposed are the response headers scripts on an allowed origin may
// read: the key's rate limit bucket, when to retry, the request id, and
// whether the REST shim replayed a stored answer to an Idempotency-Key.
var corsExposed = []string{
	"X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Retry-After",
	"X-Request-Id", "WWW-Authenticate", "Idempotent-Replayed",
}

// ParseOrigins reads a comma-separated list of origins, as browsers send
// them in the Origin header: scheme://host[:port] with no path, "*" for any,
// or one "*" standing for part of the host (https://*.example.com). Origins
// compare case-insensitively. An entry that is not an origin is an error
// naming it.
func ParseOrigins(list string) ([]string, error) {
	var out []string
	for _, o := range strings.Split(list, ",") {
		o = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(o), "/"))
		if o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(strings.Replace(o, "*", "wildcard", 1))
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
				u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.Count(o, "*") > 1 {
				return nil, fmt.Errorf("%q is not an origin: want scheme://host[:port], such as https://app.example.com", o)
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// newCORS answers cross-origin requests from origins (none: no origin is
// granted anything). A preflight is answered here, before admission: it
// carries no credentials, and only tells the browser what the actual
// request may send. Credentials travel in Authorization, never in cookies,
// so none are allowed.
func newCORS(origins []string) *cors.Cors {
	opts := cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete},
		AllowedHeaders: corsHeaders,
		ExposedHeaders: corsExposed,
		// Browsers keep a preflight's answer this long (Chromium at most
		// two hours, Firefox a day).
		MaxAge: 7200,
	}
	if len(origins) == 0 {
		// rs/cors reads an empty list as "every origin".
		opts.AllowOriginFunc = func(string) bool { return false }
	}
	return cors.New(opts)
}

// originAllowed reports whether a WebSocket handshake may proceed: from a
// page of the server's own origin, from an allowed origin, or from a client
// that is not a browser (no Origin). Browsers send any origin's cookies with
// a handshake, but this server reads none: the check keeps WebSockets to the
// same origins as every other request.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	if u, err := url.Parse(origin); err == nil && strings.EqualFold(u.Host, r.Host) {
		return true
	}
	return s.cors.OriginAllowed(r)
}
