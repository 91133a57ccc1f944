package server

import (
	"github.com/vektah/gqlparser/v2/ast"
)

// specOracle decides Field Selection Merging as the specification writes
// it (spec.graphql.org/October2021/#sec-Field-Selection-Merging): every
// selection set of the document, every pair of fields of one response
// name, no shortcut. It shares no code with the rule, takes exponential
// time, and expects an acyclic document the walker has annotated (Field
// and FragmentSpread definitions set): for small valid documents only.
type specOracle struct {
	schema *ast.Schema
	shape  map[[2]*ast.Field]bool
	merge  map[[2]*ast.Field]bool
}

func newSpecOracle(schema *ast.Schema) *specOracle {
	return &specOracle{schema: schema, shape: map[[2]*ast.Field]bool{}, merge: map[[2]*ast.Field]bool{}}
}

// documentCanMerge: "For each selection set set in the document,
// FieldsInSetCanMerge(set) must be true."
func (o *specOracle) documentCanMerge(doc *ast.QueryDocument) bool {
	var sets []ast.SelectionSet
	var gather func(set ast.SelectionSet)
	gather = func(set ast.SelectionSet) {
		if len(set) == 0 {
			return
		}
		sets = append(sets, set)
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				gather(s.SelectionSet)
			case *ast.InlineFragment:
				gather(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		gather(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		gather(f.SelectionSet)
	}
	for _, set := range sets {
		if !o.fieldsInSetCanMerge(collect(set)) {
			return false
		}
	}
	return true
}

// collect is "the set of selections ... in set including visiting
// fragments and inline fragments": each field once.
func collect(sets ...ast.SelectionSet) []*ast.Field {
	var fields []*ast.Field
	seen := map[*ast.Field]bool{}
	var visit func(set ast.SelectionSet)
	visit = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if !seen[s] {
					seen[s] = true
					fields = append(fields, s)
				}
			case *ast.InlineFragment:
				visit(s.SelectionSet)
			case *ast.FragmentSpread:
				visit(s.Definition.SelectionSet)
			}
		}
	}
	for _, set := range sets {
		visit(set)
	}
	return fields
}

// fieldsInSetCanMerge is FieldsInSetCanMerge(set).
func (o *specOracle) fieldsInSetCanMerge(set []*ast.Field) bool {
	for i, a := range set {
		for _, b := range set[i+1:] {
			if responseName(a) == responseName(b) && !o.pairCanMerge(a, b) {
				return false
			}
		}
	}
	return true
}

// pairCanMerge is the body of FieldsInSetCanMerge for one pair: "the
// parent types of fieldA and fieldB are equal or either is not an Object
// Type" is when the fields may describe one object.
func (o *specOracle) pairCanMerge(a, b *ast.Field) bool {
	key := [2]*ast.Field{a, b}
	if v, ok := o.merge[key]; ok {
		return v
	}
	ok := o.sameResponseShape(a, b)
	pa, pb := a.ObjectDefinition, b.ObjectDefinition
	if ok && (pa == pb || pa.Kind != ast.Object || pb.Kind != ast.Object) {
		ok = a.Name == b.Name && sameArgumentSets(a.Arguments, b.Arguments) &&
			o.fieldsInSetCanMerge(collect(a.SelectionSet, b.SelectionSet))
	}
	o.merge[key] = ok
	return ok
}

// sameResponseShape is SameResponseShape(fieldA, fieldB), step by step.
func (o *specOracle) sameResponseShape(a, b *ast.Field) bool {
	key := [2]*ast.Field{a, b}
	if v, ok := o.shape[key]; ok {
		return v
	}
	ok := o.sameShapeOf(a.Definition.Type, b.Definition.Type)
	if ok && !o.leaf(a.Definition.Type) {
		set := collect(a.SelectionSet, b.SelectionSet)
		for i, c := range set {
			for _, d := range set[i+1:] {
				if ok && responseName(c) == responseName(d) {
					ok = o.sameResponseShape(c, d)
				}
			}
		}
	}
	o.shape[key] = ok
	return ok
}

// sameShapeOf is steps 2 to 5: the same Non-Null and List wrappers, then
// the same scalar or enum, or two composite types.
func (o *specOracle) sameShapeOf(ta, tb *ast.Type) bool {
	for {
		if ta.NonNull || tb.NonNull {
			if !ta.NonNull || !tb.NonNull {
				return false
			}
		}
		if ta.Elem != nil || tb.Elem != nil {
			if ta.Elem == nil || tb.Elem == nil {
				return false
			}
			ta, tb = ta.Elem, tb.Elem
			continue
		}
		break
	}
	if o.leaf(ta) || o.leaf(tb) {
		return ta.NamedType == tb.NamedType
	}
	return true
}

func (o *specOracle) leaf(t *ast.Type) bool {
	for t.Elem != nil {
		t = t.Elem
	}
	k := o.schema.Types[t.NamedType].Kind
	return k == ast.Scalar || k == ast.Enum
}

// sameArgumentSets is "identical sets of arguments": the same names, each
// with an identical value; input object fields in any order.
func sameArgumentSets(a, b ast.ArgumentList) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		y := b.ForName(x.Name)
		if y == nil || !identicalValues(x.Value, y.Value) {
			return false
		}
	}
	return true
}

func identicalValues(a, b *ast.Value) bool {
	if a.Kind != b.Kind || a.Raw != b.Raw || len(a.Children) != len(b.Children) {
		return false
	}
	for i, c := range a.Children {
		other := b.Children[i].Value
		if a.Kind == ast.ObjectValue {
			other = b.Children.ForName(c.Name)
		}
		if other == nil || !identicalValues(c.Value, other) {
			return false
		}
	}
	return true
}
