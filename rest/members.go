package rest

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// members are the members a documented JSON object may hold, named exactly
// as its document spells them, each with the members of its value when
// that is an object or an array of objects (nil: a value that holds no
// object this shim reads).
//
// Go's decoder matches a member to a field in any case (Tier_Id fills
// tierId) and keeps the last of a member sent twice, and a map ignores a
// member it is not asked for: a body that says something the route does
// not take would be accepted as if it said something else, or nothing.
// Every body is checked against its document's members first.
type members map[string]members

// memberFault is a member a body should not hold: one its document does not
// name (in this case), or one sent twice.
type memberFault struct {
	// path is the member's place in the body, as sent: its names and
	// array indexes from the top.
	path      []any
	duplicate bool
}

// pointer is the fault's JSON pointer (RFC 6901) into the body.
func (f memberFault) pointer() string {
	var b strings.Builder
	for _, p := range f.path {
		b.WriteByte('/')
		switch p := p.(type) {
		case string:
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(p))
		case int:
			b.WriteString(jsonNumber(p))
		}
	}
	return b.String()
}

// name is the faulty member's own name.
func (f memberFault) name() string {
	s, _ := f.path[len(f.path)-1].(string)
	return s
}

// message says what is wrong with the member, naming it.
func (f memberFault) message() string {
	if f.duplicate {
		return f.name() + " appears more than once in the body."
	}
	return f.name() + " is not a member of this body (member names are case-sensitive)."
}

func jsonNumber(n int) string { b, _ := json.Marshal(n); return string(b) }

// memberFaults returns every member of body its document (want) does not
// name, and every member sent twice, in the body's order. A body that is
// not JSON has none: its decoder reports that.
func memberFaults(body []byte, want members) []memberFault {
	dec := json.NewDecoder(bytes.NewReader(body))
	var faults []memberFault
	if err := checkValue(dec, want, nil, &faults); err != nil {
		return nil
	}
	return faults
}

// checkValue reads the next value of dec, checking the members of an
// object, or of each object of an array, against want.
func checkValue(dec *json.Decoder, want members, path []any, faults *[]memberFault) error {
	if want == nil {
		var skip json.RawMessage
		return dec.Decode(&skip)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return checkObject(dec, want, path, faults)
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := checkValue(dec, want, append(path[:len(path):len(path)], i), faults); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

// checkObject reads an object's members, its opening brace read.
func checkObject(dec *json.Decoder, want members, path []any, faults *[]memberFault) error {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		at := append(path[:len(path):len(path)], name)
		inner, known := want[name]
		switch {
		case seen[name]:
			*faults = append(*faults, memberFault{path: at, duplicate: true})
		case !known:
			*faults = append(*faults, memberFault{path: at})
		}
		seen[name] = true
		if err := checkValue(dec, inner, at, faults); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
