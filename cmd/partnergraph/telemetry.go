package main

import (
	"context"
	"log/slog"
	"runtime/debug"
	"time"

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

// shutdownTracing exports the spans still buffered, giving up after a few
// seconds so an unreachable collector cannot hold the process's exit.
func shutdownTracing(tr *tracing.Tracing, logger *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tr.Shutdown(ctx); err != nil {
		logger.Warn("traces not exported", "error", err)
	}
}
