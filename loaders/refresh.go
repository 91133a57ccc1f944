package loaders

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// Refresh is a gqlgen field middleware (Extension installs it): once a root
// mutation field's resolver has returned, its change committed, the
// request's loaders forget what they held, so its payload and the later
// mutations of the operation read the data as it now is. Mutation fields run
// one after another, and nothing else of the operation runs meanwhile.
func Refresh(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Object == "Mutation" {
		if l := For(ctx); l != nil {
			l.Forget()
		}
	}
	return res, err
}
