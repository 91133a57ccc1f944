package server

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// docGen writes random operations against a schema whose fields collide on
// purpose: a few fields per type and two aliases, so that response names
// repeat; copies of fields selected before with the same or another field,
// the same, reordered or other arguments (literals, input objects in any
// order, variables), and other sub-selections; inline fragments and named
// fragments on the type, on the Node interface and on its implementations.
// Every document it writes passes every validation rule but field merging
// (TestOverlapDifferential checks that), so that the rule alone decides.
type docGen struct {
	r      *rand.Rand
	schema *ast.Schema
	pools  map[string][]*ast.FieldDefinition
	recent map[string][]genField
	scopes []map[string]bool
	frags  []genFragment
	named  int
	budget int
	out    []string
}

type genField struct {
	alias, args, dirs, sub string
	def                    *ast.FieldDefinition
}

func (f genField) String() string {
	s := f.def.Name + f.args + f.dirs + f.sub
	if f.alias != "" {
		s = f.alias + ": " + s
	}
	return s
}

type genFragment struct {
	name, on string
	vars     map[string]bool
}

// genVariables are the variables documents may use, by type.
var genVariables = map[string]string{"n": "Int", "m": "Int", "id": "ID!", "other": "ID!", "s": "String", "t": "PartnerType"}

// genMaxDepth is how deep documents nest fields, genSelections about how
// many selections they make: small, for the specification's text takes
// exponential time.
const (
	genMaxDepth   = 2
	genSelections = 16
)

func newDocGen(schema *ast.Schema, seed uint64) *docGen {
	return &docGen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), schema: schema, budget: genSelections,
		pools: map[string][]*ast.FieldDefinition{}, recent: map[string][]genField{}}
}

// document writes one or two operations and the fragments they spread.
func (g *docGen) document() string {
	ops := 1 + g.r.IntN(2)
	for i := range ops {
		g.scopes = append(g.scopes, map[string]bool{})
		body := g.selectionSet(g.schema.Query, 0)
		vars := slices.Sorted(maps.Keys(g.scopes[len(g.scopes)-1]))
		g.scopes = g.scopes[:len(g.scopes)-1]
		var decl []string
		for _, v := range vars {
			decl = append(decl, "$"+v+": "+genVariables[v])
		}
		head := fmt.Sprintf("query Q%d", i)
		if len(decl) > 0 {
			head += "(" + strings.Join(decl, ", ") + ")"
		}
		g.out = append(g.out, head+" "+body)
	}
	return strings.Join(g.out, "\n")
}

// pool is the few fields of t documents select, chosen anew for each
// generator: __typename, up to three leaves and up to three others.
func (g *docGen) pool(t *ast.Definition) []*ast.FieldDefinition {
	if p, ok := g.pools[t.Name]; ok {
		return p
	}
	var leaves, composite []*ast.FieldDefinition
	for _, i := range g.r.Perm(len(t.Fields)) {
		f := t.Fields[i]
		switch {
		case strings.HasPrefix(f.Name, "__"):
		case g.isLeaf(f.Type):
			leaves = append(leaves, f)
		default:
			composite = append(composite, f)
		}
	}
	p := []*ast.FieldDefinition{{Name: "__typename", Type: ast.NonNullNamedType("String", nil)}}
	p = append(p, leaves[:min(3, len(leaves))]...)
	p = append(p, composite[:min(3, len(composite))]...)
	if t == g.schema.Query {
		// node selects on the Node interface and its implementations.
		p = append(p, t.Fields.ForName("node"))
	}
	g.pools[t.Name] = p
	return p
}

func (g *docGen) isLeaf(t *ast.Type) bool {
	k := g.schema.Types[t.Name()].Kind
	return k == ast.Scalar || k == ast.Enum
}

