package rest

import (
	_ "embed"
	"mime"
	"net/http"
	"strconv"
	"strings"

	pg "partnergraph"
)

//go:embed openapi.json
var openAPIDocument []byte

// serveOpenAPI answers the document, or 406 in the gateway's own error
// format when the request's Accept header rules JSON out.
func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	if !acceptsJSON(r.Header.Values("Accept")) {
		writeReply(w, jsonReply(http.StatusNotAcceptable, "application/json", map[string]any{"error": map[string]string{
			"code": string(pg.BadUserInput), "message": "This document is JSON: accept application/json.",
		}}))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(openAPIDocument)
}

// acceptsJSON reports whether Accept header values (RFC 9110, section
// 12.5.1) allow application/json: no header, or a media range matching it
// with a quality above zero. Unparsable ranges are ignored.
func acceptsJSON(values []string) bool {
	if strings.TrimSpace(strings.Join(values, "")) == "" {
		return true
	}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q <= 0 {
				continue
			}
			switch mt {
			case "application/json", "application/*", "*/*":
				return true
			}
		}
	}
	return false
}
