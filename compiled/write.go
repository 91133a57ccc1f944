package compiled

import (
	"strconv"
	"sync"
	"time"
)

// writer appends a response's JSON as gqlgen's marshalers write it: the
// same string escaping (graphql.MarshalString), numbers (strconv, %g for
// floats), RFC 3339 times, no spaces.
type writer struct {
	b []byte
	// comma is whether the next value of the object or list being written
	// needs a comma before it.
	comma bool
}

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

func (w *writer) open(c byte) {
	w.b = append(w.b, c)
	w.comma = false
}

func (w *writer) close(c byte) {
	w.b = append(w.b, c)
	w.comma = true
}

// key starts a member of an object: key is already quoted and has its colon.
func (w *writer) key(key string) {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, key...)
	w.comma = false
}

// elem starts an element of a list.
func (w *writer) elem() {
	if w.comma {
		w.b = append(w.b, ',')
	}
	w.comma = false
}

func (w *writer) null() { w.b = append(w.b, "null"...); w.comma = true }

func (w *writer) bool(v bool) { w.b = strconv.AppendBool(w.b, v); w.comma = true }

func (w *writer) int(v int64) { w.b = strconv.AppendInt(w.b, v, 10); w.comma = true }

func (w *writer) float(v float64) { w.b = strconv.AppendFloat(w.b, v, 'g', -1, 64); w.comma = true }

func (w *writer) time(t time.Time) {
	w.b = append(w.b, '"')
	w.b = t.AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
	w.comma = true
}

const hex = "0123456789ABCDEF"

// str writes s quoted exactly as gqlgen's writeQuotedString does: it walks
// runes, escapes control characters, backslash and quote, and copies every
// other byte as it is (invalid UTF-8 included).
func (w *writer) str(s string) {
	w.b = append(w.b, '"')
	start := 0
	for i, c := range s {
		if c < 0x20 || c == '\\' || c == '"' {
			w.b = append(w.b, s[start:i]...)
			switch c {
			case '\t':
				w.b = append(w.b, `\t`...)
			case '\r':
				w.b = append(w.b, `\r`...)
			case '\n':
				w.b = append(w.b, `\n`...)
			case '\\':
				w.b = append(w.b, `\\`...)
			case '"':
				w.b = append(w.b, `\"`...)
			default:
				w.b = append(w.b, `\u00`...)
				w.b = append(w.b, hex[c>>4], hex[c&0xf])
			}
			start = i + 1
		}
	}
	w.b = append(w.b, s[start:]...)
	w.b = append(w.b, '"')
	w.comma = true
}

// quotedKey is the member name of a response key, with its colon.
func quotedKey(alias string) string {
	w := writer{}
	w.str(alias)
	return string(w.b) + ":"
}
