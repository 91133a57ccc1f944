package scalar

import (
	"bytes"
	"encoding/json"
	"io"
	"testing"
)

// TestStringScalarsWriteJSON holds UUID and Date to JSON strings whatever
// their text: a response's data is sent as it is written (the transport
// does not re-validate it), so a value read from the database that Go's
// quoting would escape its own way (\x01, \a) must still be JSON.
func TestStringScalarsWriteJSON(t *testing.T) {
	for _, s := range []string{
		"0190f0c4-8e0b-7c3a-9d4e-5f6a7b8c9d0e",
		"2026-11-30",
		"tab\there, quote \" and backslash \\",
		"bell \a, nul \x00, escape \x1b, delete \x7f",
		"Zürich 東京 \u2028 ☃",
	} {
		for name, m := range map[string]interface{ MarshalGQL(io.Writer) }{"UUID": UUID(s), "Date": Date(s)} {
			var b bytes.Buffer
			m.MarshalGQL(&b)
			var back string
			if err := json.Unmarshal(b.Bytes(), &back); err != nil || back != s {
				t.Errorf("%s %q wrote %s: not the JSON string of its text (%v, %q)", name, s, b.Bytes(), err, back)
			}
		}
	}
}
