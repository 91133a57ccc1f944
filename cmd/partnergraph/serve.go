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
	"partnergraph/ratelimit"
	"partnergraph/server"
	"partnergraph/store"
	"partnergraph/webhook"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("serve", stderr)
	dsn, secret := f.database()
	addr := f.string("addr", "PARTNERGRAPH_ADDR", "127.0.0.1:8080", "address to listen on")
	withDemo := f.bool("demo", "PARTNERGRAPH_DEMO", false, "load demo data into an empty database and print an API key")
	introspection := f.bool("introspection", "PARTNERGRAPH_INTROSPECTION", true, "allow schema introspection")
	maxDepth := f.int("max-depth", "PARTNERGRAPH_MAX_DEPTH", server.DefaultLimits.MaxDepth, "deepest field nesting a query may have")
	maxCost := f.int("max-cost", "PARTNERGRAPH_MAX_COST", server.DefaultLimits.MaxCost, "highest cost a query may have (connections multiply by first/last)")
	maxFields := f.int("max-fields", "PARTNERGRAPH_MAX_FIELDS", server.DefaultLimits.MaxFields, "most fields (aliases included) a query may select")
	maxBatch := f.int("max-batch", "PARTNERGRAPH_MAX_BATCH", 10, "most operations one batched request (a JSON array) may hold")
	rate := f.int("rate-limit", "PARTNERGRAPH_RATE_LIMIT", 50000, "query cost points each API key regains per second; 0 turns rate limiting off")
	burst := f.int("rate-limit-burst", "PARTNERGRAPH_RATE_LIMIT_BURST", 250000, "most cost points an API key can hold (at least --max-cost)")
	allowList := f.bool("allow-list", "PARTNERGRAPH_ALLOW_LIST", false, "run only operations registered with 'partnergraph operations add'")
	inFlight := f.int("max-in-flight", "PARTNERGRAPH_MAX_IN_FLIGHT", 0, "GraphQL requests executing at once; others wait (0: 4 per CPU)")
	inFlightCost := f.int("max-in-flight-cost", "PARTNERGRAPH_MAX_IN_FLIGHT_COST", 0, "summed cost of the operations executing at once; others wait (0: 20000 per CPU)")
	maxBody := f.int("max-body-bytes", "PARTNERGRAPH_MAX_BODY_BYTES", 1<<20, "largest request body")
	timeout := f.duration("request-timeout", "PARTNERGRAPH_REQUEST_TIMEOUT", 30*time.Second, "longest a request may run")
	shutdown := f.duration("shutdown-timeout", "PARTNERGRAPH_SHUTDOWN_TIMEOUT", 20*time.Second, "how long to let in-flight requests finish on SIGTERM")
	compiledReads := f.bool("compiled-reads", "PARTNERGRAPH_COMPILED_READS", true, "answer queries through the compiled path of reads where it has a plan (off: gqlgen's executor answers everything)")
	logLevel := f.string("log-level", "PARTNERGRAPH_LOG_LEVEL", "info", "debug, info, warn or error")
	allowPrivate := f.bool("allow-private-webhooks", "PARTNERGRAPH_ALLOW_PRIVATE_WEBHOOKS", false, "let webhook endpoints be on loopback and private addresses")
	schedule := f.string("webhook-retry-schedule", "PARTNERGRAPH_WEBHOOK_RETRY_SCHEDULE", "5s,5m,30m,2h,5h,10h", "waits before each webhook retry, comma-separated")
	hookTimeout := f.duration("webhook-timeout", "PARTNERGRAPH_WEBHOOK_TIMEOUT", 10*time.Second, "longest a webhook receiver may take to answer")
	if err := f.Parse(args); err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	key, err := decodeKey(*secret)
	if err != nil {
		return err
	}
	retries, err := parseSchedule(*schedule)
	if err != nil {
		return err
	}
	if *rate > 0 && *burst < *maxCost {
		return fmt.Errorf("--rate-limit-burst %d is below --max-cost %d: the costliest query allowed could never run", *burst, *maxCost)
	}
	db, err := store.Open(ctx, *dsn, store.Options{SecretKey: key})
	if err != nil {
		return err
	}
	defer db.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if *withDemo {
		res, err := demo.Load(ctx, db)
		if err != nil {
			ln.Close()
			return fmt.Errorf("load demo data: %w", err)
		}
		if res == nil {
			fmt.Fprintln(stdout, "The database already holds data; demo data was not loaded.")
		} else {
			fmt.Fprintf(stdout, "\nDemo organization %q is ready.\n\n", res.Organization.Name)
			fmt.Fprintf(stdout, "  GraphiQL:  %s/graphiql\n", base)
			fmt.Fprintf(stdout, "  API key:   %s\n\n", res.APIKey)
			fmt.Fprintf(stdout, "Paste the key into GraphiQL, or:\n  curl -H 'Authorization: Bearer %s' -H 'Content-Type: application/json' \\\n    -d '{\"query\":\"{ partners(first: 3) { nodes { companyName } } }\"}' %s/graphql\n\n", res.APIKey, base)
		}
	}

	limiter := &ratelimit.Limiter{Capacity: float64(*burst), Rate: float64(*rate), Store: &ratelimit.Memory{}}
	if db.Dialect() == "postgres" {
		// Processes sharing the database share each key's bucket.
		limiter.Store = ratelimit.StoreFunc(db.TakeTokens)
	}
	srv := server.New(server.Config{
		DB: db, Logger: logger, Introspection: *introspection,
		Limits:       server.Limits{MaxDepth: *maxDepth, MaxCost: *maxCost, MaxFields: *maxFields},
		MaxBodyBytes: int64(*maxBody), RequestTimeout: *timeout, AllowPrivateWebhooks: *allowPrivate,
		MaxBatch: *maxBatch, RateLimit: limiter, AllowList: *allowList, MaxInFlight: *inFlight, MaxInFlightCost: *inFlightCost,
		NoCompiledReads: !*compiledReads,
	})
	dispatcher := &webhook.Dispatcher{DB: db, Logger: logger, Guard: webhook.Guard{AllowPrivate: *allowPrivate},
		Schedule: retries, Timeout: *hookTimeout, OnAttempt: srv.Metrics.WebhookAttempt}
	db.OnEvents(func([]int64) { dispatcher.Wake() })
	// Commits of other processes sharing the database wake this one's
	// dispatcher and subscriptions too.
	go db.Listen(ctx, func() { dispatcher.Wake(); srv.Feed.Wake() })
	dispatchCtx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopDispatch()
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		dispatcher.Run(dispatchCtx)
	}()
	httpSrv := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	logger.Info("serving", "addr", ln.Addr().String(), "database", db.Dialect(), "graphiql", base+"/graphiql")
	errc := make(chan error, 1)
	go func() { errc <- httpSrv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", "deadline", shutdown.String())
	sctx, cancel := context.WithTimeout(context.Background(), *shutdown)
	defer cancel()
	// Streams first: http.Server.Shutdown waits for requests in flight
	// but neither ends WebSockets nor event streams.
	srv.Shutdown(sctx)
	err = httpSrv.Shutdown(sctx)
	// The dispatcher finishes the attempts it started; the rest stay
	// pending in the database for the next start.
	stopDispatch()
	select {
	case <-dispatched:
	case <-sctx.Done():
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Info("stopped")
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
