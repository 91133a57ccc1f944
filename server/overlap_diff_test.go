package server

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"partnergraph/graph"
)

// servedSchema is the schema the server serves, schema.graphqls.
func servedSchema() *ast.Schema { return graph.NewExecutableSchema(graph.Config{}).Schema() }

// otherRules are gqlparser's rules but field merging.
func otherRules() *rules.Rules {
	r := rules.NewDefaultRules()
	r.RemoveRule(rules.OverlappingFieldsCanBeMergedRule.Name)
	return r
}

// verdicts are what our rule, gqlparser's and the specification's text
// (specOracle) decide on a document. other is what the other rules report:
// the three are comparable only where it is empty.
type verdicts struct {
	other, ours, theirs gqlerror.List
	spec                bool
}

// decide validates query with the other rules and ours, and, if the other
// rules accept it and it is small, with gqlparser's and the specification's
// text; false if it does not parse.
func decide(schema *ast.Schema, query string) (verdicts, bool) {
	parse := func() *ast.QueryDocument {
		doc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: query})
		if err != nil {
			return nil
		}
		return doc
	}
	doc := parse()
	if doc == nil {
		return verdicts{}, false
	}
	var v verdicts
	v.other = validator.ValidateWithRules(schema, doc, otherRules())
	v.ours = validator.ValidateWithRules(schema, parse(), rules.NewRules(overlappingFieldsRule))
	if len(v.other) > 0 || len(query) > 4096 {
		return v, true
	}
	v.theirs = validator.ValidateWithRules(schema, parse(), rules.NewRules(rules.OverlappingFieldsCanBeMergedRule))
	v.spec = newSpecOracle(schema).documentCanMerge(doc)
	return v, true
}

