package server

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
	"gopkg.in/yaml.v3"
)

// specCase is one case of testdata/overlap: a document, the schema it is
// validated against (an index into schemas.yml, or the schema itself) and
// the errors graphql-js reports for it.
type specCase struct {
	Name   string
	Schema string
	Query  string
	Errors []struct {
		Message   string
		Locations []gqlerror.Location
	}
}

// specDeviations are the cases where our errors read otherwise than the
// case expects, and why; valid or invalid, both always agree.
var specDeviations = map[string]string{
	"nested reuse of the same fragment with a conflicting field": "the innermost pair of fields is named in the other " +
		`order ("a" and "b"): graphql-js and gqlparser order a pair of subfields by the order their traversal reaches ` +
		"the fragment spreads in, we by the order the pair of fields above them is selected in",
}

// TestOverlapSpecCases runs graphql-js's and gqlparser's test cases for the
// rule through gqlparser's rule and ours: both must find the same
// documents invalid for the same fields, and ours must report what the
// case expects but where specDeviations says. graphql-js's cases expect
// every location graphql-js gives; gqlparser's, the one gqlparser gives,
// which must be among ours.
func TestOverlapSpecCases(t *testing.T) {
	var sources []string
	readYAML(t, "schemas.yml", &sources)
	for _, file := range []string{"graphql-js.spec.yml", "gqlparser.spec.yml"} {
		var cases []specCase
		readYAML(t, file, &cases)
		for _, c := range cases {
			t.Run(strings.TrimSuffix(file, ".spec.yml")+"/"+c.Name, func(t *testing.T) {
				schema := specSchema(t, sources, c.Schema)
				ours := validateWith(t, schema, c.Query, overlappingFieldsRule)
				theirs := validateWith(t, schema, c.Query, rules.OverlappingFieldsCanBeMergedRule)
				if (len(ours) == 0) != (len(theirs) == 0) {
					t.Fatalf("gqlparser reports %d errors, we %d:\n%s\nwe:\n%s", len(theirs), len(ours), theirs, ours)
				}
				if o, g := namedUnder(ours), namedUnder(theirs); !slices.Equal(o, g) {
					t.Errorf("we name %q, gqlparser %q:\n%s\nwe:\n%s", o, g, theirs, ours)
				}
				if why, deviates := specDeviations[c.Name]; deviates {
					t.Logf("deviates: %s", why)
				} else if !reportsExpected(c, ours, file == "graphql-js.spec.yml") {
					t.Errorf("expected:\n%s\nwe:\n%s", c.Errors, ours)
				}
			})
		}
	}
}

// reportsExpected reports whether errs are the errors c expects, in any
// order: the same messages, and at the same locations (every location, or
// at least those expected).
func reportsExpected(c specCase, errs gqlerror.List, everyLocation bool) bool {
	if len(errs) != len(c.Errors) {
		return false
	}
	used := make([]bool, len(errs))
	for _, want := range c.Errors {
		found := false
		for i, got := range errs {
			if used[i] || got.Message != want.Message {
				continue
			}
			located := true
			for _, l := range want.Locations {
				located = located && slices.Contains(got.Locations, l)
			}
			if located && (!everyLocation || slices.Equal(got.Locations, want.Locations)) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func readYAML(t testing.TB, name string, into any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "overlap", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func specSchema(t *testing.T, sources []string, schema string) *ast.Schema {
	t.Helper()
	source := schema
	if i, err := strconv.Atoi(schema); err == nil {
		source = sources[i]
	}
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "schema", Input: source})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validateWith validates query against schema with rule alone.
func validateWith(t testing.TB, schema *ast.Schema, query string, rule core.Rule) gqlerror.List {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: query})
	if err != nil {
		t.Fatalf("%v\n%s", err, query)
	}
	return validator.ValidateWithRules(schema, doc, rules.NewRules(rule))
}

var (
	conflictTop     = regexp.MustCompile(`^Fields "(\w+)" conflict because `)
	conflictSubject = regexp.MustCompile(`subfields "(\w+)"|"(\w+)" and "(\w+)" are different fields|they (have) differing arguments|conflicting types "([^"]+)" and "([^"]+)"`)
)

// namedUnder lists, sorted and each once, what the conflicts errs
// report name: for each, the response name it is reported under and each
// subfield, field, type (and "have", for differing arguments) its message
// names after it.
func namedUnder(errs gqlerror.List) []string {
	var names []string
	for _, e := range errs {
		top := conflictTop.FindStringSubmatch(e.Message)
		if top == nil {
			names = append(names, "unexpected message: "+e.Message)
			continue
		}
		for _, m := range conflictSubject.FindAllStringSubmatch(e.Message, -1) {
			for _, name := range m[1:] {
				if name != "" {
					names = append(names, top[1]+": "+name)
				}
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}
