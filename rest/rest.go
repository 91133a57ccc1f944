// Package rest is the REST compatibility shim: it answers the five public
// APIs partnergraph is compatible with (shared/seeds) exactly as documented,
// by running GraphQL operations in-process. It never touches the store: a
// route is a GraphQL document, a mapping from the request to its variables,
// and a mapping from the result to the documented response and errors, so
// validation, authorization and events have one code path.
//
// Every route checks a request in one order: authenticate (the gateway's
// admission), authorize (a route that writes needs a key that may write),
// then read and validate the body, then run its operations, whose records
// may not be found. A caller refused at one step learns nothing the later
// steps would have told it.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	pg "partnergraph"
	"partnergraph/ratelimit"
)

// Executor runs a GraphQL operation in-process for an admitted request.
type Executor interface {
	Execute(ctx context.Context, query string, vars map[string]any) *graphql.Response
}

// Gateway is what the shim runs on: the gateway's one admission step and
// its in-process execution (server.Server).
type Gateway interface {
	Executor
	// Admit authenticates a request before any of it is read, and gives
	// it its deadline; the returned function ends it.
	Admit(w http.ResponseWriter, r *http.Request) (*http.Request, func(), *pg.Error)
}

// idempotencyHeader names a write request a client may retry.
const idempotencyHeader = "Idempotency-Key"

// maxBody bounds a request body; every documented body is far smaller.
const maxBody = 64 << 10

// route is one documented endpoint: adding an endpoint is adding a row.
type route struct {
	method, pattern string
	// format renders errors in the API's documented shape.
	format errorFormat
	// contentTypes are the request media types accepted (none: no body).
	contentTypes []string
	handle       func(c *call) (status int, body any, err error)
}

// writes reports whether the route changes data. Such a route needs a key
// that may write, checked before its body is read, and takes an
// Idempotency-Key.
func (rt route) writes() bool { return rt.method != http.MethodGet }

func routes() []route {
	jsonBody := []string{"application/json"}
	jsonAPI := []string{mediaJSONAPI, "application/json"}
	return []route{
		// Seed 000: partnerships of projects, for partner users.
		{"GET", "/v1/partnerships/{id}", partnershipErrors, nil, getPartnership},
		{"PATCH", "/v1/partnerships/{id}", partnershipErrors, jsonBody, patchPartnership},
		{"DELETE", "/v1/partnerships/{id}", partnershipErrors, nil, deletePartnership},
		{"GET", "/v1/projects/{id}/partnerships", partnershipErrors, nil, listProjectPartnerships},
		{"POST", "/v1/projects/{id}/partnerships", partnershipErrors, jsonBody, createProjectPartnership},
		// Seed 001: updating a partnership, JourneyBee style.
		{"PATCH", "/api/v1/partnerships/{partnershipId}", journeyBeeErrors, jsonBody, updatePartnership},
		{"PATCH", "/api/v1/companies/{companyId}/partnerships/{partnershipId}", journeyBeeErrors, jsonBody, updatePartnership},
		// Seed 002: a partner's company relationships, OData style.
		{"GET", "/v1/{partner}/Relationships/Companies", iqmetrixErrors, nil, partnerCompanies},
		// Seed 003: partner integrations, JSON:API.
		{"POST", "/api/v1/partner_integrations/connect", jsonAPIErrors, jsonAPI, connectIntegration},
		{"DELETE", "/api/v1/partner_integrations/disconnect", jsonAPIErrors, jsonAPI, disconnectIntegration},
		// Seed 004: creating a partner across organizations, FastAPI style.
		{"POST", "/partners", fastAPIErrors, jsonBody, createPartner},
	}
}

// Register mounts every route and the OpenAPI document on mux; keys
// remember the answers of requests sent with an Idempotency-Key. A path of
// an API that names no route, or a route with a method it does not take,
// is answered in that API's error format: 404, or 405 with Allow.
func Register(mux *http.ServeMux, gw Gateway, keys Idempotency) {
	if keys == nil {
		panic("rest: Register needs an Idempotency store")
	}
	allow := map[string][]route{}
	var patterns []string
	for _, rt := range routes() {
		mux.Handle(rt.method+" "+rt.pattern, handler(rt, gw, keys))
		if allow[rt.pattern] == nil {
			patterns = append(patterns, rt.pattern)
		}
		allow[rt.pattern] = append(allow[rt.pattern], rt)
	}
	for _, p := range patterns {
		mux.Handle(p, methodNotAllowed(allow[p]))
	}
	for _, prefix := range []string{"/v1", "/v1/", "/api", "/api/", "/partners/"} {
		mux.Handle(prefix, http.HandlerFunc(unknownPath))
	}
	mux.HandleFunc("GET /openapi.json", serveOpenAPI)
	mux.HandleFunc("OPTIONS /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", "GET, HEAD, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
	})
}

