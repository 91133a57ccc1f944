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

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "partnergraph"
	"partnergraph/ratelimit"
)

// graphqlMethods are the methods /graphql takes.
const graphqlMethods = "GET, HEAD, POST, OPTIONS"

// Media types of GraphQL responses.
const (
	mediaGraphQLResponse = "application/graphql-response+json"
	mediaJSON            = "application/json"
)

// httpTransport is GraphQL over HTTP as its specification says
// (graphql.github.io/graphql-over-http): POST, and GET for queries; the
// response media type chosen by Accept; a JSON array body is a batch. It is
// a gqlgen transport, so it settles each response's status itself:
//
//   - a response with data is 200;
//   - a request gqlgen could not run (it does not parse, validate or
//     coerce: BAD_USER_INPUT) is 400 under application/graphql-response+json
//     and 200 under application/json, as clients written before the
//     specification expect;
//   - any other refusal before execution (the allow-list, the rate limit, a
//     busy server) has the status of its code (partnergraph.Code.HTTPStatus).
//
// A response refused before execution has no data entry.
type httpTransport struct {
	maxBody  int64
	maxBatch int
}

var _ graphql.Transport = httpTransport{}

// Supports takes every request the stream transports do not.
func (httpTransport) Supports(r *http.Request) bool {
	return !isWebsocket(r) && !acceptsEventStream(r)
}

// Do answers one request.
func (t httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := negotiate(r.Header.Get("Accept"))
	if !ok {
		writeRequestError(w, http.StatusNotAcceptable, mediaJSON,
			pg.Errorf(pg.BadUserInput, "Accept %s or %s.", mediaGraphQLResponse, mediaJSON))
		return
	}
	var res result
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		// HEAD is GET without the body (RFC 9110 §9.3.2), which the
		// HTTP server leaves out.
		res = t.get(r, exec, media)
	case http.MethodPost:
		res = t.post(w, r, exec, media)
	default:
		res = requestError(http.StatusMethodNotAllowed, pg.Errorf(pg.BadUserInput, "Send GraphQL operations with POST, or queries with GET."))
		res.header = http.Header{"Allow": {graphqlMethods}}
	}
	if d, ok := ratelimit.Last(r.Context()); ok {
		d.SetHeaders(w.Header())
	}
	for k, v := range res.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", media)
	w.WriteHeader(res.status)
	w.Write(res.body)
}

// get runs the query of a GET request's query string.
func (t httpTransport) get(r *http.Request, exec graphql.GraphExecutor, media string) result {
	q := r.URL.Query()
	// Each parameter once: with two, one would be run and the other
	// silently ignored, and which depends on the server.
	for _, name := range []string{"query", "operationName", "variables", "extensions"} {
		if len(q[name]) > 1 {
			return requestError(http.StatusBadRequest, pg.InvalidField(name, "%s may be given once.", name))
		}
	}
	params := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for name, dst := range map[string]*map[string]any{"variables": &params.Variables, "extensions": &params.Extensions} {
		if v := q.Get(name); v != "" {
			if err := decodeJSON([]byte(v), dst); err != nil {
				return requestError(http.StatusBadRequest, pg.InvalidField(name, "%s must be a JSON object.", name))
			}
		}
	}
	return t.run(r.Context(), exec, params, media, true)
}

// post runs the request object, or the batch of them, of a POST body.
func (t httpTransport) post(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string) result {
	body, status, err := t.readBody(w, r)
	if err != nil {
		return requestError(status, err)
	}
	if isBatch(body) {
		return t.batch(r, exec, media, body)
	}
	return t.runBody(r, exec, media, body)
}

// runBody decodes one request object and runs it.
func (t httpTransport) runBody(r *http.Request, exec graphql.GraphExecutor, media string, body []byte) result {
	start := graphql.Now()
	req, err := decodeRequest(body)
	if err != nil {
		return requestError(http.StatusBadRequest, err)
	}
	params := &graphql.RawParams{Query: req.Query, OperationName: req.OperationName, Variables: req.Variables,
		Extensions: req.Extensions, Headers: r.Header, ReadTime: graphql.TraceTiming{Start: start, End: graphql.Now()}}
	return t.run(r.Context(), exec, params, media, false)
}

// run executes one operation and settles its status.
func (t httpTransport) run(ctx context.Context, exec graphql.GraphExecutor, params *graphql.RawParams, media string, get bool) result {
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		return refused(media, resp)
	}
	if get && oc.Operation.Operation != ast.Query {
		res := requestError(http.StatusMethodNotAllowed, pg.Errorf(pg.BadUserInput, "Only queries may be sent with GET; send mutations with POST."))
		res.header = http.Header{"Allow": {"POST"}}
		return res
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if resp == nil {
		// The deadline passed before the operation could start.
		return requestError(errTimeout.HTTPStatus(), errTimeout)
	}
	if resp.Data == nil {
		return refused(media, resp)
	}
	return result{status: http.StatusOK, body: EncodeResponse(resp)}
}

