package partnergraph

import (
	"errors"
	"fmt"
)

// Code classifies an error for clients. GraphQL's extensions.code and the REST
// shim's HTTP statuses are both derived from it, so a rule is enforced once.
type Code string

const (
	Unauthenticated Code = "UNAUTHENTICATED"
	Forbidden       Code = "FORBIDDEN"
	NotFound        Code = "NOT_FOUND"
	BadUserInput    Code = "BAD_USER_INPUT"
	Conflict        Code = "CONFLICT"
	BusinessRule    Code = "BUSINESS_RULE"
	RateLimited     Code = "RATE_LIMITED"
	// Unavailable is a request the server had no room to run within its
	// time limit: retrying shortly is expected to succeed.
	Unavailable Code = "UNAVAILABLE"
	Internal    Code = "INTERNAL"
)

// HTTPStatus is the HTTP status (RFC 9110) of a request that failed with an
// error of code c before it produced any result: the one table every
// transport answers from. GraphQL over HTTP answers its own request errors
// (a document it cannot parse, validate or coerce) as its specification
// says, and a REST format whose document names another status for one of
// its errors renders that one.
func (c Code) HTTPStatus() int {
	switch c {
	case Unauthenticated:
		return 401
	case Forbidden:
		return 403
	case NotFound:
		return 404
	case BadUserInput, BusinessRule:
		return 422
	case Conflict:
		return 409
	case RateLimited:
		return 429
	case Unavailable:
		return 503
	}
	return 500
}

// HTTPStatus is the HTTP status of a request that failed with e: its code's,
// except that a record the input names (Field set) and that does not exist
// is input the server cannot process (422), not a missing resource (404).
func (e *Error) HTTPStatus() int {
	if e.Code == NotFound && e.Field != "" {
		return BadUserInput.HTTPStatus()
	}
	return e.Code.HTTPStatus()
}

// Error is the one domain error. Message is safe to show a client; Err, when
// set, is the underlying cause and is only ever logged.
type Error struct {
	Code    Code
	Message string
	// Field names the input field at fault for BAD_USER_INPUT, as a dotted
	// path in the client's terms ("input.email", "input.customFields.0.value").
	Field string
	// Fields, for an input's validation, lists every bad field, in input
	// order; Field and Message are the first's.
	Fields []FieldError
	Err    error
}

// FieldError is one bad field of an input: where (a dotted path, as
// Error.Field), why (Reason, a word clients may switch on), the bound it
// broke when it has one (Limit), and a message for people.
type FieldError struct {
	Field   string `json:"field"`
	Reason  Reason `json:"reason"`
	Message string `json:"message"`
	// Limit is the bound broken: a length in characters for TOO_SHORT and
	// TOO_LONG, a value for BELOW_MINIMUM and ABOVE_MAXIMUM.
	Limit *int64 `json:"limit,omitempty"`
}

// Reason says why a field is bad.
type Reason string

const (
	ReasonRequired      Reason = "REQUIRED"
	ReasonTooShort      Reason = "TOO_SHORT"
	ReasonTooLong       Reason = "TOO_LONG"
	ReasonBelowMinimum  Reason = "BELOW_MINIMUM"
	ReasonAboveMaximum  Reason = "ABOVE_MAXIMUM"
	ReasonInvalidFormat Reason = "INVALID_FORMAT"
	ReasonInvalidChoice Reason = "INVALID_CHOICE"
	// ReasonInvalid is any other fault.
	ReasonInvalid Reason = "INVALID"
)

// badField returns a BAD_USER_INPUT error reporting one bad field.
func badField(field string, reason Reason, limit *int64, format string, args ...any) *Error {
	fe := FieldError{Field: field, Reason: reason, Limit: limit, Message: fmt.Sprintf(format, args...)}
	return &Error{Code: BadUserInput, Field: field, Message: fe.Message, Fields: []FieldError{fe}}
}

// allFields joins the errors of an input's field checks into one
// BAD_USER_INPUT error that reports every bad field (the first as its Field
// and Message), or returns nil when none is bad.
func allFields(errs ...error) error {
	var out *Error
	for _, err := range errs {
		if err == nil {
			continue
		}
		e := AsError(err)
		if len(e.Fields) == 0 && e.Code == BadUserInput {
			e = badField(e.Field, ReasonInvalid, nil, "%s", e.Message)
		}
		if out == nil {
			first := *e
			first.Fields = append([]FieldError(nil), e.Fields...)
			out = &first
			continue
		}
		out.Fields = append(out.Fields, e.Fields...)
	}
	if out == nil {
		return nil
	}
	return out
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with code and a client-facing message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// InvalidField returns a BAD_USER_INPUT error naming the field at fault.
func InvalidField(field, format string, args ...any) *Error {
	return &Error{Code: BadUserInput, Field: field, Message: fmt.Sprintf(format, args...)}
}

// NotFoundf returns a NOT_FOUND error. Records the caller may not see are
// reported exactly like records that do not exist.
func NotFoundf(format string, args ...any) *Error {
	return Errorf(NotFound, format, args...)
}

// InternalError wraps an unexpected failure; its cause is never shown.
func InternalError(err error) *Error {
	return &Error{Code: Internal, Message: "Internal error.", Err: err}
}

// ErrorCode returns the code of err, or INTERNAL for anything that is not an
// *Error (an unexpected failure).
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// AsError returns err as an *Error, wrapping unknown errors as INTERNAL.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalError(err)
}
