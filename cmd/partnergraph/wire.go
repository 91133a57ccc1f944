package main

import (
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/trace"

	"partnergraph/auth"
	"partnergraph/compiled"
	"partnergraph/feed"
	"partnergraph/loaders"
	"partnergraph/metrics"
	"partnergraph/ratelimit"
	"partnergraph/resolvers"
	"partnergraph/server"
	"partnergraph/store"
	"partnergraph/tracing"
	"partnergraph/webhook"
)

// gatewayOptions configure the gateway's server and webhooks (serve's flags).
type gatewayOptions struct {
	limits                   server.Limits
	introspection, allowList bool
	compiledReads            bool
	allowPrivateWebhooks     bool
	maxBody, maxBatch        int
	inFlight, inFlightCost   int
	subscriptionsPerKey      int
	rate, burst              int
	timeout, webhookTimeout  time.Duration
	retries                  []time.Duration
	// corsList is --cors-allowed-origins as given; parseServe reads it
	// into corsOrigins.
	corsList    string
	corsOrigins []string
	// tracing, when set, traces requests, statements, loader batches and
	// webhook deliveries.
	tracing trace.TracerProvider
}

// gatewayFlags adds the flags of gatewayOptions.
func (f flags) gatewayFlags(g *gatewayOptions) {
	d := server.DefaultLimits
	f.boolVar(&g.introspection, "introspection", "PARTNERGRAPH_INTROSPECTION", true, "allow schema introspection")
	f.intVar(&g.limits.MaxDepth, "max-depth", "PARTNERGRAPH_MAX_DEPTH", d.MaxDepth, "deepest field nesting a query may have")
	f.intVar(&g.limits.MaxCost, "max-cost", "PARTNERGRAPH_MAX_COST", d.MaxCost, "highest cost a query may have (connections multiply by first/last)")
	f.intVar(&g.limits.MaxFields, "max-fields", "PARTNERGRAPH_MAX_FIELDS", d.MaxFields, "most fields (aliases and meta fields included) a document may select once its fragments are expanded")
	f.intVar(&g.limits.MaxTokens, "max-tokens", "PARTNERGRAPH_MAX_TOKENS", d.MaxTokens, "most tokens (names, values, punctuation) a document may have")
	f.intVar(&g.maxBatch, "max-batch", "PARTNERGRAPH_MAX_BATCH", 10, "most operations one batched request (a JSON array) may hold")
	f.intVar(&g.rate, "rate-limit", "PARTNERGRAPH_RATE_LIMIT", 50000, "query cost points each API key regains per second; 0 turns rate limiting off")
	f.intVar(&g.burst, "rate-limit-burst", "PARTNERGRAPH_RATE_LIMIT_BURST", 250000, "most cost points an API key can hold (at least --max-cost)")
	f.boolVar(&g.allowList, "allow-list", "PARTNERGRAPH_ALLOW_LIST", false, "run only operations registered with 'partnergraph operations add'")
	f.intVar(&g.inFlight, "max-in-flight", "PARTNERGRAPH_MAX_IN_FLIGHT", 0, "GraphQL operations executing at once; others wait (0: 4 per CPU)")
	f.intVar(&g.inFlightCost, "max-in-flight-cost", "PARTNERGRAPH_MAX_IN_FLIGHT_COST", 0, "summed cost of the operations executing at once; others wait (0: --max-cost per CPU)")
	f.intVar(&g.subscriptionsPerKey, "max-subscriptions-per-key", "PARTNERGRAPH_MAX_SUBSCRIPTIONS_PER_KEY", 100, "subscriptions one API key may hold open at once in this process")
	f.intVar(&g.maxBody, "max-body-bytes", "PARTNERGRAPH_MAX_BODY_BYTES", 1<<20, "largest request body")
	f.durationVar(&g.timeout, "request-timeout", "PARTNERGRAPH_REQUEST_TIMEOUT", 30*time.Second, "longest a request may run")
	f.boolVar(&g.compiledReads, "compiled-reads", "PARTNERGRAPH_COMPILED_READS", true, "answer queries through the compiled path of reads where it has a plan (off: gqlgen's executor answers everything)")
	f.boolVar(&g.allowPrivateWebhooks, "allow-private-webhooks", "PARTNERGRAPH_ALLOW_PRIVATE_WEBHOOKS", false, "let webhook endpoints be on loopback and private addresses")
	f.durationVar(&g.webhookTimeout, "webhook-timeout", "PARTNERGRAPH_WEBHOOK_TIMEOUT", 10*time.Second, "longest a webhook receiver may take to answer")
	f.stringVar(&g.corsList, "cors-allowed-origins", "PARTNERGRAPH_CORS_ALLOWED_ORIGINS", "", "comma-separated origins (https://app.example.com) whose pages may call the API from a browser")
}

// gateway is partnergraph assembled over one database: the store serves
// the resolvers, the authenticator and the registered operations; the feed
// and the webhook dispatcher are woken by its commits (and by other
// processes' through LISTEN/NOTIFY); the server is handed all of it.
type gateway struct {
	db         *store.DB
	logger     *slog.Logger
	server     *server.Server
	dispatcher *webhook.Dispatcher
	feed       *feed.Broker
}

func newGateway(db *store.DB, logger *slog.Logger, o gatewayOptions) *gateway {
	m := metrics.New(db.Statements)
	broker := &feed.Broker{DB: db}
	guard := webhook.Guard{AllowPrivate: o.allowPrivateWebhooks}
	limiter := &ratelimit.Limiter{Capacity: float64(o.burst), Rate: float64(o.rate), Store: &ratelimit.Memory{}}
	if db.Dialect() == "postgres" {
		// Processes sharing the database share each key's bucket.
		limiter.Store = ratelimit.StoreFunc(db.TakeTokens)
	}
	g := &gateway{db: db, logger: logger, feed: broker}
	extensions := []graphql.HandlerExtension{loaders.Extension{DB: db, Observe: tracing.LoaderBatches(o.tracing, m.LoaderBatch)}, operationLog{logger}}
	if o.compiledReads {
		// Root fields of queries it has a plan for are answered by the
		// compiled path; the rest by gqlgen's executor.
		extensions = append(extensions, compiled.New(1000, m.CompiledRead))
	}
	g.server = server.New(server.Config{
		Schema:        resolvers.NewSchema(&resolvers.Resolver{DB: db, Logger: logger, Guard: guard, Feed: broker}),
		Authenticator: auth.Authenticator{Directory: db},
		Operations:    db, Ready: db.Ping, Streams: broker, Metrics: m, Idempotency: db,
		Extensions: extensions,
		Logger:     logger, Limits: o.limits, Introspection: o.introspection, AllowList: o.allowList,
		MaxBodyBytes: int64(o.maxBody), RequestTimeout: o.timeout, MaxBatch: o.maxBatch, RateLimit: limiter,
		MaxInFlight: o.inFlight, MaxInFlightCost: o.inFlightCost, MaxSubscriptionsPerKey: o.subscriptionsPerKey,
		CORSAllowedOrigins: o.corsOrigins, TracerProvider: o.tracing,
	})
	g.dispatcher = &webhook.Dispatcher{DB: db, Logger: logger, Guard: guard,
		Schedule: o.retries, Timeout: o.webhookTimeout, OnAttempt: m.WebhookAttempt, TracerProvider: o.tracing}
	db.OnEvents(func([]int64) { g.wake() })
	return g
}

// wake tells the subscriptions and the dispatcher that events committed.
func (g *gateway) wake() {
	g.feed.Wake()
	g.dispatcher.Wake()
}
