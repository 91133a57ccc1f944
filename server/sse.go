package server

import (
	"bytes"
	"io"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// sseTransport is gqlgen's server-sent events transport behind the checks a
// plain POST body gets: at most maxBody bytes (413), one request object
// whose members have their types and appear once (400). gqlgen's transport
// reads the body without a limit, and on a body it cannot decode answers,
// and logs with the standard logger, the whole body: a connect mutation's
// password among it.
type sseTransport struct {
	transport.SSE
	maxBody int64
}

func (t sseTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	body, status, err := httpTransport{maxBody: t.maxBody}.readBody(w, r)
	if err == nil {
		status = http.StatusBadRequest
		_, err = checkRequest(body)
	}
	if err != nil {
		writeRequestError(w, status, mediaJSON, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	t.SSE.Do(w, r, exec)
}
