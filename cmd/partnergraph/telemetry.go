package main

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"

	"go.opentelemetry.io/otel"

	"partnergraph/tracing"
)

// serviceVersion is the module version the binary was built from, the
// traces' service.version (the full story is --version's).
func serviceVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// startTracing sets tracing up from the OTEL_* variables. The SDK reports
// its own failures (an unreachable collector) through OpenTelemetry's one
// process-wide error handler: it goes to the log, as JSON like every line.
func startTracing(ctx context.Context, logger *slog.Logger) (*tracing.Tracing, error) {
	tr, err := tracing.FromEnv(ctx, serviceVersion())
	if err != nil {
		return nil, err
	}
	if tr.Provider() != nil {
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
			logger.Warn("tracing", "error", err)
		}))
	}
	return tr, nil
}

// shutdownTracing exports the spans still buffered, giving up after a few
// seconds so an unreachable collector cannot hold the process's exit.
func shutdownTracing(tr *tracing.Tracing, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		logger.Warn("traces not exported", "error", err)
	}
}
