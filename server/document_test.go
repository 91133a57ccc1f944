package server

import (
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestStandaloneFragments: the fragments validation checks on their own
// are those no operation spreads and no other such fragment spreads, then
// one of each cycle of them left, in document order; a duplicate name is
// its own fragment (spreads reach the first).
func TestStandaloneFragments(t *testing.T) {
	for _, c := range []struct {
		name, document string
		want           []int // indexes into the document's fragments
	}{
		{"SpreadByOperation", `{ ...A } fragment A on Query { __typename }`, nil},
		{"Unused", `{ ...A } fragment A on Query { __typename } fragment B on Query { __typename }`, []int{1}},
		{"ChainDefinedBackwards", `{ __typename } fragment C on Query { __typename } fragment B on Query { ...C }`, []int{1}},
		{"NestedSpread", `{ __typename } fragment C on Query { __typename } fragment B on Query { viewer { ... on Viewer { ...C } } }`, []int{1}},
		{"Cycle", `{ __typename } fragment C on Query { ...D } fragment D on Query { ...C }`, []int{0}},
		{"CycleBelowUnused", `{ __typename } fragment C on Query { ...D } fragment D on Query { ...C } fragment B on Query { ...D }`, []int{2}},
		{"SelfSpread", `{ __typename } fragment E on Query { ...E }`, []int{0}},
		{"SpreadThroughUsed", `{ ...A } fragment A on Query { ...B } fragment B on Query { __typename }`, nil},
		{"Duplicate", `{ ...F } fragment F on Query { __typename } fragment F on Query { viewer { permission } }`, []int{1}},
		{"NoOperation", `fragment A on Query { ...B } fragment B on Query { __typename }`, []int{0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: c.document})
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, f := range standaloneFragments(doc) {
				got = append(got, slices.Index(doc.Fragments, f))
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("got fragments %v, want %v", got, c.want)
			}
		})
	}
}
