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

func (f errorFormat) write(w http.ResponseWriter, err error) {
	e := asAPIError(err)
	retry := e.status == http.StatusTooManyRequests || e.status == http.StatusServiceUnavailable
	if retry && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", "1")
	}
	switch f {
	case journeyBeeErrors:
		status, msg := journeyBee(e)
		writeJSON(w, status, "application/json", map[string]string{"error": msg})
	case iqmetrixErrors:
		msg := e.message
		code := strings.ReplaceAll(http.StatusText(e.status), " ", "")
		if e.status == http.StatusNotFound {
			msg, code = "Entity Not Found", "EntityNotFound"
		}
		writeJSON(w, e.status, "application/json", map[string]string{"Message": msg, "ErrorCode": code})
	case jsonAPIErrors:
		// JSON:API: a request naming a related resource that does not
		// exist is 404.
		if e.code == pg.NotFound {
			e.status = http.StatusNotFound
		}
		obj := map[string]any{"status": strconv.Itoa(e.status), "code": string(e.code),
			"title": http.StatusText(e.status), "detail": e.message}
		if p := jsonAPIPointer(e.pointer); p != "" {
			obj["source"] = map[string]string{"pointer": p}
		}
		writeJSON(w, e.status, "application/vnd.api+json", map[string]any{"errors": []any{obj}})
	case fastAPIErrors:
		writeFastAPI(w, e)
	default:
		body := map[string]any{"code": e.code, "message": e.message}
		if e.pointer != "" {
			body["field"] = snake(e.pointer)
		}
		writeJSON(w, e.status, "application/json", map[string]any{"error": body})
	}
}

// journeyBee maps an error onto seed 001's five documented errors.
func journeyBee(e *apiError) (int, string) {
	switch {
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

// writeFastAPI renders seed 004's errors: validation as 422 with a detail
// list naming each bad field, anything else as {"detail": message}.
func writeFastAPI(w http.ResponseWriter, e *apiError) {
	if len(e.errs) == 0 && (e.code == pg.BadUserInput) {
		loc := []any{"body"}
		if e.pointer != "" {
			for _, part := range strings.Split(e.pointer, ".") {
				if strings.EqualFold(part, "Requester-Organization-ID") || strings.EqualFold(part, "Target-Organization-ID") {
					loc = []any{"header"}
				}
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
		writeJSON(w, http.StatusUnprocessableEntity, "application/json", map[string]any{"detail": detail})
		return
	}
	writeJSON(w, e.status, "application/json", map[string]any{"detail": e.message})
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
