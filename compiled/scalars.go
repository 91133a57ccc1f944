package compiled

import (
	"encoding/base64"
	"math"
	"strconv"
	"time"
)

// Member writers of scalar fields, built once per plan. Each mirrors the
// marshaler gqlgen generates for the field's type; a value gqlgen would
// refuse (a zero time for Time!, an infinite float) stops the compiled
// execution so that gqlgen answers, with its error.

func str[T any](get func(T) string) func(*exec, T) error {
	return func(e *exec, v T) error { e.w.str(get(v)); return nil }
}

func optStr[T any](get func(T) *string) func(*exec, T) error {
	return func(e *exec, v T) error {
		if s := get(v); s != nil {
			e.w.str(*s)
		} else {
			e.w.null()
		}
		return nil
	}
}

func integer[T any](get func(T) int64) func(*exec, T) error {
	return func(e *exec, v T) error { e.w.int(get(v)); return nil }
}

func boolean[T any](get func(T) bool) func(*exec, T) error {
	return func(e *exec, v T) error { e.w.bool(get(v)); return nil }
}

func optBool[T any](get func(T) *bool) func(*exec, T) error {
	return func(e *exec, v T) error {
		if b := get(v); b != nil {
			e.w.bool(*b)
		} else {
			e.w.null()
		}
		return nil
	}
}

func optFloat[T any](get func(T) *float64) func(*exec, T) error {
	return func(e *exec, v T) error {
		f := get(v)
		switch {
		case f == nil:
			e.w.null()
		case math.IsInf(*f, 0) || math.IsNaN(*f):
			return errFallback
		default:
			e.w.float(*f)
		}
		return nil
	}
}

// timestamp writes a Time! field.
func timestamp[T any](get func(T) time.Time) func(*exec, T) error {
	return func(e *exec, v T) error {
		t := get(v)
		if t.IsZero() {
			return errFallback
		}
		e.w.time(t)
		return nil
	}
}

// globalID writes an object's global ID (partnergraph.GlobalID) without
// building it as a string first.
func globalID[T any](typ string, get func(T) int64) func(*exec, T) error {
	return func(e *exec, v T) error {
		var tmp [48]byte
		raw := append(tmp[:0], typ...)
		raw = append(raw, ':')
		raw = strconv.AppendInt(raw, get(v), 10)
		e.w.b = append(e.w.b, '"')
		e.w.b = base64.RawURLEncoding.AppendEncode(e.w.b, raw)
		e.w.b = append(e.w.b, '"')
		e.w.comma = true
		return nil
	}
}

// common are the fields every node type shares.
func common[T any](name, typ string, id func(T) int64, uuid func(T) string, created, updated func(T) time.Time) func(*exec, T) error {
	switch name {
	case "id":
		return globalID(typ, id)
	case "databaseId":
		return integer(id)
	case "uuid":
		return str(uuid)
	case "createdAt":
		if created != nil {
			return timestamp(created)
		}
	case "updatedAt":
		if updated != nil {
			return timestamp(updated)
		}
	}
	return nil
}
