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
// response name, and each field of a group is compared with one earlier
// field of it (compareNearest), since both conditions are equivalences;
// the groups' sub-selections are then merged and checked the same way,
// level by level, each distinct merged set once. gqlparser's port of
// graphql-js compares every pair of fields instead, which made a thousand
// copies of one field cost a third of a second and ten thousand a minute.
// This costs what expanding the document does (documentLimits bounds that
// before validation), a fragment cycle followed once.
//
// Every selection set of the document is checked, as the specification
// asks: each operation's, and each fragment's that no operation spreads
// (standaloneFragments). Errors read as graphql-js's (see report).
var overlappingFieldsRule = core.Rule{
	Name: "OverlappingFieldsCanBeMerged",
	RuleFunc: func(observers *core.Events, addError core.AddErrFunc) {
		var m *merger
		var standalone map[*ast.FragmentDefinition]bool
		start := func(w *core.Walker) *merger {
			if m == nil {
				m = newMerger(w.Schema, w.Document)
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
// apollo-compiler does (the nesting serde_json accepts); documentLimits
// refuses documents a tenth as deep before validation.
const mergeDepthLimit = 128

// merger checks the selection sets of one document. It remembers the
// merged sets each pass checked, so a set reached again (through a fragment
// spread in many places) costs only its expansion, and the pairs of fields
// it reported, so each is reported once.
type merger struct {
	schema    *ast.Schema
	cyclic    map[*ast.FragmentDefinition]bool
	entered   map[*ast.FragmentDefinition]bool
	ids       map[*ast.Field]int
	shaped    map[string]bool
	parented  map[string]bool
	reported  map[[2]*ast.Field]bool
	conflicts []conflict
}

func newMerger(schema *ast.Schema, doc *ast.QueryDocument) *merger {
	return &merger{
		schema:   schema,
		cyclic:   cyclicFragments(doc),
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

// conflict is two fields of one response name that cannot merge, and why:
// rank orders the reasons as graphql-js tries them (different fields, then
// arguments, then types).
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
	for _, pass := range []func([]*selected, int){m.sameResponseShape, m.sameForCommonParents} {
		m.entered = map[*ast.FragmentDefinition]bool{}
		pass(m.expand([]source{{set: set}}), 0)
	}
	m.report(addError)
	m.conflicts = m.conflicts[:0]
}

// source is a selection set to expand, and the field it selects under.
type source struct {
	set    ast.SelectionSet
	parent *selected
}

// expand lists the fields the selection sets select, in the order
// graphql-js collects them: each set's own fields and inline fragments in
// place, then the fragments it spreads, each fragment once. Fields of a
// type the schema does not know (KnownTypeNames reports those) are left
// out, as graphql-js and gqlparser leave them.
//
// A fragment on a cycle (NoFragmentCycles reports it) is expanded once in
// each pass of a check: expanding it wherever its cycle brings it back
// follows the cycle until the merged sets repeat, and independent cycles
// advanced in turn make exponentially many sets before they do.
func (m *merger) expand(sources []source) []*selected {
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
				def := s.Definition
				if def == nil || seen[s.Name] || m.entered[def] {
					continue
				}
				seen[s.Name] = true
				m.entered[def] = m.cyclic[def]
				sources = append(sources, source{set: def.SelectionSet, parent: parent})
			}
		}
	}
	for i := 0; i < len(sources); i++ {
		walk(sources[i].set, sources[i].parent)
	}
	return fields
}

// merged expands the sub-selections of a group of fields into one set.
func (m *merger) merged(group []*selected) []*selected {
	var sources []source
	for _, f := range group {
		if len(f.field.SelectionSet) > 0 {
			sources = append(sources, source{set: f.field.SelectionSet, parent: f})
		}
	}
	if len(sources) == 0 {
		return nil
	}
	return m.expand(sources)
}

// cyclicFragments returns the fragments of doc that spread themselves,
// directly or through others: those in a strongly connected component of
// the spread graph with a cycle (Tarjan's algorithm), found in time linear
// in the document.
func cyclicFragments(doc *ast.QueryDocument) map[*ast.FragmentDefinition]bool {
	byName := fragmentsByName(doc)
	spreads := map[*ast.FragmentDefinition][]*ast.FragmentDefinition{}
	for _, f := range byName {
		eachSpread(f.SelectionSet, func(name string) {
			if g := byName[name]; g != nil {
				spreads[f] = append(spreads[f], g)
			}
		})
	}
	cyclic := map[*ast.FragmentDefinition]bool{}
	index := map[*ast.FragmentDefinition]int{}
	low := map[*ast.FragmentDefinition]int{}
	var stack []*ast.FragmentDefinition
	onStack := map[*ast.FragmentDefinition]bool{}
	var connect func(f *ast.FragmentDefinition)
	connect = func(f *ast.FragmentDefinition) {
		index[f], low[f] = len(index), len(index)
		stack = append(stack, f)
		onStack[f] = true
		for _, g := range spreads[f] {
			if _, visited := index[g]; !visited {
				connect(g)
				low[f] = min(low[f], low[g])
			} else if onStack[g] {
				low[f] = min(low[f], index[g])
			}
			if g == f {
				cyclic[f] = true
			}
		}
		if low[f] == index[f] {
			i := len(stack) - 1
			for stack[i] != f {
				i--
			}
			for _, g := range stack[i:] {
				onStack[g] = false
				cyclic[g] = cyclic[g] || len(stack)-i > 1
			}
			stack = stack[:i]
		}
	}
	for _, f := range doc.Fragments {
		if _, visited := index[f]; !visited && byName[f.Name] == f {
			connect(f)
		}
	}
	return cyclic
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

// groupBy groups fields by key, in order.
func groupBy(fields []*selected, key func(*ast.Field) string) [][]*selected {
	index := map[string]int{}
	var groups [][]*selected
	for _, f := range fields {
		k := key(f.field)
		i, ok := index[k]
		if !ok {
			i = len(groups)
			index[k] = i
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

// compareNearest calls compare with each field of group but the first and
// the field to compare it with: the first of the group selected in the same
// selection (under the same field), or else the first of the group. Both
// conditions are equivalences, so comparing each field once with an earlier
// one tells whether the group merges; comparing it with one of its own
// selection first reports a conflict within one field's selection at that
// field, as graphql-js does, not at the fields above it. (Looking further
// up for the nearest relative would cost each field its depth.)
func compareNearest(group []*selected, compare func(a, b *selected)) {
	if len(group) < 2 {
		return
	}
	first := map[*selected]*selected{}
	for _, f := range group {
		earlier, ok := first[f.parent]
		if !ok {
			first[f.parent] = f
			earlier = group[0]
		}
		if f != group[0] {
			compare(earlier, f)
		}
	}
}

// sameResponseShape checks that the fields answering under one name have
// the same shape (spec: SameResponseShape), whatever their parent types.
// A field the schema does not know (FieldsOnCorrectType reports it) has no
// shape to compare.
func (m *merger) sameResponseShape(fields []*selected, depth int) {
	if depth > mergeDepthLimit || !m.firstTime(m.shaped, fields) {
		return
	}
	for _, group := range groupBy(fields, responseName) {
		known := slices.DeleteFunc(slices.Clone(group), func(f *selected) bool { return f.field.Definition == nil })
		compareNearest(known, func(a, b *selected) {
			if !m.sameShape(a.field.Definition.Type, b.field.Definition.Type) {
				m.conflicts = append(m.conflicts, conflict{a: a, b: b, rank: rankType})
			}
		})
		if sub := m.merged(group); len(sub) > 0 {
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
	for _, group := range groupBy(fields, responseName) {
		for _, common := range byCommonParents(group) {
			compareNearest(common, func(a, b *selected) {
				if a.field.Name != b.field.Name {
					m.conflicts = append(m.conflicts, conflict{a: a, b: b, rank: rankField})
				}
			})
			// Compared apart, fields of one name differing in arguments are
			// reported as that even where a field of another name came first.
			args := make(map[*selected]string, len(common))
			for _, f := range common {
				args[f] = argumentsKey(f.field.Arguments)
			}
			for _, same := range groupBy(common, func(f *ast.Field) string { return f.Name }) {
				compareNearest(same, func(a, b *selected) {
					if args[a] != args[b] {
						m.conflicts = append(m.conflicts, conflict{a: a, b: b, rank: rankArguments})
					}
				})
			}
			if sub := m.merged(common); len(sub) > 0 {
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
