// Package scalar implements the custom GraphQL scalars of the schema.
package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
)

// UUID is a UUID in canonical form; input in any form uuid.Parse accepts is
// normalized.
type UUID string

func (u *UUID) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("UUID must be a string")
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return fmt.Errorf("%q is not a valid UUID", s)
	}
	*u = UUID(id.String())
	return nil
}

// MarshalGQL writes u as a JSON string, as gqlgen writes a String (Go's
// strconv.Quote escapes are not all JSON's).
func (u UUID) MarshalGQL(w io.Writer) { graphql.MarshalString(string(u)).MarshalGQL(w) }

// Date is a calendar date in YYYY-MM-DD form.
type Date string

const dateLayout = "2006-01-02"

func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("Date must be a string in YYYY-MM-DD form")
	}
	if _, err := time.Parse(dateLayout, s); err != nil {
		return fmt.Errorf("%q is not a date in YYYY-MM-DD form", s)
	}
	*d = Date(s)
	return nil
}

// MarshalGQL writes d as a JSON string, as gqlgen writes a String.
func (d Date) MarshalGQL(w io.Writer) { graphql.MarshalString(string(d)).MarshalGQL(w) }

// JSON is any JSON value, passed through as it is.
type JSON []byte

func (j *JSON) UnmarshalGQL(v any) error {
	b, err := json.Marshal(v)
	*j = b
	return err
}

func (j JSON) MarshalGQL(w io.Writer) {
	if len(j) == 0 {
		io.WriteString(w, "null")
		return
	}
	w.Write(j)
}
