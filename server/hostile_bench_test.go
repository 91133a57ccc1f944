package server_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/server"
)

// coercionDocuments are the inputs that coercion refuses before execution,
// on made-up IDs (nothing is looked up before they are refused).
func coercionDocuments() []hostileDocument {
	b := func(query string, vars map[string]any) string {
		out, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
		return string(out)
	}
	partners := `query($n: Int) { partners(first: $n) { nodes { id } } }`
	return []hostileDocument{
		{"IntOf2To62", b(partners, map[string]any{"n": json.Number("4611686018427387904")}), "32-bit", 1},
		{"IntAsString", b(partners, map[string]any{"n": "2"}), "string", 1},
		{"EnumInLowerCase", b(`query($t: PartnerType) { partners(filter: {partnerType: $t}) { nodes { id } } }`, map[string]any{"t": "customer"}), "exactly", 1},
		{"NumberNaN", b(`mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { partnership { id } } }`,
			map[string]any{"in": map[string]any{"id": pg.GlobalID("Partnership", 1), "customFields": []any{map[string]any{"customFieldId": pg.GlobalID("CustomField", 1), "number": "NaN"}}}}), "Float", 1},
		{"NullCharacter", b(`mutation { createTag(input: {name: "t\u0000x"}) { tag { id } } }`, nil), "U+0000", 1},
		{"NullCompanyName", b(`mutation { updatePartner(input: {id: "`+pg.GlobalID("Partner", 1)+`", companyName: null}) { partner { id } } }`, nil), "cannot be removed", 1},
		{"PasswordAsNumber", b(`mutation { connectPartnerIntegration(input: {partnerId: "UGFydG5lcjox", businessId: "x", login: "l", password: 4711}) { partnerIntegration { id } } }`, nil), "String", 1},
	}
}

// BenchmarkRefusal measures what refusing each hostile document costs the
// server: processor time per request (cpu-ms/op, every thread of the
// process, so the authentication's SQL included), through the real handler
// without a network, with a WRITE key, on each database. Each must stay
// within 50 ms; the benchmark fails one that does not. Run:
//
//	go test ./server -run '^$' -bench Refusal -benchtime 20x
func BenchmarkRefusal(b *testing.B) {
	for _, dialect := range pgtest.Dialects(b) {
		env := pgtest.New(b, dialect, func(c *server.Config) { c.Logger = slog.New(slog.DiscardHandler) })
		org := env.Org(b, "Acme")
		handler := env.Server.Config.Handler
		for _, d := range append(hostileDocuments(1), coercionDocuments()...) {
			b.Run(dialect+"/"+d.name, func(b *testing.B) {
				send := func() *httptest.ResponseRecorder {
					req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(d.body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+org.Write)
					w := httptest.NewRecorder()
					handler.ServeHTTP(w, req)
					return w
				}
				if w := send(); !strings.Contains(w.Body.String(), "BAD_USER_INPUT") || !strings.Contains(w.Body.String(), d.want) {
					b.Fatalf("not refused as expected: %d %.300s", w.Code, w.Body.String())
				}
				start := processorTime(b)
				b.ResetTimer()
				for range b.N {
					send()
				}
				b.StopTimer()
				perOp := (processorTime(b) - start) / time.Duration(b.N)
				b.ReportMetric(float64(perOp)/float64(time.Millisecond), "cpu-ms/op")
				b.ReportMetric(float64(len(d.body)), "body-bytes")
				if perOp > 50*time.Millisecond {
					b.Errorf("refusing %s cost %v of processor time, more than 50 ms", d.name, perOp)
				}
			})
		}
	}
}

// processorTime is the process's user and system time so far.
func processorTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
