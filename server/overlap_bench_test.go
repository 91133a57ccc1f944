package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// BenchmarkOverlap validates parsed documents of many repeated fields
// against the served schema with field merging alone: ours, gqlparser's
// for comparison up to the sizes it takes seconds for, and none (what
// walking the document costs any rule). It reports the time per document
// in milliseconds (ms/doc) and per field in nanoseconds (ns/field). Ours
// must stay linear: ten thousand repeated fields, valid or conflicting,
// validate in milliseconds. Run:
//
//	go test ./server -run '^$' -bench Overlap -benchtime 5x
func BenchmarkOverlap(b *testing.B) {
	schema := servedSchema()
	repeat := func(n int, f func(i int) string) string {
		var s strings.Builder
		s.WriteString("query {\n")
		for i := range n {
			s.WriteString(f(i))
			s.WriteByte('\n')
		}
		s.WriteString("}")
		return s.String()
	}
	// chain nests Partner → partnerships → nodes → partner, levels deep.
	chain := func(levels int) string {
		return "partner(id: 1) { " + strings.Repeat("partnerships { nodes { partner { ", levels) + "companyName" + strings.Repeat(" } } }", levels) + " }"
	}
	documents := []struct {
		name   string
		fields int
		query  func(n int) string
	}{
		{"Typename", 1, func(n int) string { return repeat(n, func(int) string { return "__typename" }) }},
		{"NestedField", 2, func(n int) string { return repeat(n, func(int) string { return "viewer { permission }" }) }},
		{"ConflictingArguments", 2, func(n int) string {
			return repeat(n, func(i int) string { return fmt.Sprintf("a: partners(first: %d) { totalCount }", i) })
		}},
		{"ConflictingFields", 1, func(n int) string {
			return repeat(n, func(i int) string { return []string{"a: __typename", "a: viewer { permission }"}[i%2] })
		}},
		{"ThroughFragments", 2, func(n int) string {
			return repeat(n, func(int) string { return "... on Query { viewer { ... on Viewer { permission } } }" })
		}},
		{"Deep", 61, func(n int) string { return repeat(n, func(int) string { return chain(20) }) }},
	}
	for _, d := range documents {
		for _, r := range []struct {
			name string
			rule core.Rule
			max  int
		}{
			{"ours", overlappingFieldsRule, 100000},
			{"gqlparser", rules.OverlappingFieldsCanBeMergedRule, 3000},
			{"none", core.Rule{Name: "None", RuleFunc: func(*core.Events, core.AddErrFunc) {}}, 100000},
		} {
			for _, n := range []int{1000, 3000, 10000, 100000} {
				if n > r.max {
					continue
				}
				b.Run(fmt.Sprintf("%s/%s/%d", d.name, r.name, n), func(b *testing.B) {
					query := d.query(n / d.fields)
					var spent time.Duration
					for range b.N {
						doc, err := parser.ParseQuery(&ast.Source{Input: query})
						if err != nil {
							b.Fatal(err)
						}
						start := time.Now()
						validator.ValidateWithRules(schema, doc, rules.NewRules(r.rule))
						spent += time.Since(start)
					}
					perDoc := spent / time.Duration(b.N)
					b.ReportMetric(float64(perDoc)/float64(time.Millisecond), "ms/doc")
					b.ReportMetric(float64(perDoc)/float64(n), "ns/field")
				})
			}
		}
	}
}
