package compiled_test

import (
	"math/rand/v2"
	"testing"
)

// FuzzCompiledMatchesExecutor is the differential comparison driven by the
// fuzzer: a seed for the operation generator, the caller, and optionally a
// document of its own (then sent as it is, without variables).
//
//	go test ./compiled -run '^$' -fuzz FuzzCompiledMatchesExecutor
func FuzzCompiledMatchesExecutor(f *testing.F) {
	p := newPair(f, "sqlite")
	f.Add(uint64(1), uint8(0), "")
	f.Add(uint64(2), uint8(3), "")
	f.Add(uint64(3), uint8(2), `{ partners(first: 3) { nodes { partnerships(first: 2) { edges { cursor node { tier { name } } } } } } }`)
	f.Add(uint64(4), uint8(1), `{ a: partnerships { nodes { id } } a: partnerships { totalCount } }`)
	f.Add(uint64(5), uint8(4), `query { partners { nodes { ... on Partnership { id } } } }`)
	f.Fuzz(func(t *testing.T, seed uint64, who uint8, doc string) {
		c := p.data.callers[int(who)%len(p.data.callers)]
		var vars map[string]any
		if doc == "" {
			doc, vars = operation(rand.New(rand.NewPCG(seed, seed)), p.data)
		}
		if diff := p.compare(t, c, doc, vars); diff != "" {
			t.Fatalf("as %s\n%s\nvariables: %v\n%s", c.name, doc, vars, diff)
		}
	})
}
