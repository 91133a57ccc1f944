package server

import (
	"encoding/binary"
	"slices"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/core"
)

// overlappingFieldsRule is the specification's Field Selection Merging
// (spec.graphql.org/October2021/#sec-Field-Selection-Merging,
// FieldsInSetCanMerge) checked as XING described and apollo-compiler does
// it: the fields of a selection set, fragments expanded, are grouped by
// response name, and each group is compared with its first field only,
// since both conditions are equivalences; the groups' sub-selections are
// then merged and checked the same way, level by level, each distinct
// merged set once. gqlparser's port of graphql-js compares every pair of
// fields instead, which made a thousand copies of one field cost a third
// of a second and ten thousand a minute.
//
// Every selection set of the document is checked, as the specification
// asks: each operation's, and each fragment's that no operation spreads
// (standaloneFragments). Errors read as graphql-js's do, reported at the
// nearest pair of fields whose sub-selections hold the conflict.
var overlappingFieldsRule = core.Rule{
	Name: "OverlappingFieldsCanBeMerged",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		var m *merger
		var standalone map[*ast.FragmentDefinition]bool
		start := func(w *core.Walker) *merger {
			if m == nil {
				m = newMerger(w.Schema)
			}
			return m
		}
		observers.OnOperation(func(w *core.Walker, op *ast.OperationDefinition) {
			start(w).check(op.SelectionSet, addError)
		})
		// The walker walks fragments after every operation, so by the first
		// of them every fragment an operation spreads has been checked.
		observers.OnFragment(func(w *core.Walker, f *ast.FragmentDefinition) {
			if standalone == nil {
				standalone = map[*ast.FragmentDefinition]bool{}
				for _, s := range standaloneFragments(w.Document) {
					standalone[s] = true
				}
			}
			if standalone[f] {
				start(w).check(f.SelectionSet, addError)
			}
		})
	},
}

// mergeDepthLimit bounds how deep the check follows merged selections, as
// apollo-compiler does (the nesting serde_json accepts). The check of a
// fragment cycle (which NoFragmentCycles reports) stops once its merged
// sets repeat, well before.
const mergeDepthLimit = 128

// merger checks the selection sets of one document. It remembers the
// merged sets each pass checked, so a set reached again (through a fragment
// spread in many places, or a cycle) costs only its expansion, and the
// conflicts it reported, so each is reported once.
type merger struct {
	schema    *ast.Schema
	ids       map[*ast.Field]int
	shaped    map[string]bool
	parented  map[string]bool
	reported  map[[2]*ast.Field]bool
	conflicts []conflict
}

func newMerger(schema *ast.Schema) *merger {
	return &merger{
		schema:   schema,
		ids:      map[*ast.Field]int{},
		shaped:   map[string]bool{},
		parented: map[string]bool{},
		reported: map[[2]*ast.Field]bool{},
	}
}

// selected is a field as one merged set holds it: its place in the set,
// and the field whose sub-selection it came from (nil at the top), so that
// a conflict can name the fields on the way down to it.
type selected struct {
	field  *ast.Field
	index  int
	parent *selected
}

// conflict is two fields of one response name that cannot merge: rank
// orders the reasons as graphql-js tries them (different fields, then
// arguments, then types), and a pair reports its first only.
type conflict struct {
	a, b *selected
	rank int
}

const (
	rankField = iota
	rankArguments
	rankType
)

// check checks one selection set and reports what it found.
func (m *merger) check(set ast.SelectionSet, addError core.AddErrFunc) {
	fields := expandFields([]source{{set: set}})
	m.sameResponseShape(fields, 0)
	m.sameForCommonParents(fields, 0)
	m.report(addError)
	m.conflicts = m.conflicts[:0]
}

// source is a selection set to expand, and the field it selects under.
type source struct {
	set    ast.SelectionSet
	parent *selected
}

// expandFields lists the fields the selection sets select, in the order
// graphql-js collects them: each set's own fields and inline fragments in
// place, then the fragments it spreads, each fragment once. Fields of a
// type the schema does not know (KnownTypeNames reports those) are left
// out, as graphql-js and gqlparser leave them.
func expandFields(sources []source) []*selected {
	var fields []*selected
	seen := map[string]bool{}
	var walk func(set ast.SelectionSet, parent *selected)
	walk = func(set ast.SelectionSet, parent *selected) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.ObjectDefinition != nil {
					fields = append(fields, &selected{field: s, index: len(fields), parent: parent})
				}
			case *ast.InlineFragment:
				walk(s.SelectionSet, parent)
			case *ast.FragmentSpread:
				if s.Definition != nil && !seen[s.Name] {
					seen[s.Name] = true
					sources = append(sources, source{set: s.Definition.SelectionSet, parent: parent})
				}
			}
		}
	}
	for i := 0; i < len(sources); i++ {
		walk(sources[i].set, sources[i].parent)
	}
	return fields
}

// merged expands the sub-selections of a group of fields into one set.
func merged(group []*selected) []*selected {
	var sources []source
	for _, f := range group {
		if len(f.field.SelectionSet) > 0 {
			sources = append(sources, source{set: f.field.SelectionSet, parent: f})
		}
	}
	if len(sources) == 0 {
		return nil
	}
	return expandFields(sources)
}

