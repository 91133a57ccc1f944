package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "partnergraph"
)

// presentError gives every error its extensions.code: domain errors their
// own code (and field), request errors BAD_USER_INPUT, anything else
// INTERNAL with its cause logged and hidden.
func presentError(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		if errors.Is(err, context.DeadlineExceeded) {
			// The request's time limit, not a fault: say so.
			ge := gqlerror.WrapPath(graphql.GetPath(ctx), err)
			ge.Message = "The request ran past the server's time limit; ask for less, or retry."
			ge.Extensions = map[string]any{"code": string(pg.Internal), "reason": "TIMEOUT"}
			ge.Err = nil
			return ge
		}
		var de *pg.Error
		if errors.As(err, &de) {
			ge := gqlerror.WrapPath(graphql.GetPath(ctx), err)
			if gqlErr := new(gqlerror.Error); errors.As(err, &gqlErr) && gqlErr.Path != nil {
				ge.Path = gqlErr.Path
			}
			return domainError(ctx, logger, ge, de)
		}
		var ge *gqlerror.Error
		if errors.As(err, &ge) {
			// Input coercion and validation errors: the client sent
			// something the schema does not accept.
			out := *ge
			if out.Path == nil {
				out.Path = graphql.GetPath(ctx)
			}
			if msg, ok := noSuchOperation(ctx, ge); ok {
				out.Message = msg
			}
			if explained := explainVariables(ctx, ge); explained != nil {
				return explained
			}
			if out.Extensions == nil || out.Extensions["code"] == nil || strings.HasPrefix(fmt.Sprint(out.Extensions["code"]), "GRAPHQL_") {
				ext := map[string]any{"code": string(pg.BadUserInput)}
				if reason, ok := out.Extensions["code"]; ok {
					ext["reason"] = reason
				}
				if f := inputField(out.Path); f != "" {
					ext["field"] = f
				}
				for k, v := range out.Extensions {
					if _, set := ext[k]; !set && k != "code" {
						ext[k] = v
					}
				}
				out.Extensions = ext
			}
			if out.Err != nil {
				var inner *pg.Error
				if errors.As(out.Err, &inner) {
					return domainError(ctx, logger, &out, inner)
				}
			}
			return &out
		}
		return domainError(ctx, logger, gqlerror.WrapPath(graphql.GetPath(ctx), err), pg.InternalError(err))
	}
}

// noSuchOperation words gqlgen's "operation X not found" (which reads
// "operation  not found" when no name was sent) as graphql-js does, by what
// the request lacks: a document with several operations and no
// operationName, one with none, or an operationName it does not define.
func noSuchOperation(ctx context.Context, ge *gqlerror.Error) (string, bool) {
	if !graphql.HasOperationContext(ctx) {
		return "", false
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Doc == nil || oc.Operation != nil || ge.Message != fmt.Sprintf("operation %s not found", oc.OperationName) {
		return "", false
	}
	switch {
	case oc.OperationName != "":
		return fmt.Sprintf("Unknown operation named %q.", oc.OperationName), true
	case len(oc.Doc.Operations) == 0:
		return "Must provide an operation.", true
	}
	return "Must provide operation name if query contains multiple operations.", true
}

func domainError(ctx context.Context, logger *slog.Logger, ge *gqlerror.Error, de *pg.Error) *gqlerror.Error {
	ge.Message = de.Message
	ge.Extensions = map[string]any{"code": string(de.Code)}
	if de.Field != "" {
		ge.Extensions["field"] = de.Field
	}
	if len(de.Fields) > 0 {
		// An input's validation: every bad field, the first of which is
		// extensions.field.
		ge.Extensions["fields"] = de.Fields
	}
	if de.Code == pg.Internal {
		logger.ErrorContext(ctx, "internal error", "error", de.Err, "path", ge.Path.String())
	}
	ge.Err = nil
	ge.Rule = ""
	return ge
}

// inputField names the input at fault relative to the argument list, as
// domain errors do: ["createPartner","input","email"] is "email",
// ["partners","first"] is "first" and the variable path ["variable","n"] is "n".
func inputField(p ast.Path) string {
	var parts []string
	for _, el := range p {
		parts = append(parts, strings.Trim(fmt.Sprint(el), "[]"))
	}
	for i, part := range parts {
		if part == "input" {
			return strings.Join(parts[i+1:], ".")
		}
	}
	if len(parts) > 1 {
		parts = parts[1:]
	}
	return strings.Join(parts, ".")
}

// recoverPanic turns a resolver panic into an INTERNAL error with the
// stack in the log, never in the response.
func recoverPanic(logger *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return pg.InternalError(fmt.Errorf("panic: %v", v))
	}
}
