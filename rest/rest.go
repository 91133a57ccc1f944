// Package rest is the REST compatibility shim: it answers the five public
// APIs partnergraph is compatible with (shared/seeds) exactly as documented,
// by running GraphQL operations in-process. It never touches the store: a
// route is a GraphQL document, a mapping from the request to its variables,
// and a mapping from the result to the documented response and errors, so
// validation, authorization and events have one code path.
package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
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

func routes() []route {
	jsonBody := []string{"application/json"}
	jsonAPI := []string{"application/vnd.api+json", "application/json"}
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

// Register mounts every route and the OpenAPI document on mux.
func Register(mux *http.ServeMux, gw Gateway) {
	for _, rt := range routes() {
		mux.Handle(rt.method+" "+rt.pattern, handler(rt, gw))
	}
	mux.HandleFunc("GET /openapi.json", serveOpenAPI)
}

// call is one request to a route.
type call struct {
	ctx  context.Context
	r    *http.Request
	exec Executor
	body []byte
}

// handler serves one route: admission first, so a caller without a valid
// key learns nothing about its request's shape; then the body; then the
// route's operations.
func handler(rt route, gw Gateway) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, done, aerr := gw.Admit(w, r)
		if aerr != nil {
			rt.format.write(w, fromDomain(aerr))
			return
		}
		defer done()
		c := &call{ctx: r.Context(), r: r, exec: gw}
		if err := c.readBody(w, rt.contentTypes); err != nil {
			rt.format.write(w, err)
			return
		}
		status, body, err := rt.handle(c)
		if d, ok := ratelimit.Last(r.Context()); ok {
			// Over the limit, this also sets Retry-After for the 429.
			d.SetHeaders(w.Header())
		}
		if err != nil {
			rt.format.write(w, err)
			return
		}
		ct := "application/json"
		if rt.format == jsonAPIErrors {
			ct = "application/vnd.api+json"
		}
		writeJSON(w, status, ct, body)
	})
}

// apiError is an error with its HTTP status, before it is rendered in the
// API's format. Pointer names the body member at fault (JSON pointer form).
type apiError struct {
	status  int
	code    pg.Code
	message string
	pointer string
	errs    []fieldError // every bad field, where the API reports them all
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

func (c *call) readBody(w http.ResponseWriter, types []string) error {
	if len(types) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	ok := false
	for _, t := range types {
		ok = ok || mt == t
	}
	if !ok {
		return &apiError{status: http.StatusUnsupportedMediaType, code: pg.BadUserInput,
			message: "Content-Type must be " + strings.Join(types, " or ") + "."}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, c.r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &apiError{status: http.StatusRequestEntityTooLarge, code: pg.BadUserInput, message: "The request body is too large."}
	}
	if err != nil {
		return badRequest("", "The request body could not be read.")
	}
	c.body = body
	return nil
}

// decode parses the body as a JSON object.
func (c *call) decode() (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(c.body, &m); err != nil || m == nil {
		return nil, badRequest("", "The request body must be a JSON object.")
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
		e := resp.Errors[0]
		code, _ := e.Extensions["code"].(string)
		field, _ := e.Extensions["field"].(string)
		return fromDomain(&pg.Error{Code: pg.Code(code), Message: e.Message, Field: field})
	}
	if into != nil {
		if err := json.Unmarshal(resp.Data, into); err != nil {
			return &apiError{status: http.StatusInternalServerError, code: pg.Internal, message: "Internal error."}
		}
	}
	return nil
}

// fromDomain is the apiError of a domain error, with the status of the
// gateway's one table (partnergraph.Error.HTTPStatus).
func fromDomain(e *pg.Error) *apiError {
	return &apiError{status: e.HTTPStatus(), code: e.Code, message: e.Message, pointer: e.Field}
}

// pathID parses an integer path parameter into the global ID of typ.
func (c *call) pathID(name, typ string) (string, error) {
	n, err := strconv.ParseInt(c.r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return "", &apiError{status: http.StatusNotFound, code: pg.NotFound, message: "Not found.", pointer: name}
	}
	return pg.GlobalID(typ, n), nil
}

func writeJSON(w http.ResponseWriter, status int, contentType string, body any) {
	if body == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func globalID(typ string, id int64) string { return pg.GlobalID(typ, id) }