// firstTime reports whether done has not seen the set of fields yet, and
// records it. A set is known by its fields, in order.
func (m *merger) firstTime(done map[string]bool, fields []*selected) bool {
	key := make([]byte, 0, 3*len(fields))
	for _, f := range fields {
		id, ok := m.ids[f.field]
		if !ok {
			id = len(m.ids)
			m.ids[f.field] = id
		}
		key = binary.AppendUvarint(key, uint64(id))
	}
	if done[string(key)] {
		return false
	}
	done[string(key)] = true
	return true
}

// byResponseName groups fields by the key they answer under, in order.
func byResponseName(fields []*selected) [][]*selected {
	index := map[string]int{}
	var groups [][]*selected
	for _, f := range fields {
		key := responseName(f.field)
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

func responseName(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

// sameResponseShape checks that the fields answering under one name have
// the same shape (spec: SameResponseShape), whatever their parent types.
// A field the schema does not know (FieldsOnCorrectType reports it) has no
// shape to compare.
func (m *merger) sameResponseShape(fields []*selected, depth int) {
	if depth > mergeDepthLimit || !m.firstTime(m.shaped, fields) {
		return
	}
	for _, group := range byResponseName(fields) {
		var a *selected
		for _, b := range group {
			switch {
			case b.field.Definition == nil:
			case a == nil:
				a = b
			case !m.sameShape(a.field.Definition.Type, b.field.Definition.Type):
				m.conflicts = append(m.conflicts, conflict{a: a, b: b, rank: rankType})
			}
		}
		if sub := merged(group); len(sub) > 0 {
			m.sameResponseShape(sub, depth+1)
		}
	}
}

// sameShape compares two output types: the same list and non-null
// wrappers, and the same scalar or enum, or both composite.
func (m *merger) sameShape(a, b *ast.Type) bool {
	for {
		if a.NonNull != b.NonNull || (a.Elem == nil) != (b.Elem == nil) {
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
// same arguments, and that their merged sub-selections merge in turn
// (spec: FieldsInSetCanMerge, 2b).
func (m *merger) sameForCommonParents(fields []*selected, depth int) {
	if depth > mergeDepthLimit || !m.firstTime(m.parented, fields) {
		return
	}
	for _, group := range byResponseName(fields) {
		for _, common := range byCommonParents(group) {
			a := common[0]
			args := argumentsKey(a.field.Arguments)
			for _, b := range common[1:] {
				switch {
				case a.field.Name != b.field.Name:
					m.conflicts = append(m.conflicts, conflict{a: a, b: b, rank: rankField})
				case argumentsKey(b.field.Arguments) != args:
					m.conflicts = append(m.conflicts, conflict{a: a, b: b, rank: rankArguments})
				}
			}
			if sub := merged(common); len(sub) > 0 {
				m.sameForCommonParents(sub, depth+1)
			}
		}
	}
}

// byCommonParents splits fields into the groups that may describe the same
// object: one per object parent type, each with the fields of the other
// parents, which are compared with every field: interfaces and unions may
// be any object, a field on a scalar (ScalarLeafs reports it) is compared
// as graphql-js compares it, and so is a field its type does not have
// (FieldsOnCorrectType reports it), as gqlparser does: graphql-js's cases
// select such fields on types its test schema lacks, and expect them
// compared.
func byCommonParents(fields []*selected) [][]*selected {
	var abstract []*selected
	index := map[string]int{}
	var concrete [][]*selected
	for _, f := range fields {
		parent := f.field.ObjectDefinition
		if parent.Kind != ast.Object || f.field.Definition == nil {
			abstract = append(abstract, f)
			continue
		}
		i, ok := index[parent.Name]
		if !ok {
			i = len(concrete)
			index[parent.Name] = i
			concrete = append(concrete, nil)
		}
		concrete[i] = append(concrete[i], f)
	}
	if len(concrete) == 0 {
		return [][]*selected{abstract}
	}
	for i := range concrete {
		concrete[i] = append(concrete[i], abstract...)
	}
	return concrete
}

// argumentsKey writes arguments so that two lists are the same arguments
// exactly when their keys are equal: arguments and input object fields in
// name order (their order means nothing), list items in theirs, each value
// with its kind, strings quoted. A block string and a string are different
// values, as graphql-js and gqlparser tell them apart.
func argumentsKey(args ast.ArgumentList) string {
	if len(args) == 0 {
		return ""
	}
	sorted := slices.Clone(args)
	slices.SortStableFunc(sorted, func(a, b *ast.Argument) int { return strings.Compare(a.Name, b.Name) })
	var b strings.Builder
	for _, arg := range sorted {
		b.WriteString(arg.Name)
		b.WriteByte(':')
		writeValueKey(&b, arg.Value)
		b.WriteByte(',')
	}
	return b.String()
}

func writeValueKey(b *strings.Builder, v *ast.Value) {
	b.WriteString(strconv.Itoa(int(v.Kind)))
	switch v.Kind {
	case ast.ListValue, ast.ObjectValue:
		children := v.Children
		if v.Kind == ast.ObjectValue {
			children = slices.Clone(children)
			slices.SortStableFunc(children, func(a, b *ast.ChildValue) int { return strings.Compare(a.Name, b.Name) })
		}
		b.WriteByte('[')
		for _, c := range children {
			b.WriteString(c.Name)
			b.WriteByte(':')
			writeValueKey(b, c.Value)
			b.WriteByte(',')
		}
		b.WriteByte(']')
	default:
		b.WriteString(strconv.Quote(v.Raw))
	}
}
