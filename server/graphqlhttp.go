package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	pg "partnergraph"
	"partnergraph/auth"
	"partnergraph/ratelimit"
)

// Media types of GraphQL responses.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// graphqlHandler serves /graphql by the GraphQL-over-HTTP specification:
// POST and GET (queries only), the response media type chosen by Accept,
// and the status codes that media type calls for. Operations run through
// gqlgen's transports; the response is buffered so its status can depend on
// whether execution started. WebSocket and server-sent event streams go
// straight through.
func (s *Server) graphqlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodOptions:
			s.gql.ServeHTTP(w, r)
			return
		case strings.EqualFold(r.Header.Get("Upgrade"), "websocket"):
			// Browsers cannot set headers on a WebSocket: its credentials
			// come in the connection_init payload (websocketInit).
			s.gql.ServeHTTP(w, r.WithContext(s.untilShutdown(r.Context())))
			return
		case r.Method != http.MethodGet && r.Method != http.MethodPost:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			writeRequestError(w, http.StatusMethodNotAllowed, mediaJSON, pg.Errorf(pg.BadUserInput, "Send GraphQL operations with POST, or queries with GET."))
			return
		}
		creds := auth.FromRequest(r)
		if r.Method == http.MethodPost && acceptsEventStream(r) {
			if creds.Authorization == "" {
				writeRequestError(w, http.StatusUnauthorized, mediaJSON, errNoKey)
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
			s.gql.ServeHTTP(w, r.WithContext(auth.WithCredentials(s.untilShutdown(r.Context()), creds)))
			return
		}
		media, ok := negotiate(r.Header.Get("Accept"))
		if !ok {
			writeRequestError(w, http.StatusNotAcceptable, mediaJSON,
				pg.Errorf(pg.BadUserInput, "Accept %s or %s.", mediaGraphQLResponse, mediaJSON))
			return
		}
		if creds.Authorization == "" {
			writeRequestError(w, http.StatusUnauthorized, media, errNoKey)
			return
		}
		var body []byte
		if r.Method == http.MethodPost {
			var status int
			var err *pg.Error
			if body, status, err = s.readBody(w, r); err != nil {
				writeRequestError(w, status, media, err)
				return
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		if !s.acquire(ctx) {
			w.Header().Set("Retry-After", "1")
			writeRequestError(w, http.StatusServiceUnavailable, media, errBusy)
			return
		}
		defer func() { <-s.slots }()
		ctx, limits := ratelimit.NewContext(auth.WithCredentials(ctx, creds))
		var res result
		if isBatch(body) {
			res = s.batch(ctx, r, media, body)
		} else {
			res = s.execute(ctx, r, media, body)
		}
		if d, ok := limits.Last(); ok {
			d.SetHeaders(w.Header())
		}
		for k, v := range res.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", media)
		w.WriteHeader(res.status)
		w.Write(res.body)
	})
}

var errNoKey = pg.Errorf(pg.Unauthenticated, "Authorization: Bearer <API key> is required.")

// readBody reads a POST body: JSON, within the size limit, holding one
// request object or a batch of them.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, *pg.Error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != mediaJSON {
		return nil, http.StatusUnsupportedMediaType, pg.Errorf(pg.BadUserInput, "Content-Type must be %s.", mediaJSON)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, http.StatusRequestEntityTooLarge, pg.Errorf(pg.BadUserInput, "The request body is larger than %d bytes.", s.cfg.MaxBodyBytes)
	}
	if err != nil {
		return nil, http.StatusBadRequest, pg.Errorf(pg.BadUserInput, "The request body could not be read.")
	}
	if !isBatch(body) {
		if err := checkRequest(body); err != nil {
			return nil, http.StatusBadRequest, err
		}
	}
	return body, 0, nil
}