// call is one request to a route.
type call struct {
	ctx  context.Context
	r    *http.Request
	exec Executor
	body []byte
}

// handler serves one route: admission first, so a caller without a valid
// key learns nothing about its request's shape; then authorization, then
// the body; then the route's operations.
func handler(rt route, gw Gateway, keys Idempotency) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, done, aerr := gw.Admit(w, r)
		if aerr != nil {
			writeReply(w, rt.format.render(fromDomain(aerr)))
			return
		}
		defer done()
		rp := answer(w, r, rt, gw, keys)
		if d, ok := ratelimit.Last(r.Context()); ok {
			// Over the limit, this also sets Retry-After for the 429.
			d.SetHeaders(w.Header())
		}
		writeReply(w, rp)
	})
}

// answer is an admitted request's response.
func answer(w http.ResponseWriter, r *http.Request, rt route, exec Executor, keys Idempotency) reply {
	if err := authorize(r.Context(), rt); err != nil {
		return rt.format.render(err)
	}
	c := &call{ctx: r.Context(), r: r, exec: exec}
	if err := c.readBody(w, rt); err != nil {
		return rt.format.render(err)
	}
	if rt.writes() {
		return idempotent(c, rt, keys)
	}
	return c.respond(rt)
}

// authorize refuses a route that writes to a key that may only read:
// before the body is read, so the refusal is the same whatever was sent.
func authorize(ctx context.Context, rt route) error {
	if !rt.writes() {
		return nil
	}
	if a, ok := pg.ActorFrom(ctx); !ok || !a.CanWrite() {
		return fromDomain(pg.ErrWriteRequired)
	}
	return nil
}

// respond runs the route and renders its outcome.
func (c *call) respond(rt route) reply {
	status, body, err := rt.handle(c)
	if err != nil {
		return rt.format.render(err)
	}
	ct := "application/json"
	if rt.format == jsonAPIErrors {
		ct = mediaJSONAPI
	}
	return jsonReply(status, ct, body)
}

// methodNotAllowed answers a route's path with a method none of its rows
// takes: OPTIONS with the methods it takes (no key needed: the OpenAPI
// document lists them too), any other with 405 and those in Allow.
func methodNotAllowed(rows []route) http.Handler {
	var methods []string
	for _, rt := range rows {
		methods = append(methods, rt.method)
		if rt.method == http.MethodGet {
			methods = append(methods, http.MethodHead)
		}
	}
	allow := strings.Join(append(methods, http.MethodOptions), ", ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.Header().Set("Allow", allow)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		rp := rows[0].format.render(&apiError{status: http.StatusMethodNotAllowed, code: pg.BadUserInput, raw: true,
			message: fmt.Sprintf("%s %s is not a route; this path takes %s.", r.Method, r.URL.Path, allow)})
		rp.header = http.Header{"Allow": {allow}}
		writeReply(w, rp)
	})
}

// unknownPath answers a path of an API that names none of its routes (a
// trailing slash included) in that API's format.
func unknownPath(w http.ResponseWriter, r *http.Request) {
	writeReply(w, formatOf(r.URL.Path).render(&apiError{status: http.StatusNotFound, code: pg.NotFound, raw: true,
		message: fmt.Sprintf("No route matches %s %s.", r.Method, r.URL.Path)}))
}

// apiError is an error with its HTTP status, before it is rendered in the
// API's format. Pointer names the body member at fault (JSON pointer form).
type apiError struct {
	status  int
	code    pg.Code
	message string
	pointer string
	errs    []fieldError // every bad field, where the API reports them all
	// fields is the domain's report of every bad field of an input.
	fields []pg.FieldError
	// raw marks an error of the request's form (its path, method, media
	// type or size) rather than of its content: every format renders it
	// with its own status and message.
	raw bool
}

func (e *apiError) Error() string { return e.message }

type fieldError struct {
	loc  []any
	msg  string
	kind string
}

func badRequest(pointer, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: pg.BadUserInput, message: fmt.Sprintf(format, args...), pointer: pointer}
}

func (c *call) readBody(w http.ResponseWriter, rt route) error {
	if len(rt.contentTypes) == 0 {
		return nil
	}
	if err := acceptable(c.r, rt); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, c.r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &apiError{status: http.StatusRequestEntityTooLarge, code: pg.BadUserInput, raw: true, message: "The request body is too large."}
	}
	if err != nil {
		return badRequest("", "The request body could not be read.")
	}
	c.body = body
	return nil
}

