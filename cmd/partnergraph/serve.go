package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"partnergraph/demo"
	"partnergraph/server"
	"partnergraph/store"
)

// serveOptions are serve's flags, read.
type serveOptions struct {
	dsn, secret, addr, logLevel, schedule string
	demo, allowPrivateWebhooks            bool
	shutdown                              time.Duration
	gateway                               gatewayOptions
}

func parseServe(args []string, stderr io.Writer) (*serveOptions, error) {
	f := newFlags("serve", stderr)
	o := &serveOptions{}
	g := &o.gateway
	dsn, secret := f.database()
	addr := f.string("addr", "PARTNERGRAPH_ADDR", "127.0.0.1:8080", "address to listen on")
	withDemo := f.bool("demo", "PARTNERGRAPH_DEMO", false, "load demo data into an empty database and print an API key")
	f.gatewayFlags(g)
	shutdown := f.duration("shutdown-timeout", "PARTNERGRAPH_SHUTDOWN_TIMEOUT", 20*time.Second, "how long to let in-flight requests finish on SIGTERM")
	logLevel := f.string("log-level", "PARTNERGRAPH_LOG_LEVEL", "info", "debug, info, warn or error")
	schedule := f.string("webhook-retry-schedule", "PARTNERGRAPH_WEBHOOK_RETRY_SCHEDULE", "5s,5m,30m,2h,5h,10h", "waits before each webhook retry, comma-separated")
	if err := f.Parse(args); err != nil {
		return nil, err
	}
	o.dsn, o.secret, o.addr, o.demo, o.shutdown, o.logLevel = *dsn, *secret, *addr, *withDemo, *shutdown, *logLevel
	var err error
	if g.retries, err = parseSchedule(*schedule); err != nil {
		return nil, err
	}
	if g.corsOrigins, err = server.ParseOrigins(g.corsList); err != nil {
		return nil, fmt.Errorf("--cors-allowed-origins: %w", err)
	}
	if g.rate > 0 && g.burst < g.limits.MaxCost {
		return nil, fmt.Errorf("--rate-limit-burst %d is below --max-cost %d: the costliest query allowed could never run", g.burst, g.limits.MaxCost)
	}
	return o, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := newLogger(stderr, level)
	key, err := decodeKey(o.secret)
	if err != nil {
		return err
	}
	tr, err := startTracing(ctx, logger)
	if err != nil {
		return err
	}
	defer shutdownTracing(tr, logger)
	o.gateway.tracing = tr.Provider()
	db, err := store.Open(ctx, o.dsn, store.Options{SecretKey: key, TracerProvider: tr.Provider()})
	if err != nil {
		return err
	}
	defer db.Close()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	if o.demo {
		if err := loadDemo(ctx, db, "http://"+ln.Addr().String(), stdout); err != nil {
			ln.Close()
			return err
		}
	}
	gw := newGateway(db, logger, o.gateway)
	return gw.run(ctx, ln, o.shutdown)
}

// loadDemo fills an empty database with the demo organization and prints
// its key and where to use it.
func loadDemo(ctx context.Context, db *store.DB, base string, stdout io.Writer) error {
	res, err := demo.Load(ctx, db)
	if err != nil {
		return fmt.Errorf("load demo data: %w", err)
	}
	if res == nil {
		fmt.Fprintln(stdout, "The database already holds data; demo data was not loaded.")
		return nil
	}
	fmt.Fprintf(stdout, "\nDemo organization %q is ready.\n\n", res.Organization.Name)
	fmt.Fprintf(stdout, "  GraphiQL:  %s/graphiql\n", base)
	fmt.Fprintf(stdout, "  API key:   %s\n\n", res.APIKey)
	if res.Revoked > 0 {
		fmt.Fprintf(stdout, "The demo key printed before is revoked: use this one.\n\n")
	}
	fmt.Fprintf(stdout, "Paste the key into GraphiQL, or:\n  curl -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\\n    -d '{\"query\":\"{ partners(first: 3) { nodes { companyName } } }\"}' %s/graphql\n\n", res.APIKey, base)
	return nil
}

// run serves on ln until ctx ends, then shuts down within timeout: streams
// first (http.Server.Shutdown waits for requests in flight but neither ends
// WebSockets nor event streams), then requests, then the webhook attempts
// under way; undelivered events stay pending for the next start.
func (g *gateway) run(ctx context.Context, ln net.Listener, timeout time.Duration) error {
	go g.db.Listen(ctx, g.wake)
	dispatchCtx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDispatch()
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		g.dispatcher.Run(dispatchCtx)
	}()
	// Idle keep-alive connections close after two minutes, so clients that
	// open many and leave them cannot hold file descriptors for ever.
	httpSrv := &http.Server{Handler: g.server.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	g.logger.Info("serving", "addr", ln.Addr().String(), "database", g.db.Dialect(), "graphiql", "http://"+ln.Addr().String()+"/graphiql")
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	g.logger.Info("shutting down", "deadline", timeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	g.server.Shutdown(sctx)
	err := httpSrv.Shutdown(sctx)
	stopDispatch()
	select {
	case <-dispatched:
	case <-sctx.Done():
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	g.logger.Info("stopped")
	return nil
}

// parseSchedule reads a comma-separated list of durations.
func parseSchedule(s string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d < 0 {
			return nil, fmt.Errorf("--webhook-retry-schedule: %q is not a duration", part)
		}
		out = append(out, d)
	}
	return out, nil
}
