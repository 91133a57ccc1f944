package server

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func TestOperationType(t *testing.T) {
	cases := []struct {
		doc, name string
		want      ast.Operation
	}{
		{`{ viewer { id } }`, "", ast.Query},
		{`query { viewer { id } }`, "", ast.Query},
		{`mutation { createTag(input: {name: "x"}) { tag { id } } }`, "", ast.Mutation},
		{`mutation M($in: CreateTagInput! = {name: "{"}) @dir(a: {b: 1}) { createTag(input: $in) { tag { id } } }`, "", ast.Mutation},
		{`# mutation { x }
		  query Q { viewer { id } }`, "", ast.Query},
		{`subscription { events { id } }`, "", ast.Subscription},
		{`fragment F on Tag { id } mutation { createTag(input: {name: "x"}) { tag { ...F } } }`, "", ast.Mutation},
		{`query A { viewer { id } } mutation B { createTag(input: {name: "x"}) { tag { id } } }`, "B", ast.Mutation},
		{`query A { viewer { id } } mutation B { createTag(input: {name: "x"}) { tag { id } } }`, "A", ast.Query},
		// Unknown or ambiguous: validation says what is wrong.
		{`query A { viewer { id } } mutation B { x }`, "", ""},
		{`query A { viewer { id } }`, "C", ""},
		{`mutation {`, "", ast.Mutation},
		{`"unterminated`, "", ""},
		{``, "", ""},
	}
	for _, tc := range cases {
		if got := operationType(tc.doc, tc.name, 0); got != tc.want {
			t.Errorf("operationType(%q, %q) = %q, want %q", tc.doc, tc.name, got, tc.want)
		}
	}
	// Past its bound it does not say.
	if got := operationType(`mutation { createTag(input: {name: "x"}) { tag { id } } }`, "", 5); got != "" {
		t.Errorf("past 5 tokens: %q", got)
	}
	if got := operationType(`mutation { a }`, "", 5); got != ast.Mutation {
		t.Errorf("within 5 tokens: %q", got)
	}
}
