package server

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// documentLimits bounds a document before it is validated. Validation's
// work grows with the document after its fragments are expanded, not with
// its length: a fragment that spreads another twice, thirty deep, is a
// kilobyte that expands to a billion selections, and ten thousand copies of
// one field cost the overlapping-fields rule a hundred million comparisons
// in gqlparser. So the document is parsed (within MaxTokens) and measured
// here, from gqlgen's OperationParameterMutator hook, which runs before
// gqlgen parses and validates: its selections after expansion (every field,
// meta fields and aliases included) and its depth. Fragments are measured
// once each and the counts memoised, so measuring costs what parsing does.
//
// A document gqlgen holds validated in its cache passed these checks
// already and is not parsed again.
type documentLimits struct {
	Limits
	cache graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentLimits{}

func (documentLimits) ExtensionName() string                   { return "DocumentLimits" }
func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters refuses a document over MaxTokens, MaxFields or
// MaxDepth with BAD_USER_INPUT (reason QUERY_LIMIT_EXCEEDED), and a request
// whose deadline passed with UNAVAILABLE.
func (l documentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if ctx.Err() != nil {
		return timeoutError()
	}
	if _, ok := l.cache.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, l.MaxTokens)
	if err != nil {
		if strings.Contains(err.Error(), "exceeded token limit") {
			return limitError(fmt.Sprintf("The document has more than %d tokens (names, values and punctuation); the limit is %d.", l.MaxTokens, l.MaxTokens))
		}
		// gqlgen parses it again and reports the syntax error in its words.
		return nil
	}
	m := measure(doc)
	var over []string
	if m.depth > l.MaxDepth {
		over = append(over, fmt.Sprintf("The query is %d levels deep; the limit is %d.", m.depth, l.MaxDepth))
	}
	if m.fields > l.MaxFields {
		over = append(over, fmt.Sprintf("The document selects %s fields once its fragments are expanded; the limit is %d.", count(m.fields), l.MaxFields))
	}
	if len(over) > 0 {
		return limitError(strings.Join(over, " "))
	}
	return nil
}

// shape is what a selection set expands to: its field selections, and the
// deepest nesting of fields below it. Introspection (the fields under
// __schema and __type) counts in fields but not in depth, which the
// MaxIntrospectionDepth validation rule bounds instead.
type shape struct {
	fields int
	depth  int
}

// measure returns the shape of every operation of doc together, and of
// every fragment no operation spreads (standaloneFragments): the fields of
// all of them (validation walks each), the depth of the deepest.
func measure(doc *ast.QueryDocument) shape {
	m := measurer{fragments: fragmentsByName(doc), memo: map[string]shape{}, visiting: map[string]bool{}}
	var total shape
	add := func(s shape) {
		total.fields = satAdd(total.fields, s.fields)
		total.depth = max(total.depth, s.depth)
	}
	for _, op := range doc.Operations {
		add(m.set(op.SelectionSet, false))
	}
	for _, f := range standaloneFragments(doc) {
		if m.fragments[f.Name] == f {
			add(m.fragment(f.Name))
		} else {
			add(m.set(f.SelectionSet, false))
		}
	}
	return total
}

// fragmentsByName indexes the fragments of doc by name, the first of
// duplicate names winning as it does in gqlparser's validator.
func fragmentsByName(doc *ast.QueryDocument) map[string]*ast.FragmentDefinition {
	byName := make(map[string]*ast.FragmentDefinition, len(doc.Fragments))
	for _, f := range doc.Fragments {
		if _, dup := byName[f.Name]; !dup {
			byName[f.Name] = f
		}
	}
	return byName
}

// standaloneFragments returns, in document order, the fragments of doc
// that validation must check on their own: those no operation spreads
// (NoUnusedFragments refuses them, but every selection set of a document
// is checked) and no other such fragment spreads, and then one fragment of
// each cycle of them left over. Checking the operations and these covers
// every selection set of the document once.
func standaloneFragments(doc *ast.QueryDocument) []*ast.FragmentDefinition {
	byName := fragmentsByName(doc)
	reached := map[*ast.FragmentDefinition]bool{}
	reach := func(set ast.SelectionSet) {
		for pending := []ast.SelectionSet{set}; len(pending) > 0; {
			set, pending = pending[len(pending)-1], pending[:len(pending)-1]
			eachSpread(set, func(name string) {
				if f := byName[name]; f != nil && !reached[f] {
					reached[f] = true
					pending = append(pending, f.SelectionSet)
				}
			})
		}
	}
	for _, op := range doc.Operations {
		reach(op.SelectionSet)
	}
	spreadByOther := map[*ast.FragmentDefinition]bool{}
	for _, f := range doc.Fragments {
		if !reached[f] {
			eachSpread(f.SelectionSet, func(name string) {
				if g := byName[name]; g != nil && g != f {
					spreadByOther[g] = true
				}
			})
		}
	}
	var out []*ast.FragmentDefinition
	for _, roots := range []bool{true, false} {
		for _, f := range doc.Fragments {
			if !reached[f] && (!roots || !spreadByOther[f]) {
				out = append(out, f)
				reached[f] = true
				reach(f.SelectionSet)
			}
		}
	}
	return out
}

// eachSpread calls visit with the name of every fragment spread in set,
// nested selections included.
func eachSpread(set ast.SelectionSet, visit func(name string)) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			eachSpread(s.SelectionSet, visit)
		case *ast.InlineFragment:
			eachSpread(s.SelectionSet, visit)
		case *ast.FragmentSpread:
			visit(s.Name)
		}
	}
}

// measurer measures selection sets, each fragment once.
type measurer struct {
	fragments map[string]*ast.FragmentDefinition
	memo      map[string]shape
	visiting  map[string]bool
}

func (m *measurer) set(set ast.SelectionSet, introspection bool) shape {
	var s shape
	for _, sel := range set {
		var child shape
		switch sel := sel.(type) {
		case *ast.Field:
			in := introspection || sel.Name == "__schema" || sel.Name == "__type"
			child = m.set(sel.SelectionSet, in)
			child.fields = satAdd(child.fields, 1)
			if in {
				child.depth = 0
			}
			child.depth++
		case *ast.InlineFragment:
			child = m.set(sel.SelectionSet, introspection)
		case *ast.FragmentSpread:
			child = m.fragment(sel.Name)
			if introspection {
				child.depth = 0
			}
		}
		s.fields = satAdd(s.fields, child.fields)
		s.depth = max(s.depth, child.depth)
	}
	return s
}

// fragment measures a fragment once. An unknown fragment and a spread
// inside its own cycle measure nothing: validation refuses both.
func (m *measurer) fragment(name string) shape {
	if s, ok := m.memo[name]; ok {
		return s
	}
	f, ok := m.fragments[name]
	if !ok || m.visiting[name] {
		return shape{}
	}
	m.visiting[name] = true
	s := m.set(f.SelectionSet, false)
	delete(m.visiting, name)
	m.memo[name] = s
	return s
}

// satAdd adds non-negative counts, saturating instead of wrapping.
func satAdd(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// satMul multiplies non-negative counts, saturating instead of wrapping.
func satMul(a, b int) int {
	if a != 0 && b > math.MaxInt/a {
		return math.MaxInt
	}
	return a * b
}

// count writes a measured count, saying "more than" where it saturated.
func count(n int) string {
	if n == math.MaxInt {
		return fmt.Sprintf("more than %d", math.MaxInt)
	}
	return fmt.Sprint(n)
}
