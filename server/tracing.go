package server

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// operationTracer gives each GraphQL operation a span, a child of its
// request's: the operation's type, name and cost, and the codes of its
// errors. Its statements and loader batches are its children. It is the
// outermost operation interceptor, so an operation admission refuses (rate
// limited, busy) has its span too.
type operationTracer struct{ tracer trace.Tracer }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = operationTracer{}

func (operationTracer) ExtensionName() string                   { return "OperationTracer" }
func (operationTracer) Validate(graphql.ExecutableSchema) error { return nil }

// Span attributes of an operation, after OpenTelemetry's GraphQL
// conventions where they have one.
const (
	attrOperationType = attribute.Key("graphql.operation.type")
	attrOperationName = attribute.Key("graphql.operation.name")
	attrCost          = attribute.Key("partnergraph.operation.cost")
	attrErrorCodes    = attribute.Key("partnergraph.error.codes")
)

func (t operationTracer) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	opType, name := "", oc.OperationName
	if oc.Operation != nil {
		opType = string(oc.Operation.Operation)
		if name == "" {
			name = oc.Operation.Name
		}
	}
	// The name is the client's: keep a span's name and attribute short.
	if len(name) > 128 {
		name = name[:128]
	}
	attrs := []attribute.KeyValue{attrOperationType.String(opType)}
	if name != "" {
		attrs = append(attrs, attrOperationName.String(name))
	}
	if cost, ok := Cost(ctx); ok {
		attrs = append(attrs, attrCost.Int(cost))
	}
	spanName := opType
	if name != "" {
		spanName += " " + name
	}
	ctx, span := t.tracer.Start(ctx, spanName, trace.WithAttributes(attrs...))
	h := next(ctx)
	stream := oc.Operation != nil && oc.Operation.Operation == ast.Subscription
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if stream && resp != nil {
			// A subscription's span lasts as long as it does; each event
			// it sends is an event of the span.
			span.AddEvent("event", trace.WithAttributes(attrErrorCodes.StringSlice(errorCodes(resp))))
			return resp
		}
		once.Do(func() {
			if errs := errorCodes(resp); len(errs) > 0 {
				span.SetAttributes(attrErrorCodes.StringSlice(errs))
				span.SetStatus(codes.Error, errs[0])
			}
			span.End()
		})
		return resp
	}
}

// errorCodes are the extensions.code of resp's errors, in order.
func errorCodes(resp *graphql.Response) []string {
	if resp == nil {
		return nil
	}
	var out []string
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		out = append(out, code)
	}
	return out
}