// decode parses the body as a JSON object of the members want, refusing
// any other member and any member sent twice (422, naming it).
func (c *call) decode(want members) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(c.body, &m); err != nil || m == nil {
		return nil, badRequest("", "The request body must be a JSON object.")
	}
	if faults := memberFaults(c.body, want); len(faults) > 0 {
		return nil, unprocessable(faults[0].pointer(), "%s", faults[0].message())
	}
	return m, nil
}

// run executes a GraphQL operation; a GraphQL error becomes an apiError
// carrying the domain code and field.
func (c *call) run(query string, vars map[string]any, into any) error {
	// Variables go through JSON, decoded as the HTTP transport decodes
	// them, so an operation sees the same values from either transport.
	encoded, err := json.Marshal(vars)
	if err != nil {
		return &apiError{status: http.StatusInternalServerError, code: pg.Internal, message: "Internal error."}
	}
	dec := json.NewDecoder(bytes.NewReader(encoded))
	dec.UseNumber()
	vars = nil
	if err := dec.Decode(&vars); err != nil {
		return &apiError{status: http.StatusInternalServerError, code: pg.Internal, message: "Internal error."}
	}
	resp := c.exec.Execute(c.ctx, query, vars)
	if len(resp.Errors) > 0 {
		return fromDomain(domainError(resp.Errors[0].Message, resp.Errors[0].Extensions))
	}
	if into != nil {
		if err := json.Unmarshal(resp.Data, into); err != nil {
			return &apiError{status: http.StatusInternalServerError, code: pg.Internal, message: "Internal error."}
		}
	}
	return nil
}

// domainError is the domain error a GraphQL error presents: its code,
// field and, for an input's validation, every bad field.
func domainError(message string, ext map[string]any) *pg.Error {
	code, _ := ext["code"].(string)
	field, _ := ext["field"].(string)
	e := &pg.Error{Code: pg.Code(code), Message: message, Field: field}
	if fields, ok := ext["fields"]; ok {
		// In process the extension is the domain's own []FieldError; a
		// round trip through JSON reads any other form of it alike.
		if b, err := json.Marshal(fields); err == nil {
			json.Unmarshal(b, &e.Fields)
		}
	}
	return e
}

// fromDomain is the apiError of a domain error, with the status of the
// gateway's one table (partnergraph.Error.HTTPStatus).
func fromDomain(e *pg.Error) *apiError {
	return &apiError{status: e.HTTPStatus(), code: e.Code, message: e.Message, pointer: e.Field, fields: e.Fields}
}

// errNotFound is a record of the path that does not exist, or that the
// caller may not see: each format renders it as its own 404.
func errNotFound(what string) *apiError {
	return &apiError{status: http.StatusNotFound, code: pg.NotFound, message: what + " not found."}
}

// positiveID parses an integer id as the paths and bodies carry them. An
// id that cannot name a record (not a number, zero, negative, too large) is
// not an error of form: no record has it.
func positiveID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// pathID parses an integer path parameter into the global ID of typ; an id
// no record can have is that record not found.
func (c *call) pathID(name, typ string) (string, error) {
	n, ok := positiveID(c.r.PathValue(name))
	if !ok {
		return "", errNotFound(typ)
	}
	return pg.GlobalID(typ, n), nil
}

// reply is a response before it is written.
type reply struct {
	status      int
	contentType string
	// header holds headers beyond Content-Type.
	header http.Header
	body   []byte
}

// jsonReply encodes body as the response; a nil body sends none.
func jsonReply(status int, contentType string, body any) reply {
	if body == nil {
		return reply{status: status}
	}
	b, err := json.Marshal(body)
	if err != nil {
		return reply{status: http.StatusInternalServerError, contentType: "application/json", body: []byte(`{"error":"Internal error."}` + "\n")}
	}
	return reply{status: status, contentType: contentType, body: append(b, '\n')}
}

func writeReply(w http.ResponseWriter, rp reply) {
	for k, v := range rp.header {
		w.Header()[k] = v
	}
	retry := rp.status == http.StatusTooManyRequests || rp.status == http.StatusServiceUnavailable
	if retry && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	if rp.contentType != "" {
		w.Header().Set("Content-Type", rp.contentType)
	}
	w.WriteHeader(rp.status)
	w.Write(rp.body)
}

func globalID(typ string, id int64) string { return pg.GlobalID(typ, id) }
