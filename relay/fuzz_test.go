package relay

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf8"

	pg "partnergraph"
)

// Cursors and global IDs come from clients: decoding any string must answer
// a value or bad input, never panic, and whatever decodes must survive a
// round trip. The seeds run as ordinary tests.

func FuzzCursor(f *testing.F) {
	b64 := base64.RawURLEncoding.EncodeToString
	for _, s := range []string{
		EncodeCursor(pg.Cursor{Order: "company_name", Key: "Acme, Inc. 🚀", ID: 42}),
		EncodeCursor(pg.Cursor{Order: "id", ID: 1}),
		EncodeCursor(pg.Cursor{Order: "created_at", Key: "2026-01-02T03:04:05Z", ID: 9223372036854775807}),
		"", "x", "e30", "====", "%%%", strings.Repeat("A", 1025),
		b64([]byte(`{"v":1,"o":"id","i":1}`)),
		b64([]byte(`{"v":1,"o":"id","i":0}`)),
		b64([]byte(`{"v":1,"o":"id","i":-5}`)),
		b64([]byte(`{"v":2,"o":"id","i":1}`)),
		b64([]byte(`{"v":1,"o":"","i":1}`)),
		b64([]byte(`{"v":1,"o":"id","i":1e3}`)),
		b64([]byte(`{"v":1,"o":"id","i":9223372036854775808}`)),
		b64([]byte(`{"v":1,"o":"id","k":null,"i":1}`)),
		b64([]byte(`{"v":1,"o":"id","k":"\ud800","i":1}`)),
		b64([]byte("{\"v\":1,\"o\":\"\xff\",\"k\":\"\xfe\",\"i\":1}")),
		b64([]byte(`{"v":1,"o":"id","i":1,"V":2,"O":"x"}`)),
		b64([]byte(`[1,2,3]`)),
		b64([]byte(`null`)),
		base64.StdEncoding.EncodeToString([]byte(`{"v":1,"o":"id","i":1}`)),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := DecodeCursor("after", s)
		if err != nil {
			var e *pg.Error
			if c != nil || pg.ErrorCode(err) != pg.BadUserInput || !asError(err, &e) || e.Field != "after" {
				t.Fatalf("%q: a bad cursor must be bad input on after, got %+v %v", s, c, err)
			}
			return
		}
		if c.Order == "" || c.ID <= 0 {
			t.Fatalf("%q decoded to an invalid position %+v", s, c)
		}
		again := EncodeCursor(*c)
		c2, err := DecodeCursor("after", again)
		if err != nil {
			t.Fatalf("%q decoded to %+v, whose encoding %q does not decode: %v", s, c, again, err)
		}
		if *c2 != *c {
			t.Fatalf("%q decoded to %+v, re-encoded as %q, decoded to %+v", s, c, again, c2)
		}
		// A cursor is re-encoded canonically: encoding is a fixed point.
		if EncodeCursor(*c2) != again {
			t.Fatalf("%+v encodes as %q, then as %q", c2, again, EncodeCursor(*c2))
		}
		if !utf8.ValidString(c.Order) || !utf8.ValidString(c.Key) {
			t.Fatalf("%q decoded to invalid UTF-8 %+v", s, c)
		}
	})
}

func FuzzGlobalID(f *testing.F) {
	b64 := base64.RawURLEncoding.EncodeToString
	for _, s := range []string{
		pg.GlobalID("Partner", 1), pg.GlobalID("PartnerIntegration", 9007199254740993), pg.GlobalID("Tier", 9223372036854775807),
		"", "%%%", "UGFydG5lcg", "UGFydG5lcjotMQ", "OjE", strings.Repeat("Q", 129),
		b64([]byte("Partner:0")), b64([]byte("Partner:+7")), b64([]byte("Partner:007")), b64([]byte("Partner: 7")),
		b64([]byte("Partner:9223372036854775808")), b64([]byte("Partner:1:2")), b64([]byte("a:b:3")),
		b64([]byte("\xff\xfe:1")), b64([]byte("Par\x00tner:1")), b64([]byte("Partner:1e3")),
		base64.StdEncoding.EncodeToString([]byte("Partner:1")),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		typ, id, ok := pg.ParseGlobalID(s)
		if !ok {
			if typ != "" || id != 0 {
				t.Fatalf("%q: refused, yet returned %q %d", s, typ, id)
			}
			if _, err := DecodeID("id", "Partner", s); pg.ErrorCode(err) != pg.BadUserInput {
				t.Fatalf("%q: DecodeID of a malformed ID must be bad input, got %v", s, err)
			}
			return
		}
		if typ == "" || id <= 0 || strings.Contains(typ, ":") {
			t.Fatalf("%q parsed to %q %d", s, typ, id)
		}
		again := pg.GlobalID(typ, id)
		typ2, id2, ok := pg.ParseGlobalID(again)
		if !ok || typ2 != typ || id2 != id {
			t.Fatalf("%q parsed to %q %d, re-encoded as %q, parsed to %q %d %v", s, typ, id, again, typ2, id2, ok)
		}
		if pg.GlobalID(typ2, id2) != again {
			t.Fatalf("%q %d encodes as %q, then as %q", typ2, id2, again, pg.GlobalID(typ2, id2))
		}
		if got, err := DecodeID("id", typ, s); err != nil || got != id {
			t.Fatalf("%q: DecodeID as %s gave %d %v", s, typ, got, err)
		}
		if _, err := DecodeID("id", typ+"x", s); pg.ErrorCode(err) != pg.BadUserInput {
			t.Fatalf("%q: an ID of another type must be bad input, got %v", s, err)
		}
	})
}
