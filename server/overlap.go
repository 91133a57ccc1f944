package server

import (
	"fmt"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// overlappingFieldsRule is the specification's FieldsInSetCanMerge
// (spec.graphql.org, "Field Selection Merging") checked as XING described
// and apollo-compiler does it: the fields of a selection set, fragments
// expanded, are grouped by response name, and each group is compared with
// its first field only, since both conditions are transitive; the groups'
// sub-selections are then merged and checked the same way, level by level.
// gqlparser's port of graphql-js compares every pair of fields instead,
// which made a thousand copies of one field cost a third of a second and
// ten thousand a minute. This costs what expanding the operation costs,
// which documentLimits bounds before validation.
var overlappingFieldsRule = core.Rule{
	Name: "OverlappingFieldsCanBeMerged",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		observers.OnOperation(func(w *core.Walker, op *ast.OperationDefinition) {
			m := merger{schema: w.Schema, addError: addError}
			fields := expandFields([]ast.SelectionSet{op.SelectionSet})
			m.sameResponseShape(fields, 0)
			m.sameForCommonParents(fields, 0)
		})
	},
}

// mergeDepthLimit stops the check on a fragment cycle (which
// NoFragmentCycles reports) instead of following it for ever.
const mergeDepthLimit = 128

type merger struct {
	schema   *ast.Schema
	addError core.AddErrFunc
}

// expandFields lists the fields the selection sets select, inline
// fragments and fragment spreads included, each fragment once. Fields the
// schema does not know (FieldsOnCorrectType reports them) are left out.
func expandFields(sets []ast.SelectionSet) []*ast.Field {
	var fields []*ast.Field
	seen := map[string]bool{}
	for len(sets) > 0 {
		set := sets[0]
		sets = sets[1:]
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Definition != nil && s.ObjectDefinition != nil {
					fields = append(fields, s)
				}
			case *ast.InlineFragment:
				sets = append(sets, s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil && !seen[s.Name] {
					seen[s.Name] = true
					sets = append(sets, s.Definition.SelectionSet)
				}
			}
		}
	}
	return fields
}

// byResponseName groups fields by the key they answer under, in order.
func byResponseName(fields []*ast.Field) [][]*ast.Field {
	index := map[string]int{}
	var groups [][]*ast.Field
	for _, f := range fields {
		key := f.Alias
		if key == "" {
			key = f.Name
		}
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], f)
	}
	return groups
}

// merged expands the sub-selections of a group of fields into one set.
func merged(group []*ast.Field) []*ast.Field {
	var sets []ast.SelectionSet
	for _, f := range group {
		if len(f.SelectionSet) > 0 {
			sets = append(sets, f.SelectionSet)
		}
	}
	if len(sets) == 0 {
		return nil
	}
	return expandFields(sets)
}

// sameResponseShape checks that the fields answering under one name have
// the same shape (spec: SameResponseShape), whatever their parent types.
func (m merger) sameResponseShape(fields []*ast.Field, depth int) {
	if depth > mergeDepthLimit {
		return
	}
	for _, group := range byResponseName(fields) {
		a := group[0]
		for _, b := range group[1:] {
			if !m.sameShape(a.Definition.Type, b.Definition.Type) {
				m.conflict(a, b, fmt.Sprintf(`they return conflicting types "%s" and "%s"`, a.Definition.Type, b.Definition.Type))
			}
		}
		if sub := merged(group); len(sub) > 0 {
			m.sameResponseShape(sub, depth+1)
		}
	}
}

// sameShape compares two output types: the same list and non-null
// wrappers, and the same scalar or enum, or both composite.
func (m merger) sameShape(a, b *ast.Type) bool {
	for {
		if a.NonNull != b.NonNull {
			return false
		}
		if (a.Elem == nil) != (b.Elem == nil) {
			return false
		}
		if a.Elem == nil {
			break
		}
		a, b = a.Elem, b.Elem
	}
	da, db := m.schema.Types[a.NamedType], m.schema.Types[b.NamedType]
	if da == nil || db == nil {
		return true
	}
	if leaf(da) || leaf(db) {
		return da == db
	}
	return true
}

func leaf(d *ast.Definition) bool { return d.Kind == ast.Scalar || d.Kind == ast.Enum }

// sameForCommonParents checks that the fields answering under one name on
// parent types that may be the same object are the same field with the
// same arguments (spec: FieldsInSetCanMerge, 2b).
func (m merger) sameForCommonParents(fields []*ast.Field, depth int) {
	if depth > mergeDepthLimit {
		return
	}
	for _, group := range byResponseName(fields) {
		for _, common := range byCommonParents(group) {
			a := common[0]
			for _, b := range common[1:] {
				switch {
				case a.Name != b.Name:
					m.conflict(a, b, fmt.Sprintf(`"%s" and "%s" are different fields`, a.Name, b.Name))
				case !sameArguments(a.Arguments, b.Arguments):
					m.conflict(a, b, "they have differing arguments")
				}
			}
			if sub := merged(common); len(sub) > 0 {
				m.sameForCommonParents(sub, depth+1)
			}
		}
	}
}

// byCommonParents splits fields into the groups that may describe the same
// object: one per concrete parent type, each with the fields of abstract
// parents (interfaces and unions may overlap with any type).
func byCommonParents(fields []*ast.Field) [][]*ast.Field {
	var abstract []*ast.Field
	index := map[string]int{}
	var concrete [][]*ast.Field
	for _, f := range fields {
		if f.ObjectDefinition.Kind != ast.Object {
			abstract = append(abstract, f)
			continue
		}
		i, ok := index[f.ObjectDefinition.Name]
		if !ok {
			i = len(concrete)
			index[f.ObjectDefinition.Name] = i
			concrete = append(concrete, nil)
		}
		concrete[i] = append(concrete[i], f)
	}
	if len(concrete) == 0 {
		return [][]*ast.Field{abstract}
	}
	for i := range concrete {
		concrete[i] = append(concrete[i], abstract...)
	}
	return concrete
}

func sameArguments(a, b ast.ArgumentList) bool {
	if len(a) != len(b) {
		return false
	}
	values := make(map[string]string, len(a))
	for _, arg := range a {
		values[arg.Name] = arg.Value.String()
	}
	for _, arg := range b {
		if v, ok := values[arg.Name]; !ok || v != arg.Value.String() {
			return false
		}
	}
	return true
}

func (m merger) conflict(a, b *ast.Field, reason string) {
	key := a.Alias
	if key == "" {
		key = a.Name
	}
	m.addError(
		core.Message(`Fields "%s" conflict because %s. Use different aliases on the fields to fetch both if this was intentional.`, key, reason),
		core.At(a.Position),
		core.At(b.Position),
	)
}