// request is the shape of a GraphQL-over-HTTP request body.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// checkRequest reports a body that is not a request object, in words that
// say what is wrong without echoing the body back.
func checkRequest(body []byte) *pg.Error {
	var req request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return pg.InvalidField(typeErr.Field, "%s must be a JSON %s.", typeErr.Field, jsonKind(typeErr.Field))
		}
		return pg.Errorf(pg.BadUserInput, "The request body must be a JSON object with a query: %v.", err)
	}
	if dec.More() {
		return pg.Errorf(pg.BadUserInput, "The request body holds more than one JSON value.")
	}
	return nil
}

func jsonKind(field string) string {
	if field == "variables" || field == "extensions" {
		return "object"
	}
	return "string"
}

func isBatch(body []byte) bool {
	body = bytes.TrimLeft(body, " \t\r\n")
	return len(body) > 0 && body[0] == '['
}

// batch runs a JSON array of requests one after another and answers an
// array of their responses, in order.
func (s *Server) batch(ctx context.Context, r *http.Request, media string, body []byte) result {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return requestError(http.StatusBadRequest, pg.Errorf(pg.BadUserInput, "A batch must be a JSON array of request objects."))
	}
	switch {
	case len(items) == 0:
		return requestError(http.StatusBadRequest, pg.Errorf(pg.BadUserInput, "The batch is empty."))
	case len(items) > s.cfg.MaxBatch:
		return requestError(http.StatusBadRequest, pg.Errorf(pg.BadUserInput, "The batch holds %d operations; the limit is %d.", len(items), s.cfg.MaxBatch))
	}
	var out bytes.Buffer
	out.WriteByte('[')
	for i, item := range items {
		if i > 0 {
			out.WriteByte(',')
		}
		var res result
		if err := checkRequest(item); err != nil {
			res = requestError(http.StatusBadRequest, err)
		} else {
			res = s.execute(ctx, r, media, item)
		}
		out.Write(bytes.TrimRight(res.body, "\n"))
	}
	out.WriteByte(']')
	return result{status: http.StatusOK, body: out.Bytes()}
}

// result is a buffered response.
type result struct {
	status int
	header http.Header
	body   []byte
}

// exchange is what the operation tells the transport: whether execution
// started (so the response has data) and the status of a request refused
// before it did.
type exchange struct {
	executed   bool
	status     int
	retryAfter bool
}

// errBusy answers a request that found no room to execute within its
// timeout.
var errBusy = pg.Errorf(pg.RateLimited, "The server is busy; retry shortly.")

type exchangeKey struct{}

// markExecuting notes that the operation passed every check and runs.
func markExecuting(ctx context.Context) {
	if ex, ok := ctx.Value(exchangeKey{}).(*exchange); ok {
		ex.executed = true
	}
}

// setRetryAfter asks the client of a refused request to retry in a second.
func setRetryAfter(ctx context.Context) {
	if ex, ok := ctx.Value(exchangeKey{}).(*exchange); ok {
		ex.retryAfter = true
	}
}

// setStatus sets the status of a request refused before execution.
func setStatus(ctx context.Context, code int) {
	if ex, ok := ctx.Value(exchangeKey{}).(*exchange); ok {
		ex.status = code
	}
}

