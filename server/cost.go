package server

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	pg "partnergraph"
)

// coster computes the cost of a validated operation: each field costs 1,
// meta fields included; a connection's selection costs as many times as
// the items it asks for (first or last, else the default page size), and
// nodes(ids) as many times as the IDs it names. Introspection costs the
// size of its answer, counted on the schema (the answer does not depend on
// data), so aliased copies of __schema weigh what they return.
//
// A list that is not a connection (tags, assignedUsers …) counts its
// selection once, like an object; but a list selected inside itself
// (Stage.allowedNextStages within allowedNextStages, whose stages have
// theirs) counts as many times as a page holds, as a connection without
// first does not: each level of such nesting multiplies the answer by the
// list's length, so n connected stages nested k deep answer n^k of them.
//
// Arithmetic saturates at math.MaxInt rather than wrapping, whatever the
// arguments. Each fragment is costed once per set of lists it is spread
// inside; introspection is counted until it passes the budget, after which
// the operation is over the limit anyway.
type coster struct {
	schema *ast.Schema
	vars   map[string]any
	memo   map[string]int
	// open counts, by definition, the lists being costed around the current
	// selection: a list met while its own definition is open is nested.
	open map[*ast.FieldDefinition]int
	// left is the introspection budget: answer nodes still to count.
	left int
}

func newCoster(schema *ast.Schema, vars map[string]any, budget int) *coster {
	return &coster{schema: schema, vars: vars, memo: map[string]int{}, open: map[*ast.FieldDefinition]int{}, left: satAdd(budget, 1)}
}

func (c *coster) set(set ast.SelectionSet) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			total = satAdd(total, c.field(s))
		case *ast.InlineFragment:
			total = satAdd(total, c.set(s.SelectionSet))
		case *ast.FragmentSpread:
			total = satAdd(total, c.fragment(s))
		}
	}
	return total
}

func (c *coster) fragment(s *ast.FragmentSpread) int {
	if s.Definition == nil {
		return 0
	}
	key := s.Name + c.within()
	if v, ok := c.memo[key]; ok {
		return v
	}
	// Validation refused cycles; a spread met again while its fragment is
	// being costed counts nothing rather than recursing.
	c.memo[key] = 0
	v := c.set(s.Definition.SelectionSet)
	c.memo[key] = v
	return v
}

// within names the lists open around the current selection, which a
// fragment's cost depends on; empty outside any.
func (c *coster) within() string {
	var open []string
	for def, n := range c.open {
		if n > 0 {
			open = append(open, fmt.Sprintf("%p", def))
		}
	}
	slices.Sort(open)
	return strings.Join(open, ",")
}

// plainList reports whether f is a list of objects that is not a page:
// neither a connection's nodes or edges (counted by its first or last)
// nor nodes(ids).
func plainList(f *ast.Field) bool {
	return f.Definition != nil && f.Definition.Type.Elem != nil && len(f.SelectionSet) > 0 &&
		f.ObjectDefinition != nil && !strings.HasSuffix(f.ObjectDefinition.Name, "Connection") &&
		f.Definition.Arguments.ForName("ids") == nil
}

func (c *coster) field(f *ast.Field) int {
	switch f.Name {
	case "__typename":
		return 1
	case "__schema":
		return satAdd(1, c.introspect(f.SelectionSet, schemaValue(), 0))
	case "__type":
		name, _ := f.ArgumentMap(c.vars)["name"].(string)
		def := c.schema.Types[name]
		if def == nil {
			return 1
		}
		return satAdd(1, c.introspect(f.SelectionSet, typeValue(def), 0))
	}
	def, list := f.Definition, plainList(f)
	if list {
		c.open[def]++
	}
	child := c.set(f.SelectionSet)
	if list {
		c.open[def]--
	}
	if def != nil {
		child = satMul(child, c.items(f))
	}
	return satAdd(1, child)
}

// items is how many items a field answers with, as far as the request
// says: a connection's first or last, nodes' IDs (at most a page), a page of a list nested
// inside itself, else 1.
func (c *coster) items(f *ast.Field) int {
	if strings.HasSuffix(f.Definition.Type.Name(), "Connection") {
		args := f.ArgumentMap(c.vars)
		for _, name := range []string{"first", "last"} {
			if n, ok := asInt(args[name]); ok {
				return max(n, 1)
			}
		}
		return pg.DefaultPageSize
	}
	if ids, ok := f.ArgumentMap(c.vars)["ids"].([]any); ok && f.Definition.Type.Elem != nil {
		// More IDs than a page are refused by the field (at most
		// MaxPageSize); they are charged as the page they are refused as.
		return min(max(len(ids), 1), pg.MaxPageSize)
	}
	if plainList(f) && c.open[f.Definition] > 0 {
		return pg.MaxPageSize
	}
	return 1
}

// asInt reads an Int argument as coerced (int64 from variables and
// literals); it is non-negative and fits an int once clamped.
func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int64:
		return int(max(min(n, 1<<31-1), 0)), true
	case int:
		return max(min(n, 1<<31-1), 0), true
	}
	return 0, false
}

