package rest

import (
	"mime"
	"net/http"
	"strings"

	pg "partnergraph"
)

// mediaJSONAPI is the JSON:API media type (seed 003).
const mediaJSONAPI = "application/vnd.api+json"

// acceptable checks a request's media types against its route: the body's
// Content-Type must be one the route takes (415). Seed 003's JSON:API routes
// also follow JSON:API 1.1's content negotiation (jsonapi.org/format/1.1):
// the JSON:API media type may carry only the ext and profile parameters,
// and ext only extensions the server supports (none), else 415; an Accept
// whose every JSON:API media type is so modified is 406.
func acceptable(r *http.Request, rt route) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ok := false
	for _, t := range rt.contentTypes {
		ok = ok || (err == nil && mt == t)
	}
	if !ok {
		return mediaError(http.StatusUnsupportedMediaType, "Content-Type must be "+strings.Join(rt.contentTypes, " or ")+".")
	}
	if rt.format != jsonAPIErrors {
		return nil
	}
	if mt == mediaJSONAPI {
		if p := unsupportedParameter(params); p != "" {
			return mediaError(http.StatusUnsupportedMediaType, "Content-Type "+mediaJSONAPI+" takes no "+p+" parameter: only ext (with no extension; none is supported) and profile.")
		}
	}
	if !acceptsJSONAPI(r.Header.Values("Accept")) {
		return mediaError(http.StatusNotAcceptable, "Accept "+mediaJSONAPI+" without parameters other than profile: no extension is supported.")
	}
	return nil
}

func mediaError(status int, message string) *apiError {
	return &apiError{status: status, code: pg.BadUserInput, raw: true, message: message}
}

// unsupportedParameter names a parameter of the JSON:API media type the
// server cannot honour, or returns "" when there is none.
func unsupportedParameter(params map[string]string) string {
	for name, v := range params {
		switch {
		case name == "profile":
		case name == "ext" && strings.TrimSpace(v) == "":
		case name == "ext":
			return "ext=" + `"` + v + `"`
		default:
			return name
		}
	}
	return ""
}

// acceptsJSONAPI reports whether an Accept header lets the server answer
// with the JSON:API media type: it does unless it names that media type and
// every instance of it carries a parameter the server cannot honour.
func acceptsJSONAPI(accept []string) bool {
	named, usable := false, false
	for _, header := range accept {
		for _, item := range strings.Split(header, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(item))
			if err != nil || mt != mediaJSONAPI {
				continue
			}
			named = true
			delete(params, "q") // the weight, not a parameter of the media type
			usable = usable || unsupportedParameter(params) == ""
		}
	}
	return !named || usable
}
