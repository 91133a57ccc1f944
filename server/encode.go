package server

import (
	"encoding/json"

	"github.com/99designs/gqlgen/graphql"

	pg "partnergraph"
)

// EncodeResponse is the body /graphql answers for resp, an operation's
// response with data. It writes resp exactly as json.Marshal writes a
// graphql.Response:
// its members in the struct's order, empty ones left out, and the data
// compacted with <, >, & and U+2028, U+2029 escaped.
//
// It does not run the data through encoding/json. json.Marshal re-reads a
// json.RawMessage with its validating scanner, one step function call per
// byte, to compact and escape it: for a dashboard's 400 KB answer that took
// as much processor time as loading and writing it (4.5 of 20 ms on
// PostgreSQL, BenchmarkDashboardCost). The data is gqlgen's or the compiled
// path's output, valid JSON by construction, so compacting and escaping it
// needs only to know where its strings are (appendData). The small members
// (errors, path, extensions) still go through json.Marshal.
func EncodeResponse(resp *graphql.Response) []byte {
	// Room for the members around the data and a few escapes in it.
	b, err := appendResponse(make([]byte, 0, len(resp.Data)+len(resp.Data)/16+256), resp)
	if err != nil {
		// Every value gqlgen produces encodes; this is a fault.
		b, _ = json.Marshal(requestErrorBody(pg.InternalError(err)))
	}
	return b
}

func appendResponse(b []byte, resp *graphql.Response) ([]byte, error) {
	if resp.Data != nil && len(resp.Data) == 0 {
		// Not JSON: json.Marshal reports it.
		return json.Marshal(resp)
	}
	b = append(b, '{')
	if len(resp.Errors) > 0 {
		var err error
		if b, err = appendMember(b, `"errors":`, resp.Errors); err != nil {
			return nil, err
		}
		b = append(b, ',')
	}
	b = append(b, `"data":`...)
	if resp.Data == nil {
		b = append(b, "null"...)
	} else {
		b = appendData(b, resp.Data)
	}
	for _, m := range []struct {
		name  string
		set   bool
		value any
	}{
		{`,"label":`, resp.Label != "", resp.Label},
		{`,"path":`, len(resp.Path) > 0, resp.Path},
		{`,"hasNext":`, resp.HasNext != nil, resp.HasNext},
		{`,"extensions":`, len(resp.Extensions) > 0, resp.Extensions},
	} {
		if !m.set {
			continue
		}
		var err error
		if b, err = appendMember(b, m.name, m.value); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendMember(b []byte, name string, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(append(b, name...), j...), nil
}

// dataByte classes the bytes appendData stops at; every other byte is
// copied as it is.
var dataByte = func() (t [256]uint8) {
	for _, c := range []byte{' ', '\t', '\n', '\r'} {
		t[c] = space
	}
	t['"'] = quote
	t['\\'] = backslash
	for _, c := range []byte{'<', '>', '&'} {
		t[c] = html
	}
	t[0xE2] = lineSeparator
	return t
}()

const (
	plain = iota
	space
	quote
	backslash
	html
	lineSeparator
)

// appendData appends data, valid JSON, as encoding/json's compact writes it
// with HTML escaping on (the Marshal default): whitespace outside strings
// dropped, and inside them <, >, & written \u003c, \u003e, \u0026 and the
// line and paragraph separators U+2028 and U+2029 written \u2028, \u2029.
// Valid JSON holds those characters only inside strings, and a string's
// escapes (\", \\, \uXXXX…) hold none of them after the backslash.
func appendData(b, data []byte) []byte {
	const hex = "0123456789abcdef"
	inString := false
	start := 0
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch dataByte[c] {
		case plain:
		case space:
			if !inString {
				b = append(b, data[start:i]...)
				start = i + 1
			}
		case quote:
			inString = !inString
		case backslash:
			i++ // the escaped character, which never ends the string
		case html:
			b = append(append(b, data[start:i]...), '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			start = i + 1
		case lineSeparator:
			if i+2 < len(data) && data[i+1] == 0x80 && data[i+2]&^1 == 0xA8 {
				b = append(append(b, data[start:i]...), '\\', 'u', '2', '0', '2', hex[data[i+2]&0xF])
				i += 2
				start = i + 1
			}
		}
	}
	return append(b, data[start:]...)
}
