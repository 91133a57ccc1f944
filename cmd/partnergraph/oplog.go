package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"partnergraph/server"
	"partnergraph/store"
)

// operationLog writes, at debug level, one line per GraphQL response: the
// operation's name and type, its cost, the SQL statements it sent and how
// long it took. At other levels it costs one check per response.
type operationLog struct {
	logger *slog.Logger
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = operationLog{}

func (operationLog) ExtensionName() string                   { return "OperationLog" }
func (operationLog) Validate(graphql.ExecutableSchema) error { return nil }

func (l operationLog) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !l.logger.Enabled(ctx, slog.LevelDebug) || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	start := time.Now()
	ctx, statements := store.CountStatements(ctx)
	resp := next(ctx)
	oc := graphql.GetOperationContext(ctx)
	attrs := []slog.Attr{slog.String("operation", oc.OperationName)}
	if op := oc.Operation; op != nil {
		attrs = append(attrs, slog.String("type", string(op.Operation)))
		if oc.OperationName == "" && op.Name != "" {
			attrs[0] = slog.String("operation", op.Name)
		}
	}
	if cost, ok := server.Cost(ctx); ok {
		attrs = append(attrs, slog.Int("cost", cost))
	}
	errs := 0
	if resp != nil {
		errs = len(resp.Errors)
	}
	attrs = append(attrs, slog.Int64("statements", statements()), slog.Duration("duration", time.Since(start)), slog.Int("errors", errs))
	l.logger.LogAttrs(ctx, slog.LevelDebug, "operation", attrs...)
	return resp
}