// execute runs one request (body for POST, r's query string for GET)
// through gqlgen and settles the status by the media type's rules.
func (s *Server) execute(ctx context.Context, r *http.Request, media string, body []byte) result {
	ex := &exchange{}
	req := r.Clone(context.WithValue(ctx, exchangeKey{}, ex))
	if body != nil {
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", mediaJSON)
	}
	req.Header.Set("Accept", media)
	buf := &bufferWriter{header: http.Header{}}
	s.gql.ServeHTTP(buf, req)

	switch {
	case r.Method == http.MethodGet && buf.status == http.StatusNotAcceptable:
		// gqlgen's GET transport refuses a mutation this way; the
		// specification asks for 405 and the method that works.
		res := requestError(http.StatusMethodNotAllowed, pg.Errorf(pg.BadUserInput, "Only queries may be sent with GET; send mutations with POST."))
		res.header = http.Header{"Allow": {"POST"}}
		return res
	case ex.executed:
		return result{status: http.StatusOK, body: buf.body.Bytes()}
	}
	// Refused before execution: the response has no data entry, and
	// every error a code (gqlgen's transports write some without one).
	var resp struct {
		Errors     []map[string]any `json:"errors"`
		Extensions json.RawMessage  `json:"extensions,omitempty"`
	}
	if err := json.Unmarshal(buf.body.Bytes(), &resp); err != nil || len(resp.Errors) == 0 {
		return requestError(http.StatusBadRequest, pg.Errorf(pg.BadUserInput, "The request is not a GraphQL request."))
	}
	internal := false
	for _, e := range resp.Errors {
		ext, _ := e["extensions"].(map[string]any)
		if ext == nil {
			ext = map[string]any{}
			e["extensions"] = ext
		}
		if _, ok := ext["code"]; !ok {
			ext["code"] = string(pg.BadUserInput)
		}
		internal = internal || ext["code"] == string(pg.Internal)
	}
	out, _ := json.Marshal(resp)
	status := ex.status
	switch {
	case status != 0:
	case buf.status == http.StatusBadRequest:
		// gqlgen could not decode the request.
		status = http.StatusBadRequest
	case media == mediaGraphQLResponse:
		status = http.StatusBadRequest
		if internal {
			status = http.StatusInternalServerError
		}
	default:
		// application/json: every well-formed request is answered 200.
		status = http.StatusOK
	}
	res := result{status: status, body: out}
	if ex.retryAfter {
		res.header = http.Header{"Retry-After": {"1"}}
	}
	return res
}

func requestError(status int, err *pg.Error) result {
	ext := map[string]any{"code": err.Code}
	if err.Field != "" {
		ext["field"] = err.Field
	}
	body, _ := json.Marshal(map[string]any{"errors": []any{map[string]any{"message": err.Message, "extensions": ext}}})
	return result{status: status, body: body}
}

func writeRequestError(w http.ResponseWriter, status int, media string, err *pg.Error) {
	res := requestError(status, err)
	w.Header().Set("Content-Type", media)
	w.WriteHeader(status)
	w.Write(res.body)
}

// bufferWriter holds a response until the transport settles its status.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// negotiate picks the response media type from Accept: the acceptable one
// with the highest quality, application/graphql-response+json on a tie;
// application/json when Accept is absent or a wildcard, as clients written
// before the specification expect.
func negotiate(accept string) (string, bool) {
	if strings.TrimSpace(accept) == "" {
		return mediaJSON, true
	}
	type choice struct {
		media string
		q     float64
		rank  int
	}
	var choices []choice
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if q <= 0 {
			continue
		}
		switch mt {
		case mediaGraphQLResponse:
			choices = append(choices, choice{mediaGraphQLResponse, q, 0})
		case mediaJSON:
			choices = append(choices, choice{mediaJSON, q, 1})
		case "application/*", "*/*":
			choices = append(choices, choice{mediaJSON, q, 2})
		}
	}
	if len(choices) == 0 {
		return "", false
	}
	sort.SliceStable(choices, func(i, j int) bool {
		if choices[i].q != choices[j].q {
			return choices[i].q > choices[j].q
		}
		return choices[i].rank < choices[j].rank
	})
	return choices[0].media, true
}

func acceptsEventStream(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(strings.SplitN(r.Header.Get("Accept"), ",", 2)[0])
	return mt == "text/event-stream"
}

// untilShutdown returns ctx, cancelled also when the server shuts down, for
// streams that would otherwise outlive it.
func (s *Server) untilShutdown(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.closing, cancel)
	context.AfterFunc(ctx, func() { stop() })
	return ctx
}

// acquire takes an execution slot, waiting until ctx ends. A free slot is
// taken even when ctx has already ended (a select would pick at random), so
// only a server that is really full answers "busy".
func (s *Server) acquire(ctx context.Context) bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
	}
	select {
	case s.slots <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}
