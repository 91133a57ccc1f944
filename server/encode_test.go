package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// sameAsMarshal fails unless EncodeResponse writes resp as json.Marshal does.
func sameAsMarshal(t *testing.T, resp *graphql.Response) {
	t.Helper()
	want, err := json.Marshal(resp)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	if got := EncodeResponse(resp); !bytes.Equal(got, want) {
		t.Fatalf("encode differs from json.Marshal\n got: %s\nwant: %s", got, want)
	}
}

func TestEncodeResponseWritesWhatJSONMarshalWrites(t *testing.T) {
	yes := true
	for _, tc := range []struct {
		name string
		resp graphql.Response
	}{
		{"data only", graphql.Response{Data: []byte(`{"a":1}`)}},
		{"null data", graphql.Response{Errors: gqlerror.List{{Message: "boom"}}}},
		{"data null literal", graphql.Response{Data: []byte(`null`)}},
		{"whitespace between tokens", graphql.Response{Data: []byte(" {\n\t\"a\" : [ 1 , 2 ] ,\r\n \"b\" : { } } \n")}},
		{"whitespace inside strings kept", graphql.Response{Data: []byte(`{"name":"Acme  Corp ","k y":" "}`)}},
		{"html in strings", graphql.Response{Data: []byte(`{"q":"<script>alert('x')</script> & co >"}`)}},
		{"html in keys", graphql.Response{Data: []byte(`{"a<b&c>":true}`)}},
		{"line and paragraph separators", graphql.Response{Data: []byte("{\"s\":\"a\u2028b\u2029c\u2027d\"}")}},
		{"escaped quotes and backslashes", graphql.Response{Data: []byte(`{"s":"say \"hi\" \\","t":"\\\"<"}`)}},
		{"unicode escapes", graphql.Response{Data: []byte(`{"s":"\u003c\u2028\u0022 x"}`)}},
		{"multi-byte text", graphql.Response{Data: []byte(`{"s":"Zürich – 東京 ☃ ≥ ⁂"}`)}},
		{"errors first, extensions last", graphql.Response{
			Errors:     gqlerror.List{{Message: "bad <id>", Path: ast.Path{ast.PathName("partner")}, Extensions: map[string]any{"code": "NOT_FOUND", "data": nil}}},
			Data:       []byte(`{"partner":null}`),
			Extensions: map[string]any{"cost": map[string]any{"requested": 3, "limit": 50000}, "data": nil},
		}},
		{"deferred members", graphql.Response{Data: []byte(`{}`), Label: "l<", Path: ast.Path{ast.PathName("a"), ast.PathIndex(2)}, HasNext: &yes}},
		{"empty lists and maps left out", graphql.Response{Data: []byte(`[]`), Errors: gqlerror.List{}, Extensions: map[string]any{}, Path: ast.Path{}}},
	} {
		t.Run(tc.name, func(t *testing.T) { sameAsMarshal(t, &tc.resp) })
	}
}

// TestEncodeResponseMatchesJSONMarshalOnRandomData compares EncodeResponse with json.Marshal
// on generated JSON values: nested objects and lists, strings drawn from the
// characters encoding/json escapes or that end or escape a string, numbers,
// literals, and whitespace between any two tokens. The seed is printed.
func TestEncodeResponseMatchesJSONMarshalOnRandomData(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	for i := range 3000 {
		var b strings.Builder
		randomJSON(rng, &b, 4)
		data := []byte(b.String())
		if !json.Valid(data) {
			t.Fatalf("generated invalid JSON (seed %d, value %d): %s", seed, i, data)
		}
		sameAsMarshal(t, &graphql.Response{Data: data})
	}
}

func randomJSON(rng *rand.Rand, b *strings.Builder, depth int) {
	ws := func() {
		for range rng.IntN(3) {
			b.WriteByte(" \t\n\r"[rng.IntN(4)])
		}
	}
	ws()
	switch k := rng.IntN(7); {
	case depth > 0 && k == 0:
		b.WriteByte('{')
		for i := range rng.IntN(4) {
			if i > 0 {
				b.WriteByte(',')
			}
			ws()
			randomString(rng, b)
			ws()
			b.WriteByte(':')
			randomJSON(rng, b, depth-1)
		}
		ws()
		b.WriteByte('}')
	case depth > 0 && k == 1:
		b.WriteByte('[')
		for i := range rng.IntN(4) {
			if i > 0 {
				b.WriteByte(',')
			}
			randomJSON(rng, b, depth-1)
		}
		ws()
		b.WriteByte(']')
	case k == 2:
		fmt.Fprint(b, []string{"true", "false", "null"}[rng.IntN(3)])
	case k == 3:
		fmt.Fprintf(b, "%g", rng.NormFloat64()*1e6)
	default:
		randomString(rng, b)
	}
	ws()
}

func randomString(rng *rand.Rand, b *strings.Builder) {
	pieces := []string{"a", " ", "<", ">", "&", `\"`, `\\`, `\/`, `\n`, `\u2028`, `\u003c`, "\u2028", "\u2029", "\u2027",
		"é", "東", "☃", "\u00e2\u0080", "Acme Corp", "\\\\\\\""}
	b.WriteByte('"')
	for range rng.IntN(6) {
		b.WriteString(pieces[rng.IntN(len(pieces))])
	}
	b.WriteByte('"')
}

// FuzzEncodeResponse holds EncodeResponse to json.Marshal on any valid JSON data.
func FuzzEncodeResponse(f *testing.F) {
	for _, s := range []string{`{"a":"<b> & c"}`, " [ 1 ,\n2 ] ", "\"\u2028\u2029\"", `{"s":"\\\"\u003e"}`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 || !json.Valid(data) {
			t.Skip()
		}
		sameAsMarshal(t, &graphql.Response{Data: data})
	})
}

// BenchmarkEncodeResponse writes a dashboard-sized answer (about 400 KB) as the
// transport does and as json.Marshal did.
//
//	go test ./server -run '^$' -bench EncodeResponse -benchmem
func BenchmarkEncodeResponse(b *testing.B) {
	var data strings.Builder
	data.WriteString(`{"partners":{"nodes":[`)
	for i := range 500 {
		if i > 0 {
			data.WriteByte(',')
		}
		fmt.Fprintf(&data, `{"id":"UGFydG5lcjo%d","companyName":"Acme & Sons %d","tags":[{"name":"Strategic partner"},{"name":"EMEA"}],"stage":{"name":"Negotiation"},"fields":[{"value":"Платформа","updatedAt":"2026-11-30T10:00:00Z"}]}`, i, i)
	}
	data.WriteString(`]}}`)
	resp := &graphql.Response{Data: []byte(data.String()), Extensions: map[string]any{"cost": map[string]any{"requested": 1200}}}
	b.Run("EncodeResponse", func(b *testing.B) {
		b.SetBytes(int64(len(resp.Data)))
		for b.Loop() {
			EncodeResponse(resp)
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.SetBytes(int64(len(resp.Data)))
		for b.Loop() {
			if _, err := json.Marshal(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
}
