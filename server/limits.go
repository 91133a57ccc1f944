package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "partnergraph"
)

// Limits bounds the work one operation may ask for. They are checked after
// validation and before any resolver (so before any SQL) runs.
type Limits struct {
	// MaxDepth is the deepest nesting of fields; introspection is not counted.
	MaxDepth int
	// MaxCost is the most an operation may cost: each field costs 1, and a
	// connection's selection costs as many times as the items it asks for.
	MaxCost int
	// MaxFields is the most field selections (aliases included) one
	// operation may make, after fragments are expanded.
	MaxFields int
}

// DefaultLimits fit the largest screens frontends build, with room to spare.
var DefaultLimits = Limits{MaxDepth: 12, MaxCost: 50000, MaxFields: 1000}

type limitsExtension struct{ Limits }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = limitsExtension{}

func (limitsExtension) ExtensionName() string                   { return "Limits" }
func (limitsExtension) Validate(graphql.ExecutableSchema) error { return nil }

// Cost is the cost the limits extension computed for the operation of ctx.
func Cost(ctx context.Context) (int, bool) {
	if !graphql.HasOperationContext(ctx) {
		return 0, false
	}
	oc := graphql.GetOperationContext(ctx)
	c, ok := oc.Stats.GetExtension("cost").(int)
	return c, ok
}

func (l limitsExtension) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := walker{vars: oc.Variables}
	cost := w.cost(oc.Operation.SelectionSet, 1)
	oc.Stats.SetExtension("cost", cost)
	// Every limit exceeded is named, so one round trip tells the client
	// all it must change.
	var over []string
	if w.depth > l.MaxDepth {
		over = append(over, fmt.Sprintf("The query is %d levels deep; the limit is %d.", w.depth, l.MaxDepth))
	}
	if w.fields > l.MaxFields {
		over = append(over, fmt.Sprintf("The query selects %d fields; the limit is %d.", w.fields, l.MaxFields))
	}
	if cost > l.MaxCost {
		over = append(over, fmt.Sprintf("The query costs %d; the limit is %d. Ask for fewer items with first or last.", cost, l.MaxCost))
	}
	if len(over) > 0 {
		return limitError(strings.Join(over, " "))
	}
	return nil
}

func limitError(message string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", message)
	err.Extensions = map[string]any{"code": string(pg.BadUserInput), "reason": "QUERY_LIMIT_EXCEEDED"}
	return err
}

// walker computes depth, field count and cost in one pass.
type walker struct {
	vars   map[string]any
	depth  int
	fields int
}

// cost returns the cost of a selection set at depth d.
func (w *walker) cost(set ast.SelectionSet, d int) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				continue
			}
			w.fields++
			if d > w.depth {
				w.depth = d
			}
			// Stop descending once over the limits' reach: a hostile query
			// must not make the check itself expensive.
			if w.fields > 100000 {
				return total
			}
			child := w.cost(s.SelectionSet, d+1)
			if s.Definition != nil && strings.HasSuffix(s.Definition.Type.Name(), "Connection") {
				child *= w.pageSize(s)
			}
			total += 1 + child
		case *ast.InlineFragment:
			total += w.cost(s.SelectionSet, d)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total += w.cost(s.Definition.SelectionSet, d)
			}
		}
	}
	return total
}

// pageSize is how many items a connection field asks for.
func (w *walker) pageSize(f *ast.Field) int {
	args := f.ArgumentMap(w.vars)
	for _, name := range []string{"first", "last"} {
		switch v := args[name].(type) {
		case int64:
			return max(int(v), 1)
		case int:
			return max(v, 1)
		}
	}
	return pg.DefaultPageSize
}
