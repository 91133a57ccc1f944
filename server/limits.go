package server

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "partnergraph"
)

// Limits bounds the work one operation may ask for. MaxTokens, MaxDepth
// and MaxFields are checked on the document before it is validated
// (documentLimits); MaxCost after validation, with the variables, before
// any resolver (so before any SQL) runs.
type Limits struct {
	// MaxTokens is the most lexical tokens (names, values, punctuation) a
	// document may have; parsing stops there.
	MaxTokens int
	// MaxDepth is the deepest nesting of fields; introspection is not counted.
	MaxDepth int
	// MaxCost is the most an operation may cost (see coster): each field
	// costs 1, and a connection's selection costs as many times as the
	// items it asks for.
	MaxCost int
	// MaxFields is the most field selections (aliases and meta fields
	// included) a document may make, after fragments are expanded.
	MaxFields int
}

// DefaultLimits fit the largest screens frontends build, with room to spare.
// GraphiQL's introspection query costs about 9,300 on this schema.
var DefaultLimits = Limits{MaxTokens: 15000, MaxDepth: 12, MaxCost: 50000, MaxFields: 1000}

// withDefaults gives each limit l leaves at zero its default.
func (l Limits) withDefaults() Limits {
	for _, f := range []struct {
		v *int
		d int
	}{
		{&l.MaxTokens, DefaultLimits.MaxTokens}, {&l.MaxDepth, DefaultLimits.MaxDepth},
		{&l.MaxCost, DefaultLimits.MaxCost}, {&l.MaxFields, DefaultLimits.MaxFields},
	} {
		if *f.v == 0 {
			*f.v = f.d
		}
	}
	return l
}

// limitsExtension costs each validated operation and refuses it over
// MaxCost.
type limitsExtension struct {
	Limits
	schema *ast.Schema
}

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

func (l limitsExtension) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if ctx.Err() != nil {
		return timeoutError()
	}
	if oc.Operation == nil {
		return nil
	}
	cost := newCoster(l.schema, oc.Variables, l.MaxCost).set(oc.Operation.SelectionSet)
	oc.Stats.SetExtension("cost", cost)
	if cost > l.MaxCost {
		return limitError(fmt.Sprintf("The query costs %s; the limit is %d. Ask for fewer items with first or last, or nest lists in themselves less deeply.", count(cost), l.MaxCost))
	}
	return nil
}

func limitError(message string) *gqlerror.Error {
	err := gqlerror.Errorf("%s", message)
	err.Extensions = map[string]any{"code": string(pg.BadUserInput), "reason": "QUERY_LIMIT_EXCEEDED"}
	return err
}

// timeoutError refuses an operation whose request ran out of time before
// it could run.
func timeoutError() *gqlerror.Error {
	return gqlerror.WrapPath(nil, errTimeout)
}
