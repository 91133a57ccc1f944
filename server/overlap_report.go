package server

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// report adds the conflicts found by one check as graphql-js words them:
// one error for each pair of fields a conflict lies under (the nearest
// pair above both fields compared), such as
//
//	Fields "a" conflict because subfields "b" conflict because "x" and "y" are different fields.
//
// with the locations of the fields it names, the first side's from the
// top down, then the second's. A pair of fields conflicts once, however
// many places select it, for the first reason graphql-js would give
// (ownConflict). Where a pair conflicts itself and its subfields conflict
// too, both are said: graphql-js says the first only, and says the second
// once the first is fixed.
func (m *merger) report(addError core.AddErrFunc) {
	var found []*conflict
	first := map[[2]*ast.Field]int{}
	for i := range m.conflicts {
		c := &m.conflicts[i]
		pair := m.pair(c.a.field, c.b.field)
		if m.reported[pair] {
			continue
		}
		if j, ok := first[pair]; ok {
			if c.rank < found[j].rank {
				found[j] = c
			}
			continue
		}
		first[pair] = len(found)
		found = append(found, c)
	}
	root := &conflictNode{}
	for _, c := range found {
		m.reported[m.pair(c.a.field, c.b.field)] = true
		as, bs := chains(c.a, c.b)
		n := root
		for level := range as {
			n = n.child(as[level], bs[level])
		}
		if n.rank == nil || c.rank < *n.rank {
			n.rank = &c.rank
		}
	}
	for _, top := range root.children {
		var reason strings.Builder
		var as, bs []*ast.Field
		m.render(top, false, &reason, &as, &bs, map[*ast.Field]bool{})
		options := []core.ErrorOption{core.Message(
			`Fields "%s" conflict because %s. Use different aliases on the fields to fetch both if this was intentional.`,
			responseName(top.a), reason.String())}
		for _, f := range append(as, bs...) {
			options = append(options, core.At(f.Position))
		}
		addError(options...)
	}
}

// pair is a and b in an order of their own, to know the pair by.
func (m *merger) pair(a, b *ast.Field) [2]*ast.Field {
	if m.ids[a] > m.ids[b] {
		a, b = b, a
	}
	return [2]*ast.Field{a, b}
}

// chains returns the fields from the nearest pair whose sub-selections
// hold a and b down to a and b: two fields of one merged set sit equally
// deep, so their lines meet where both came from one field, or at the top.
// The side of the pair selected first comes first.
func chains(a, b *selected) (as, bs []*ast.Field) {
	for {
		as = append(as, a.field)
		bs = append(bs, b.field)
		if a.parent == b.parent || a.parent == nil || b.parent == nil {
			break
		}
		a, b = a.parent, b.parent
	}
	slices.Reverse(as)
	slices.Reverse(bs)
	if b.index < a.index {
		return bs, as
	}
	return as, bs
}

// conflictNode is a pair of fields of one response name, with the rank of
// its own first conflict, if it has one, or else the pairs of its
// subfields that conflict.
type conflictNode struct {
	a, b     *ast.Field
	rank     *int
	children []*conflictNode
	index    map[[2]*ast.Field]*conflictNode
}

func (n *conflictNode) child(a, b *ast.Field) *conflictNode {
	if n.index == nil {
		n.index = map[[2]*ast.Field]*conflictNode{}
	}
	pair := [2]*ast.Field{a, b}
	c, ok := n.index[pair]
	if !ok {
		c = &conflictNode{a: a, b: b}
		n.index[pair] = c
		n.children = append(n.children, c)
	}
	return c
}

// render writes why n's fields conflict and gathers the fields it names
// into as and bs, each once. exclusive says whether a pair above n's
// selects on two different object types.
func (m *merger) render(n *conflictNode, exclusive bool, w *strings.Builder, as, bs *[]*ast.Field, named map[*ast.Field]bool) {
	if !named[n.a] {
		named[n.a] = true
		*as = append(*as, n.a)
	}
	if !named[n.b] {
		named[n.b] = true
		*bs = append(*bs, n.b)
	}
	exclusive = exclusive || mutuallyExclusive(n.a, n.b)
	if n.rank != nil {
		rank, ok := m.ownConflict(n.a, n.b, exclusive)
		if !ok {
			rank = *n.rank
		}
		w.WriteString(reason(n.a, n.b, rank))
	}
	for i, c := range n.children {
		if i > 0 || n.rank != nil {
			w.WriteString(" and ")
		}
		fmt.Fprintf(w, `subfields "%s" conflict because `, responseName(c.a))
		m.render(c, exclusive, w, as, bs, named)
	}
}

// mutuallyExclusive reports whether a and b select on two different
// object types, so that no object has both; fields their type lacks are
// compared with every field (see byCommonParents).
func mutuallyExclusive(a, b *ast.Field) bool {
	pa, pb := a.ObjectDefinition, b.ObjectDefinition
	return pa.Name != pb.Name && pa.Kind == ast.Object && pb.Kind == ast.Object &&
		a.Definition != nil && b.Definition != nil
}

// ownConflict is the first reason a and b conflict, not looking at their
// subfields, as graphql-js's findConflict tries them.
func (m *merger) ownConflict(a, b *ast.Field, exclusive bool) (rank int, ok bool) {
	switch {
	case !exclusive && a.Name != b.Name:
		return rankField, true
	case !exclusive && argumentsKey(a.Arguments) != argumentsKey(b.Arguments):
		return rankArguments, true
	case a.Definition != nil && b.Definition != nil && !m.sameShape(a.Definition.Type, b.Definition.Type):
		return rankType, true
	}
	return 0, false
}

// reason says why a and b conflict.
func reason(a, b *ast.Field, rank int) string {
	switch rank {
	case rankField:
		return fmt.Sprintf(`"%s" and "%s" are different fields`, a.Name, b.Name)
	case rankArguments:
		return "they have differing arguments"
	}
	return fmt.Sprintf(`they return conflicting types "%s" and "%s"`, a.Definition.Type, b.Definition.Type)
}
