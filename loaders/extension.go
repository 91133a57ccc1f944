package loaders

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	pg "partnergraph"
	"partnergraph/store"
)

// Extension gives every operation its own loaders, acting as the
// operation's actor: plug it into the gqlgen server after admission, which
// puts the actor on the context.
type Extension struct {
	DB *store.DB
	// Observe, if not nil, is told of every batch that queries the
	// database (metrics and spans: tracing.LoaderBatches).
	Observe Observer
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.FieldInterceptor
} = Extension{}

func (Extension) ExtensionName() string                   { return "Loaders" }
func (Extension) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation builds the operation's loaders.
func (e Extension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if a, ok := pg.ActorFrom(ctx); ok {
		ctx = NewContext(ctx, New(e.DB, a, e.Observe))
	}
	return next(ctx)
}

// InterceptField refreshes the loaders after each mutation field (Refresh).
func (Extension) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	return Refresh(ctx, next)
}
