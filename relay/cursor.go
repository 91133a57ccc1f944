package relay

import (
	"encoding/base64"
	"encoding/json"

	pg "partnergraph"
)

// cursorVersion lets the encoding change without misreading old cursors.
const cursorVersion = 1

type cursorJSON struct {
	V int    `json:"v"`
	O string `json:"o"`
	K string `json:"k,omitempty"`
	I int64  `json:"i"`
}

// EncodeCursor returns the opaque form of a keyset position.
func EncodeCursor(c pg.Cursor) string {
	b, _ := json.Marshal(cursorJSON{V: cursorVersion, O: c.Order, K: c.Key, I: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses an opaque cursor; a malformed one is bad input on field.
func DecodeCursor(field, s string) (*pg.Cursor, error) {
	bad := pg.InvalidField(field, "%s is not a valid cursor.", field)
	if len(s) > 1024 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c cursorJSON
	if err := json.Unmarshal(b, &c); err != nil || c.V != cursorVersion || c.O == "" || c.I <= 0 {
		return nil, bad
	}
	return &pg.Cursor{Order: c.O, Key: c.K, ID: c.I}, nil
}

// Page validates Relay's pagination arguments: first or last (not both), at
// most MaxPageSize, with optional after and before cursors.
func Page(first *int32, after *string, last *int32, before *string) (pg.PageRequest, error) {
	var p pg.PageRequest
	if first != nil && last != nil {
		return p, pg.InvalidField("last", "Pass first or last, not both.")
	}
	size := func(field string, n int32) (int, error) {
		if n < 0 || n > pg.MaxPageSize {
			return 0, pg.InvalidField(field, "%s must be between 0 and %d.", field, pg.MaxPageSize)
		}
		return int(n), nil
	}
	var err error
	switch {
	case first != nil:
		p.Limit, err = size("first", *first)
	case last != nil:
		p.Limit, err = size("last", *last)
		p.Backward = true
	default:
		p.Limit = pg.DefaultPageSize
		p.Backward = before != nil && after == nil
	}
	if err != nil {
		return p, err
	}
	if after != nil {
		if p.After, err = DecodeCursor("after", *after); err != nil {
			return p, err
		}
	}
	if before != nil {
		if p.Before, err = DecodeCursor("before", *before); err != nil {
			return p, err
		}
	}
	return p, nil
}

// FromList turns a store page into a connection.
func FromList[T any](l pg.List[T]) *Connection[T] {
	cursor := func(v T) string { return EncodeCursor(l.Cursor(v)) }
	return NewConnection(l.Items, cursor, l.HasPrev, l.HasNext, l.Count)
}
