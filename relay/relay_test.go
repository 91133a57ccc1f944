package relay

import (
	"testing"

	pg "partnergraph"
)

func TestGlobalIDRoundTrip(t *testing.T) {
	for _, c := range []struct {
		typ string
		id  int64
	}{{"Partner", 1}, {"PartnerIntegration", 9007199254740993}} {
		typ, id, ok := pg.ParseGlobalID(pg.GlobalID(c.typ, c.id))
		if !ok || typ != c.typ || id != c.id {
			t.Fatalf("%v: got %s %d %v", c, typ, id, ok)
		}
	}
	for _, bad := range []string{"", "%%%", "UGFydG5lcg", pg.GlobalID("Partner", 0), "UGFydG5lcjotMQ", "OjE"} {
		if _, _, ok := pg.ParseGlobalID(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
	if _, err := DecodeID("id", "Tier", pg.GlobalID("Partner", 1)); pg.ErrorCode(err) != pg.BadUserInput {
		t.Fatalf("an ID of another type must be bad input, got %v", err)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := pg.Cursor{Order: "company_name", Key: "Acme, Inc. 🚀", ID: 42}
	got, err := DecodeCursor("after", EncodeCursor(c))
	if err != nil || *got != c {
		t.Fatalf("got %+v %v", got, err)
	}
	for _, bad := range []string{"", "x", "e30", EncodeCursor(pg.Cursor{Order: "id"})} {
		if _, err := DecodeCursor("after", bad); pg.ErrorCode(err) != pg.BadUserInput {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestPageArguments(t *testing.T) {
	n := func(v int32) *int32 { return &v }
	cases := []struct {
		name        string
		first, last *int32
		limit       int
		backward    bool
		bad         string
	}{
		{"Default", nil, nil, pg.DefaultPageSize, false, ""},
		{"First", n(7), nil, 7, false, ""},
		{"Last", nil, n(3), 3, true, ""},
		{"Max", n(100), nil, 100, false, ""},
		{"OverMax", n(101), nil, 0, false, "first"},
		{"Negative", nil, n(-1), 0, false, "last"},
		{"Both", n(1), n(1), 0, false, "last"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Page(c.first, nil, c.last, nil)
			if c.bad != "" {
				var e *pg.Error
				if pg.ErrorCode(err) != pg.BadUserInput || !asError(err, &e) || e.Field != c.bad {
					t.Fatalf("want bad %s, got %v", c.bad, err)
				}
				return
			}
			if err != nil || p.Limit != c.limit || p.Backward != c.backward {
				t.Fatalf("got %+v %v", p, err)
			}
		})
	}
}

func asError(err error, e **pg.Error) bool {
	x, ok := err.(*pg.Error)
	*e = x
	return ok
}