// selectionSet writes a selection set on t, depth fields below the root.
func (g *docGen) selectionSet(t *ast.Definition, depth int) string {
	var parts []string
	for range 1 + g.r.IntN(3) {
		x := g.r.IntN(100)
		if g.budget--; g.budget < 0 {
			x = 50
		}
		switch recent := g.recent[t.Name]; {
		case x < 35 && len(recent) > 0:
			f := g.collide(t, recent[g.r.IntN(len(recent))], depth)
			g.use(f.String())
			parts = append(parts, f.String())
		case x < 75:
			parts = append(parts, g.field(t, depth).String())
		case x < 88:
			cond := g.condition(t)
			on := " on " + cond.Name
			if cond == t && g.r.IntN(3) == 0 {
				on = ""
			}
			parts = append(parts, "..."+on+g.directives()+" "+g.selectionSet(cond, depth))
		default:
			parts = append(parts, "..."+g.fragment(t, depth)+g.directives())
		}
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

// field selects a field of t's pool, perhaps under an alias.
func (g *docGen) field(t *ast.Definition, depth int) genField {
	pool := g.pool(t)
	var def *ast.FieldDefinition
	for def == nil || (depth >= genMaxDepth && !g.isLeaf(def.Type)) {
		def = pool[g.r.IntN(len(pool))]
	}
	f := genField{alias: []string{"", "", "a", "b"}[g.r.IntN(4)], def: def, args: g.arguments(def), dirs: g.directives()}
	f.sub = g.subSelection(def, depth)
	g.recent[t.Name] = append(g.recent[t.Name], f)
	return f
}

func (g *docGen) subSelection(def *ast.FieldDefinition, depth int) string {
	if g.isLeaf(def.Type) {
		return ""
	}
	return " " + g.selectionSet(g.schema.Types[def.Type.Name()], depth+1)
}

// collide selects under f's response name again: f itself, f with other
// arguments, arguments reordered or another sub-selection, or another
// field.
func (g *docGen) collide(t *ast.Definition, f genField, depth int) genField {
	switch g.r.IntN(5) {
	case 0:
	case 1:
		f.args = g.arguments(f.def)
	case 2:
		f.args = g.reorder(f.args)
		f.dirs = g.directives()
	case 3:
		f.sub = g.subSelection(f.def, depth)
	default:
		name := f.alias
		if name == "" {
			name = f.def.Name
		}
		f = g.field(t, depth)
		f.alias = name
	}
	return f
}

var (
	genVariable = regexp.MustCompile(`\$(\w+)`)
	genSpread   = regexp.MustCompile(`\.\.\.(F\d+)`)
)

// use records in the current scope the variables a copied selection uses,
// itself or through the fragments it spreads.
func (g *docGen) use(selection string) {
	scope := g.scopes[len(g.scopes)-1]
	for _, m := range genVariable.FindAllStringSubmatch(selection, -1) {
		scope[m[1]] = true
	}
	for _, m := range genSpread.FindAllStringSubmatch(selection, -1) {
		for _, f := range g.frags {
			if f.name == m[1] {
				maps.Copy(scope, f.vars)
			}
		}
	}
}

// directives are often none, and never change what merges.
func (g *docGen) directives() string {
	return []string{"", "", "", " @include(if: true)", " @skip(if: false)"}[g.r.IntN(5)]
}

// condition is a type condition possible where t is selected: t itself,
// the Node interface t implements, or an object implementing Node.
func (g *docGen) condition(t *ast.Definition) *ast.Definition {
	node := g.schema.Types["Node"]
	switch {
	case t == node:
		impl := g.schema.GetPossibleTypes(node)
		return impl[g.r.IntN(min(4, len(impl)))]
	case slices.Contains(t.Interfaces, "Node") && g.r.IntN(2) == 0:
		return node
	}
	return t
}

// fragment spreads a fragment written before on a condition possible on
// t, or writes a new one. A fragment only spreads fragments finished before
// it, so none spreads itself.
func (g *docGen) fragment(t *ast.Definition, depth int) string {
	cond := g.condition(t)
	var fit []genFragment
	for _, f := range g.frags {
		if f.on == cond.Name {
			fit = append(fit, f)
		}
	}
	var f genFragment
	if len(fit) > 0 && g.r.IntN(2) == 0 {
		f = fit[g.r.IntN(len(fit))]
	} else {
		g.named++
		name := fmt.Sprintf("F%d", g.named)
		g.scopes = append(g.scopes, map[string]bool{})
		body := g.selectionSet(cond, depth)
		f = genFragment{name: name, on: cond.Name, vars: g.scopes[len(g.scopes)-1]}
		g.scopes = g.scopes[:len(g.scopes)-1]
		g.frags = append(g.frags, f)
		g.out = append(g.out, "fragment "+name+" on "+cond.Name+" "+body)
	}
	for v := range f.vars {
		g.scopes[len(g.scopes)-1][v] = true
	}
	return f.name
}

// arguments writes the arguments of def: the required ones, and some of
// the others, in any order.
func (g *docGen) arguments(def *ast.FieldDefinition) string {
	var args []string
	for _, a := range def.Arguments {
		if (a.Type.NonNull && a.DefaultValue == nil) || g.r.IntN(3) == 0 {
			args = append(args, a.Name+": "+g.value(a.Type))
		}
	}
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(g.shuffle(args), ", ") + ")"
}

func (g *docGen) shuffle(s []string) []string {
	g.r.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
	return s
}

// reorder writes the same arguments in another order.
func (g *docGen) reorder(args string) string {
	if args == "" || strings.ContainsAny(args, "{[") {
		return args
	}
	return "(" + strings.Join(g.shuffle(strings.Split(args[1:len(args)-1], ", ")), ", ") + ")"
}

// value writes a value of type t: a variable of its type, or a literal
// from a few, so that two values are often the same.
func (g *docGen) value(t *ast.Type) string {
	if v := g.variable(t); v != "" && g.r.IntN(3) == 0 {
		g.scopes[len(g.scopes)-1][v] = true
		return "$" + v
	}
	if t.Elem != nil {
		return "[" + g.value(t.Elem) + "]"
	}
	def := g.schema.Types[t.NamedType]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[g.r.IntN(min(2, len(def.EnumValues)))].Name
	case ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if (f.Type.NonNull && f.DefaultValue == nil) || g.r.IntN(3) == 0 {
				fields = append(fields, f.Name+": "+g.value(f.Type))
			}
		}
		return "{" + strings.Join(g.shuffle(fields), ", ") + "}"
	}
	literals := map[string][]string{
		"Int": {"1", "2"}, "Float": {"1.5", "2"}, "Boolean": {"true", "false"},
		"String": {`"x"`, `"y"`, `"""x"""`}, "ID": {`"UGFydG5lcjox"`, `"VGFnOjE="`, "1"},
		"Time": {`"2024-01-01T00:00:00Z"`}, "Date": {`"2024-01-01"`},
	}[t.NamedType]
	if len(literals) == 0 {
		return `"x"`
	}
	return literals[g.r.IntN(len(literals))]
}

// variable names a variable that may stand at a position of type t.
func (g *docGen) variable(t *ast.Type) string {
	var fit []string
	for _, v := range slices.Sorted(maps.Keys(genVariables)) {
		vt := genVariables[v]
		if strings.TrimSuffix(vt, "!") == t.String() || vt == t.String()+"!" || vt == t.String() {
			fit = append(fit, v)
		}
	}
	if len(fit) == 0 {
		return ""
	}
	return fit[g.r.IntN(len(fit))]
}
