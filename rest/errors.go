package rest

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	pg "partnergraph"
)

// errorFormat is the error shape of one of the compatible APIs.
type errorFormat int

const (
	partnershipErrors errorFormat = iota // seed 000
	journeyBeeErrors                     // seed 001
	iqmetrixErrors                       // seed 002
	jsonAPIErrors                        // seed 003
	fastAPIErrors                        // seed 004
)

func asAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	return &apiError{status: http.StatusInternalServerError, code: pg.Internal, message: "Internal error."}
}

// render is err as the API's error response.
func (f errorFormat) render(err error) reply {
	e := asAPIError(err)
	switch f {
	case journeyBeeErrors:
		status, msg := journeyBee(e)
		return jsonReply(status, "application/json", map[string]string{"error": msg})
	case iqmetrixErrors:
		msg := e.message
		code := strings.ReplaceAll(http.StatusText(e.status), " ", "")
		if e.status == http.StatusNotFound {
			msg, code = "Entity Not Found", "EntityNotFound"
		}
		return jsonReply(e.status, "application/json", map[string]string{"Message": msg, "ErrorCode": code})
	case jsonAPIErrors:
		return jsonAPIDocument(e)
	case fastAPIErrors:
		return fastAPI(e)
	}
	body := map[string]any{"code": e.code, "message": e.message}
	switch {
	case strings.HasPrefix(e.pointer, "/"):
		// A member of the body, named as sent.
		body["field"] = strings.ReplaceAll(strings.TrimPrefix(e.pointer, "/"), "/", ".")
	case e.pointer != "":
		body["field"] = snake(e.pointer)
	}
	return jsonReply(e.status, "application/json", map[string]any{"error": body})
}

// formatOf is the error format of the API a path belongs to.
func formatOf(path string) errorFormat {
	switch {
	case strings.HasPrefix(path, "/v1/Partners("):
		return iqmetrixErrors
	case strings.HasPrefix(path, "/api/v1/partner_integrations"):
		return jsonAPIErrors
	case strings.HasPrefix(path, "/api"):
		return journeyBeeErrors
	case strings.HasPrefix(path, "/partners"):
		return fastAPIErrors
	}
	return partnershipErrors
}

// jsonAPIDocument renders a JSON:API error document (seed 003). A request
// naming a related resource that does not exist is 404, as JSON:API says.
func jsonAPIDocument(e *apiError) reply {
	if e.code == pg.NotFound {
		e.status = http.StatusNotFound
	}
	obj := map[string]any{"status": strconv.Itoa(e.status), "code": string(e.code),
		"title": http.StatusText(e.status), "detail": e.message}
	switch p := jsonAPIPointer(e.pointer); {
	case isHeader(e.pointer):
		obj["source"] = map[string]string{"header": e.pointer}
	case p != "":
		obj["source"] = map[string]string{"pointer": p}
	}
	return jsonReply(e.status, mediaJSONAPI, map[string]any{"errors": []any{obj}})
}

// isHeader reports whether an error's field is a request header
// (Requester-Organization-ID, Idempotency-Key) rather than a body member.
func isHeader(field string) bool {
	return strings.Contains(field, "-") && !strings.HasPrefix(field, "/")
}

// journeyBee maps an error onto seed 001's five documented errors.
func journeyBee(e *apiError) (int, string) {
	switch {
	case e.raw, e.pointer == idempotencyHeader:
		// Not one of the document's errors: the request's form, or its
		// Idempotency-Key, which the document does not know of.
		return e.status, e.message
	case e.code == pg.Unauthenticated:
		return http.StatusUnauthorized, "Invalid API key or insufficient permissions"
	case e.code == pg.Forbidden:
		return http.StatusForbidden, "Write access required for this operation"
	case e.code == pg.NotFound && e.pointer == "":
		return http.StatusNotFound, "Partnership not found or not accessible"
	case e.code == pg.BusinessRule:
		return http.StatusUnprocessableEntity, "Stage change not allowed due to business rules"
	case e.code == pg.BadUserInput, e.code == pg.NotFound, e.code == pg.Conflict:
		return http.StatusBadRequest, "Invalid field values or stage UUID not found"
	case e.code == pg.RateLimited:
		return http.StatusTooManyRequests, "Rate limit exceeded"
	case e.code == pg.Unavailable:
		return http.StatusServiceUnavailable, "Service temporarily unavailable"
	}
	return http.StatusInternalServerError, "Internal error"
}

// jsonAPIPointer turns a GraphQL input field into a JSON pointer into the
// seed 003 document; pointers the shim made itself pass through.
func jsonAPIPointer(field string) string {
	switch {
	case field == "":
		return ""
	case strings.HasPrefix(field, "/"):
		return field
	case field == "login":
		return "/data/attributes/integration_login"
	case field == "password":
		return "/data/attributes/integration_password"
	case field == "partnerId":
		return "/data/relationships/partner"
	case field == "businessId":
		return "/data/relationships/business"
	}
	return "/data"
}

// fastAPI renders seed 004's errors: validation as 422 with a detail list
// naming each bad field, anything else as {"detail": message}.
func fastAPI(e *apiError) reply {
	if e.raw {
		detail := e.message
		if e.status == http.StatusNotFound || e.status == http.StatusMethodNotAllowed {
			detail = http.StatusText(e.status) // FastAPI's own answers
		}
		return jsonReply(e.status, "application/json", map[string]any{"detail": detail})
	}
	if len(e.errs) == 0 && e.code == pg.BadUserInput && len(e.fields) > 0 {
		for _, fe := range e.fields {
			e.errs = append(e.errs, fastAPIField(fe))
		}
	}
	if len(e.errs) == 0 && e.code == pg.BadUserInput {
		loc := []any{"body"}
		if isHeader(e.pointer) {
			loc = []any{"header", e.pointer}
		} else if e.pointer != "" {
			for _, part := range strings.Split(e.pointer, ".") {
				loc = append(loc, snake(part))
			}
		}
		e.errs = []fieldError{{loc: loc, msg: e.message, kind: "value_error"}}
	}
	if len(e.errs) > 0 {
		detail := make([]map[string]any, len(e.errs))
		for i, fe := range e.errs {
			detail[i] = map[string]any{"loc": fe.loc, "msg": fe.msg, "type": fe.kind}
		}
		return jsonReply(http.StatusUnprocessableEntity, "application/json", map[string]any{"detail": detail})
	}
	return jsonReply(e.status, "application/json", map[string]any{"detail": e.message})
}

// snake turns a GraphQL field name (companyName) into the REST one
// (company_name); header names stay as they are.
func snake(s string) string {
	if strings.Contains(s, "-") {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