// introValue is one object of an introspection answer: the schema, a type
// (a named definition, or a list or non-null wrapper), a field, an input
// value, an enum value or a directive.
type introValue struct {
	kind  introKind
	def   *ast.Definition
	typ   *ast.Type
	field *ast.FieldDefinition
	dir   *ast.DirectiveDefinition
}

type introKind int

const (
	introSchema introKind = iota
	introType
	introField
	introInput
	introEnum
	introDirective
	// introLeaf is an item of a list of scalars.
	introLeaf
)

func schemaValue() introValue                  { return introValue{kind: introSchema} }
func typeValue(def *ast.Definition) introValue { return introValue{kind: introType, def: def} }

// wrapType is the __Type of a reference to a type, as gqlgen's
// introspection wraps it: a nullable named type is its definition.
func (c *coster) wrapType(t *ast.Type) introValue {
	if t == nil {
		return introValue{kind: introType}
	}
	if !t.NonNull && t.NamedType != "" {
		return introValue{kind: introType, def: c.schema.Types[t.NamedType]}
	}
	return introValue{kind: introType, typ: t}
}

// introspect counts the answer nodes of set selected on v.
func (c *coster) introspect(set ast.SelectionSet, v introValue, depth int) int {
	total := 0
	if depth > 1000 {
		return total
	}
	for _, sel := range set {
		if c.left <= 0 {
			return satAdd(total, 1)
		}
		switch s := sel.(type) {
		case *ast.Field:
			c.left--
			total = satAdd(total, 1)
			c.children(s.Name, v, func(child introValue) {
				if child.kind == introLeaf {
					c.left--
					total = satAdd(total, 1)
					return
				}
				total = satAdd(total, c.introspect(s.SelectionSet, child, depth+1))
			})
		case *ast.InlineFragment:
			total = satAdd(total, c.introspect(s.SelectionSet, v, depth+1))
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = satAdd(total, c.introspect(s.Definition.SelectionSet, v, depth+1))
			}
		}
	}
	return total
}

// children calls yield with each object (or list item) that field name of
// v answers with; scalar list items (a directive's locations) are yielded
// as leaf values.
func (c *coster) children(name string, v introValue, yield func(introValue)) {
	switch v.kind {
	case introSchema:
		c.schemaChildren(name, yield)
	case introType:
		c.typeChildren(name, v, yield)
	case introField:
		switch name {
		case "args":
			for _, a := range v.field.Arguments {
				yield(introValue{kind: introInput, typ: a.Type})
			}
		case "type":
			yield(c.wrapType(v.field.Type))
		}
	case introInput:
		if name == "type" {
			yield(c.wrapType(v.typ))
		}
	case introDirective:
		switch name {
		case "args":
			for _, a := range v.dir.Arguments {
				yield(introValue{kind: introInput, typ: a.Type})
			}
		case "locations":
			for range v.dir.Locations {
				yield(introValue{kind: introLeaf})
			}
		}
	}
}

func (c *coster) schemaChildren(name string, yield func(introValue)) {
	switch name {
	case "types":
		for _, def := range c.schema.Types {
			yield(typeValue(def))
		}
	case "queryType", "mutationType", "subscriptionType":
		def := map[string]*ast.Definition{"queryType": c.schema.Query, "mutationType": c.schema.Mutation, "subscriptionType": c.schema.Subscription}[name]
		if def != nil {
			yield(typeValue(def))
		}
	case "directives":
		for _, d := range c.schema.Directives {
			yield(introValue{kind: introDirective, dir: d})
		}
	}
}

func (c *coster) typeChildren(name string, v introValue, yield func(introValue)) {
	if v.typ != nil {
		if name == "ofType" {
			if v.typ.NonNull {
				t := *v.typ
				t.NonNull = false
				yield(c.wrapType(&t))
			} else {
				yield(c.wrapType(v.typ.Elem))
			}
		}
		return
	}
	def := v.def
	if def == nil {
		return
	}
	switch name {
	case "fields":
		for _, f := range def.Fields {
			if (def.Kind == ast.Object || def.Kind == ast.Interface) && !strings.HasPrefix(f.Name, "__") {
				yield(introValue{kind: introField, field: f})
			}
		}
	case "inputFields":
		if def.Kind == ast.InputObject {
			for _, f := range def.Fields {
				yield(introValue{kind: introInput, typ: f.Type})
			}
		}
	case "interfaces":
		for _, name := range def.Interfaces {
			yield(typeValue(c.schema.Types[name]))
		}
	case "possibleTypes":
		if def.Kind == ast.Interface || def.Kind == ast.Union {
			for _, p := range c.schema.GetPossibleTypes(def) {
				yield(typeValue(p))
			}
		}
	case "enumValues":
		for range def.EnumValues {
			yield(introValue{kind: introEnum})
		}
	}
}
