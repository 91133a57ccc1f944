package rest_test

import (
	"fmt"
	"testing"

	"partnergraph/pgtest"
)

// BenchmarkIdempotencyKey measures what an Idempotency-Key costs a write
// request through real HTTP (seed 004's POST /partners on SQLite): without
// one, with a new one each time (claimed, then its answer stored: two more
// transactions), and a retry answered from the stored answer.
//
//	go test ./rest -run '^$' -bench BenchmarkIdempotencyKey -benchtime 2s
func BenchmarkIdempotencyKey(b *testing.B) {
	env := pgtest.New(b, "sqlite")
	org := env.Org(b, "Acme")
	c := client{env: env, t: b, unchecked: true}
	headers := []string{"Requester-Organization-ID", org.UUID, "Target-Organization-ID", org.UUID}
	post := func(b *testing.B, extra ...string) {
		r := c.do("POST", "/partners", org.Write, seed004Example, append(headers, extra...)...)
		if r.status != 200 {
			b.Fatalf("status %d: %s", r.status, r.body)
		}
	}
	b.Run("NoKey", func(b *testing.B) {
		for b.Loop() {
			post(b)
		}
	})
	b.Run("NewKey", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			post(b, "Idempotency-Key", fmt.Sprintf("new-%d", i))
		}
	})
	b.Run("Replay", func(b *testing.B) {
		post(b, "Idempotency-Key", "replayed")
		for b.Loop() {
			post(b, "Idempotency-Key", "replayed")
		}
	})
}
