// Package tracing sets partnergraph's OpenTelemetry tracing up from the
// standard OTEL_* environment variables, and makes the spans of the hooks
// that packages without OpenTelemetry of their own call (loader batches).
//
// Tracing is on when OTEL_TRACES_EXPORTER is "otlp", or when it is unset
// and OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
// is; OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none turn it off.
// Spans go over OTLP, http/protobuf by default or gRPC when
// OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL says so, to the endpoint, with the
// headers, timeout, compression and certificates those variables name (the
// exporters read them). OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
// describe the process, OTEL_TRACES_SAMPLER(_ARG) samples (by default every
// trace a caller did not mark unsampled), and OTEL_BSP_* batch the export.
package tracing

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Tracing is the process's tracer provider, or nothing when tracing is off.
type Tracing struct {
	provider *sdktrace.TracerProvider
}

// FromEnv sets tracing up as the OTEL_* variables of the process's
// environment say (see the package documentation), for a process of
// partnergraph at version. An exporter it cannot make (an unknown exporter
// or protocol, a malformed endpoint) is an error naming the variable.
func FromEnv(ctx context.Context, version string) (*Tracing, error) {
	on, err := enabled(os.Getenv)
	if err != nil || !on {
		return &Tracing{}, err
	}
	exporter, err := newExporter(ctx, os.Getenv)
	if err != nil {
		return nil, err
	}
	// Later sources win: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES
	// over the defaults.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName("partnergraph"), semconv.ServiceVersion(version)),
		resource.WithFromEnv(),
	)
	if err != nil {
		return nil, fmt.Errorf("OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	return &Tracing{provider: sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))}, nil
}

// enabled reads whether the environment asks for traces.
func enabled(getenv func(string) string) (bool, error) {
	if disabled, _ := strconv.ParseBool(getenv("OTEL_SDK_DISABLED")); disabled {
		return false, nil
	}
	switch exporter := strings.TrimSpace(getenv("OTEL_TRACES_EXPORTER")); exporter {
	case "none":
		return false, nil
	case "otlp":
		return true, nil
	case "":
		return getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "", nil
	default:
		return false, fmt.Errorf("OTEL_TRACES_EXPORTER=%s: partnergraph exports traces over OTLP only (otlp or none)", exporter)
	}
}

// newExporter makes the OTLP exporter of the protocol the environment names.
func newExporter(ctx context.Context, getenv func(string) string) (sdktrace.SpanExporter, error) {
	name, protocol := "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if protocol == "" {
		name, protocol = "OTEL_EXPORTER_OTLP_PROTOCOL", getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	var (
		exp sdktrace.SpanExporter
		err error
	)
	switch protocol {
	case "", "http/protobuf":
		exp, err = otlptracehttp.New(ctx)
	case "grpc":
		exp, err = otlptracegrpc.New(ctx)
	default:
		return nil, fmt.Errorf("%s=%s: partnergraph exports over http/protobuf or grpc", name, protocol)
	}
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	return exp, nil
}

// Provider returns the tracer provider, or nil when tracing is off: hand
// it to what traces (server, store, webhook dispatcher), which make no spans
// at all without one.
func (t *Tracing) Provider() trace.TracerProvider {
	if t == nil || t.provider == nil {
		return nil
	}
	return t.provider
}

// Shutdown exports the spans not yet sent and stops, within ctx.
func (t *Tracing) Shutdown(ctx context.Context) error {
	if t == nil || t.provider == nil {
		return nil
	}
	if err := t.provider.Shutdown(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("tracing shutdown: %w", err)
	}
	return nil
}

// LoaderBatches returns the observer of loader batches (loaders.Observer):
// count, if not nil, is told each batch's edge and keys (metrics); with tp,
// each batch is a span whose statement is its child.
func LoaderBatches(tp trace.TracerProvider, count func(edge string, keys int)) func(ctx context.Context, edge string, keys int) (context.Context, func(error)) {
	var tracer trace.Tracer
	if tp != nil {
		tracer = tp.Tracer("partnergraph/loaders")
	}
	return func(ctx context.Context, edge string, keys int) (context.Context, func(error)) {
		if count != nil {
			count(edge, keys)
		}
		if tracer == nil {
			return ctx, func(error) {}
		}
		ctx, span := tracer.Start(ctx, "load "+edge, trace.WithAttributes(
			attribute.String("partnergraph.loader.edge", edge), attribute.Int("partnergraph.loader.keys", keys)))
		return ctx, func(err error) {
			if err != nil {
				span.RecordError(err)
				span.SetStatus(codes.Error, "load failed")
			}
			span.End()
		}
	}
}