// disagreement says how the verdicts on a document every other rule
// accepts disagree, or "" if they agree: valid or not alike, and every
// field gqlparser names named by us too (conflictsNamed).
func (v verdicts) disagreement() string {
	switch {
	case (len(v.ours) == 0) != v.spec:
		return "we and the specification disagree"
	case (len(v.theirs) == 0) != v.spec:
		return "gqlparser and the specification disagree"
	}
	ours := conflictsNamed(v.ours)
	var missing []string
	for _, name := range conflictsNamed(v.theirs) {
		if !slices.Contains(ours, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return "we do not name " + strings.Join(missing, "; ")
	}
	return ""
}

var conflictPart = regexp.MustCompile(`(?:Fields|subfields) "(\w+)" conflict|"(\w+)" and "(\w+)" are different fields|(they have differing arguments)|they return conflicting types`)

// conflictsNamed lists, sorted and each once, the response names under
// which errs say two fields conflict, each alone ("a") and with the fields
// it names ("a: id", "a: name") or "(arguments)" if they differ in those.
// Which response names above it an error goes through, and which types it
// names, depend on which pairs of fields a rule compares.
func conflictsNamed(errs gqlerror.List) []string {
	var names []string
	for _, e := range errs {
		var under string
		for _, m := range conflictPart.FindAllStringSubmatch(e.Message, -1) {
			switch {
			case m[1] != "":
				under = m[1]
				continue
			case m[2] != "":
				names = append(names, under+": "+m[2], under+": "+m[3])
			case m[4] != "":
				names = append(names, under+": (arguments)")
			}
			names = append(names, under)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestOverlapDifferential generates documents against the served schema
// (docGen) and decides each with our rule, gqlparser's and the
// specification's text: all three must agree on every document. The seed
// is random unless PARTNERGRAPH_OVERLAP_SEED gives it; a failure prints it.
func TestOverlapDifferential(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PARTNERGRAPH_OVERLAP_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("PARTNERGRAPH_OVERLAP_SEED: %v", err)
		}
	}
	t.Logf("seed %d (PARTNERGRAPH_OVERLAP_SEED=%d runs these documents again)", seed, seed)
	schema := servedSchema()
	const documents = 2000
	cover := coverage{}
	for i := range uint64(documents) {
		query := newDocGen(schema, seed+i).document()
		v, _ := decide(schema, query)
		if len(v.other) > 0 {
			t.Fatalf("seed %d: document %d breaks other rules: %s\n%s", seed, i, v.other, query)
		}
		if d := v.disagreement(); d != "" {
			t.Fatalf("seed %d: document %d (PARTNERGRAPH_OVERLAP_SEED=%d): %s\n%s\ngqlparser:\n%s\nwe:\n%s", seed, i, seed+i, d, query, v.theirs, v.ours)
		}
		cover.add(query, v)
	}
	t.Logf("%d documents: %v", documents, cover)
	if short := cover.short(documents); short != "" {
		t.Errorf("the generator no longer writes enough documents %s: %v", short, cover)
	}
}

// coverage counts the documents of each kind the differential test must
// see, so that a generator that stops writing one fails the test.
type coverage map[string]int

var coverageKinds = []struct {
	name   string
	report func(query string, v verdicts) bool
}{
	{"valid", func(_ string, v verdicts) bool { return v.spec }},
	{"invalid", func(_ string, v verdicts) bool { return !v.spec }},
	{"of different fields", func(_ string, v verdicts) bool { return strings.Contains(v.ours.Error(), "are different fields") }},
	{"of differing arguments", func(_ string, v verdicts) bool { return strings.Contains(v.ours.Error(), "differing arguments") }},
	{"of conflicting types", func(_ string, v verdicts) bool { return strings.Contains(v.ours.Error(), "conflicting types") }},
	{"of subfields", func(_ string, v verdicts) bool { return strings.Contains(v.ours.Error(), "subfields") }},
	{"through named fragments", func(q string, v verdicts) bool { return !v.spec && strings.Contains(q, "fragment") }},
	{"through inline fragments on Node", func(q string, v verdicts) bool { return !v.spec && strings.Contains(q, "... on Node") }},
	{"valid under node", func(q string, v verdicts) bool { return v.spec && strings.Contains(q, "node(") }},
	{"invalid under node", func(q string, v verdicts) bool { return !v.spec && strings.Contains(q, "node(") }},
	{"invalid with variables", func(q string, v verdicts) bool { return !v.spec && strings.Contains(q, "$") }},
}

func (c coverage) add(query string, v verdicts) {
	for _, k := range coverageKinds {
		if k.report(query, v) {
			c[k.name]++
		}
	}
}

// short names the first kind fewer than one document in twenty-five is of.
func (c coverage) short(documents int) string {
	for _, k := range coverageKinds {
		if c[k.name] < documents/25 {
			return k.name
		}
	}
	return ""
}

// FuzzOverlap decides arbitrary documents with our rule, which must not
// fail on any, and compares it, where every other rule accepts the
// document, with gqlparser's rule and the specification's text as
// TestOverlapDifferential does. The seeds are generated documents and
// fragment cycles.
func FuzzOverlap(f *testing.F) {
	schema := servedSchema()
	for seed := range uint64(40) {
		f.Add(newDocGen(schema, seed).document())
	}
	f.Add("query { partner(id: 1) { ...F } } fragment F on Partner { x: partnerships { nodes { partner { ...F } } } y: partnerships { nodes { partner { ...F } } } }")
	f.Add("fragment F on Query { a: node(id: 1) { ...G } } fragment G on Node { ... on Partner { a: uuid } ...F }")
	f.Fuzz(func(t *testing.T, query string) {
		v, ok := decide(schema, query)
		if !ok || len(v.other) > 0 || len(query) > 4096 {
			return // the specification's text takes exponential time
		}
		if d := v.disagreement(); d != "" {
			t.Fatalf("%s\n%s\ngqlparser:\n%s\nwe:\n%s", d, query, v.theirs, v.ours)
		}
	})
}

// TestOverlapServedSchema: documents on the served schema and the errors
// field merging gives them. gqlparser decides alike but where a case says
// why not.
func TestOverlapServedSchema(t *testing.T) {
	const alias = ". Use different aliases on the fields to fetch both if this was intentional."
	schema := servedSchema()
	for _, c := range []struct {
		name, query string
		want        []string
		gqlparser   string // why gqlparser decides otherwise
	}{
		{"InputObjectFieldsInAnyOrder", `{ partners(filter: {partnerType: CUSTOMER, search: "x"}) { totalCount }
			partners(filter: {search: "x", partnerType: CUSTOMER}) { totalCount } }`, nil, ""},
		{"SameVariable", `query($n: Int) { partners(first: $n) { totalCount } partners(first: $n) { totalCount } }`, nil, ""},
		{"DifferentVariables", `query($n: Int, $m: Int) { partners(first: $n) { totalCount } partners(first: $m) { totalCount } }`,
			[]string{`Fields "partners" conflict because they have differing arguments` + alias}, ""},
		{"VariableAndLiteral", `query($n: Int) { partners(first: $n) { totalCount } partners(first: 2) { totalCount } }`,
			[]string{`Fields "partners" conflict because they have differing arguments` + alias}, ""},
		{"BlockStringAndString", `{ partners(after: "x") { totalCount } partners(after: """x""") { totalCount } }`,
			[]string{`Fields "partners" conflict because they have differing arguments` + alias}, ""},
		{"DifferentTypesUnderNode", `{ node(id: "x") { ... on Partner { name: companyName } ... on Tag { name } } }`, nil, ""},
		{"ConflictingTypesUnderNode", `{ node(id: "x") { ... on Partner { v: salesAmount } ... on Tag { v: name } } }`,
			[]string{`Fields "v" conflict because they return conflicting types "Int!" and "String!"` + alias}, ""},
		{"InterfaceAndObject", `{ node(id: "x") { ... on Node { i: id } ... on Tag { i: uuid } } }`,
			[]string{`Fields "i" conflict because "id" and "uuid" are different fields` + alias}, ""},
		{"Nested", `{ viewer { user { n: name } } viewer { user { n: email } } }`,
			[]string{`Fields "viewer" conflict because subfields "user" conflict because subfields "n" conflict because "name" and "email" are different fields` + alias}, ""},
		{"WithinOneField", `{ viewer { user { n: name n: email } } viewer { user { n: name } } }`,
			[]string{`Fields "n" conflict because "name" and "email" are different fields` + alias}, ""},
		{"ThroughFragments", `{ viewer { ...A ...B } } fragment A on Viewer { p: permission } fragment B on Viewer { p: user { id } }`,
			[]string{`Fields "p" conflict because "permission" and "user" are different fields` + alias}, ""},
		{"InFragmentNoOperationSpreads", `{ __typename } fragment F on Viewer { user { n: name n: email } }`,
			[]string{`Fields "n" conflict because "name" and "email" are different fields` + alias},
			"it checks the selection sets within a fragment no operation spreads only at its top"},
		{"FragmentCycle", `{ partner(id: "x") { ...F } } fragment F on Partner {
			x: partnerships { nodes { partner { ...F } } } y: partnerships { nodes { partner { ...F } } } }`, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, e := range validateWith(t, schema, c.query, overlappingFieldsRule) {
				got = append(got, e.Message)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
			theirs := validateWith(t, schema, c.query, rules.OverlappingFieldsCanBeMergedRule)
			if agree := (len(theirs) == 0) == (len(c.want) == 0); agree != (c.gqlparser == "") {
				t.Errorf("gqlparser reports %q", theirs)
			}
		})
	}
}