// refused answers a response that has no data: the operation did not run,
// and the response has no data entry.
func refused(media string, resp *graphql.Response) result {
	code := pg.BadUserInput
	if len(resp.Errors) > 0 {
		if c, ok := resp.Errors[0].Extensions["code"].(string); ok {
			code = pg.Code(c)
		}
	}
	body, err := json.Marshal(struct {
		Errors     gqlerror.List  `json:"errors"`
		Extensions map[string]any `json:"extensions,omitempty"`
	}{resp.Errors, resp.Extensions})
	if err != nil {
		return requestError(http.StatusInternalServerError, pg.InternalError(err))
	}
	res := result{status: refusedStatus(media, code), body: body}
	if res.status == http.StatusServiceUnavailable {
		res.header = http.Header{"Retry-After": {"1"}}
	}
	return res
}

// refusedStatus is the status of a request that did not run. Refusals of
// the caller or of the moment have their code's status; a request that
// cannot run as sent (it does not parse, validate or coerce, is over a
// limit, or names a persisted query this server does not hold) is 400
// under application/graphql-response+json and 200 under application/json.
func refusedStatus(media string, code pg.Code) int {
	switch code {
	case pg.Unauthenticated, pg.Forbidden, pg.RateLimited, pg.Unavailable, pg.Internal:
		return code.HTTPStatus()
	}
	if media == mediaJSON {
		return http.StatusOK
	}
	return http.StatusBadRequest
}

// readBody reads a POST body: JSON, within the size limit.
func (t httpTransport) readBody(w http.ResponseWriter, r *http.Request) ([]byte, int, *pg.Error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != mediaJSON {
		return nil, http.StatusUnsupportedMediaType, pg.Errorf(pg.BadUserInput, "Content-Type must be %s.", mediaJSON)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, t.maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, http.StatusRequestEntityTooLarge, pg.Errorf(pg.BadUserInput, "The request body is larger than %d bytes.", t.maxBody)
	}
	if err != nil {
		return nil, http.StatusBadRequest, pg.Errorf(pg.BadUserInput, "The request body could not be read.")
	}
	return body, 0, nil
}

// request is the shape of a GraphQL-over-HTTP request body: the fields of
// graphql.RawParams a body sets.
type request struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
}

// decodeRequest decodes a request object, once: a body that is not one is
// reported in words that say what is wrong without echoing the body back.
func decodeRequest(body []byte) (*request, *pg.Error) {
	var req request
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return nil, pg.InvalidField(typeErr.Field, "%s must be a JSON %s.", typeErr.Field, jsonKind(typeErr.Field))
		}
		return nil, pg.Errorf(pg.BadUserInput, "The request body must be a JSON object with a query: %v.", err)
	}
	if dec.More() {
		return nil, pg.Errorf(pg.BadUserInput, "The request body holds more than one JSON value.")
	}
	return &req, nil
}

// decodeJSON decodes JSON keeping numbers as written (json.Number), as
// gqlgen's input coercion expects.
func decodeJSON(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(dst)
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
func (t httpTransport) batch(r *http.Request, exec graphql.GraphExecutor, media string, body []byte) result {
	var items []json.RawMessage
	if err := json.Unmarshal(body, &items); err != nil {
		return requestError(http.StatusBadRequest, pg.Errorf(pg.BadUserInput, "A batch must be a JSON array of request objects."))
	}
	switch {
	case len(items) == 0:
		return requestError(http.StatusBadRequest, pg.Errorf(pg.BadUserInput, "The batch is empty."))
	case len(items) > t.maxBatch:
		return requestError(http.StatusBadRequest, pg.Errorf(pg.BadUserInput, "The batch holds %d operations; the limit is %d.", len(items), t.maxBatch))
	}
	var out bytes.Buffer
	out.WriteByte('[')
	for i, item := range items {
		if i > 0 {
			out.WriteByte(',')
		}
		out.Write(t.runBody(r, exec, media, item).body)
	}
	out.WriteByte(']')
	return result{status: http.StatusOK, body: out.Bytes()}
}

// result is a response before it is written.
type result struct {
	status int
	header http.Header
	body   []byte
}

func requestErrorBody(err *pg.Error) map[string]any {
	ext := map[string]any{"code": err.Code}
	if err.Field != "" {
		ext["field"] = err.Field
	}
	return map[string]any{"errors": []any{map[string]any{"message": err.Message, "extensions": ext}}}
}

func requestError(status int, err *pg.Error) result {
	body, _ := json.Marshal(requestErrorBody(err))
	return result{status: status, body: body}
}

func writeRequestError(w http.ResponseWriter, status int, media string, err *pg.Error) {
	res := requestError(status, err)
	w.Header().Set("Content-Type", media)
	w.WriteHeader(status)
	w.Write(res.body)
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
	if r.Method != http.MethodPost {
		return false
	}
	mt, _, _ := mime.ParseMediaType(strings.SplitN(r.Header.Get("Accept"), ",", 2)[0])
	return mt == "text/event-stream"
}

func isWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}
