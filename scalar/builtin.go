package scalar

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
)

// The built-in scalars' input coercion as the GraphQL specification gives
// it (§3.5), stricter than gqlgen's defaults, which read the strings "2" and
// "NaN" as numbers and any number as a string:
//
//   - Int is a signed 32-bit integer: an integral number in
//     -2147483648…2147483647, never a string;
//   - Float is a finite number, never a string;
//   - String and ID hold no U+0000 (PostgreSQL text cannot store it, so one
//     engine would refuse what the other stores); an ID is a string or an
//     integer;
//   - Boolean is true or false.
//
// gqlgen.yml binds Int, Float, String, ID and Boolean to these functions.
// Values arrive as JSON decodes them (json.Number, string, bool) or as the
// document's literals (int64, float64, string, bool).

// MarshalInt32 writes an Int.
func MarshalInt32(i int32) graphql.Marshaler { return graphql.MarshalInt32(i) }

// UnmarshalInt32 reads an Int.
func UnmarshalInt32(v any) (int32, error) {
	n, err := int32Value(v)
	return int32(n), err
}

// MarshalInt writes an Int held in an int.
func MarshalInt(i int) graphql.Marshaler { return graphql.MarshalInt(i) }

// UnmarshalInt reads an Int into an int.
func UnmarshalInt(v any) (int, error) {
	n, err := int32Value(v)
	return int(n), err
}

// MarshalInt64 writes an Int held in an int64.
func MarshalInt64(i int64) graphql.Marshaler { return graphql.MarshalInt64(i) }

// UnmarshalInt64 reads an Int into an int64: still 32 bits.
func UnmarshalInt64(v any) (int64, error) { return int32Value(v) }

// ErrIntRange is the error of an integral number outside Int's 32 bits.
var ErrIntRange = fmt.Errorf("Int is a 32-bit signed integer: %d to %d", math.MinInt32, math.MaxInt32)

func int32Value(v any) (int64, error) {
	var n int64
	switch v := v.(type) {
	case int:
		n = int64(v)
	case int32:
		n = int64(v)
	case int64:
		n = v
	case float64:
		if v != math.Trunc(v) || math.IsInf(v, 0) {
			return 0, nonInteger(strconv.FormatFloat(v, 'g', -1, 64))
		}
		if v < math.MinInt32 || v > math.MaxInt32 {
			return 0, ErrIntRange
		}
		n = int64(v)
	case json.Number:
		// A number sent with a fraction or an exponent (2.0, 1e2) is not
		// an integer input value (§3.5.1), as gqlparser also holds.
		i, err := strconv.ParseInt(string(v), 10, 64)
		switch {
		case isRange(err):
			return 0, ErrIntRange
		case err != nil:
			return 0, nonInteger(string(v))
		}
		n = i
	default:
		return 0, fmt.Errorf("Int cannot represent %s", kind(v))
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, ErrIntRange
	}
	return n, nil
}

// nonInteger is the error of a number that is not an integer, in
// graphql-js's words; the number is shown, as it was sent where a number
// belongs.
func nonInteger(number string) error {
	return fmt.Errorf("Int cannot represent non-integer value: %s", number)
}

func isRange(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// MarshalFloat writes a Float; a stored non-finite number (which no input
// can now give) is written as null rather than as invalid JSON.
func MarshalFloat(f float64) graphql.Marshaler {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return graphql.Null
	}
	return graphql.MarshalFloat(f)
}

// UnmarshalFloat reads a Float: a finite number.
func UnmarshalFloat(v any) (float64, error) {
	var f float64
	switch v := v.(type) {
	case int:
		f = float64(v)
	case int32:
		f = float64(v)
	case int64:
		f = float64(v)
	case float64:
		f = v
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(v), 64); err != nil {
			return 0, fmt.Errorf("Float cannot represent a number beyond float64's range")
		}
	default:
		return 0, fmt.Errorf("Float cannot represent %s", kind(v))
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("Float cannot represent a non-finite number")
	}
	return f, nil
}

// MarshalString writes a String.
func MarshalString(s string) graphql.Marshaler { return graphql.MarshalString(s) }

// UnmarshalString reads a String: a string without U+0000.
func UnmarshalString(v any) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("String cannot represent %s", kind(v))
	}
	return s, checkText(s)
}

// ErrNullCharacter is the error of text holding U+0000.
var ErrNullCharacter = fmt.Errorf("text cannot hold the character U+0000")

func checkText(s string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return ErrNullCharacter
	}
	return nil
}

// MarshalID writes an ID.
func MarshalID(s string) graphql.Marshaler { return graphql.MarshalID(s) }

// UnmarshalID reads an ID: a string without U+0000, or an integer.
func UnmarshalID(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, checkText(v)
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
			return "", fmt.Errorf("ID cannot represent a non-integral number")
		}
		return string(v), nil
	}
	return "", fmt.Errorf("ID cannot represent %s", kind(v))
}

// MarshalBoolean writes a Boolean.
func MarshalBoolean(b bool) graphql.Marshaler { return graphql.MarshalBoolean(b) }

// UnmarshalBoolean reads a Boolean: true or false.
func UnmarshalBoolean(v any) (bool, error) {
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("Boolean cannot represent %s", kind(v))
	}
	return b, nil
}

// kind names a value's JSON kind for an error, never the value: it may be
// a secret sent in the wrong place.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int, int32, int64, float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("a %T", v)
}
