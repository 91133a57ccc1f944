// Package server is partnergraph's HTTP transport. It is handed what it
// serves — the executable schema, an authenticator, the registered
// operations, the open subscriptions, metrics — and serves it: GraphQL over
// HTTP, server-sent events and WebSocket on /graphql, the REST shim's routes,
// GraphiQL, health and metrics. Every request passes one admission step
// (admission.go) before anything runs.
package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/rules"
	"go.opentelemetry.io/otel/trace"

	pg "partnergraph"
	"partnergraph/auth"
	"partnergraph/graphiql"
	"partnergraph/metrics"
	"partnergraph/ratelimit"
	"partnergraph/rest"
)

// Authenticator turns a request's credentials into the Actor it acts as
// (auth.Authenticator): UNAUTHENTICATED or FORBIDDEN when it may not.
type Authenticator interface {
	Actor(ctx context.Context, c auth.Credentials) (pg.Actor, error)
}

// Operations are the operations an operator registered (store.DB).
type Operations interface {
	// PersistedOperation returns the operation whose text has hash, or nil.
	PersistedOperation(ctx context.Context, hash string) (*pg.PersistedOperation, error)
}

// Streams are the open subscriptions (feed.Broker).
type Streams interface {
	// Close ends every subscription: each completes normally.
	Close()
	// Count is how many are open.
	Count() int
}

// tracerName names the server's spans' instrumentation scope.
const tracerName = "partnergraph/server"

// Config is what a Server serves and the limits it serves it within.
type Config struct {
	// Schema is the executable GraphQL schema (resolvers.NewSchema).
	Schema graphql.ExecutableSchema
	// Authenticator identifies every request's caller.
	Authenticator Authenticator
	// Operations are the registered persisted operations.
	Operations Operations
	// Ready reports whether the database answers, for /readyz.
	Ready func(context.Context) error
	// Streams are ended on Shutdown and counted in metrics.
	Streams Streams
	// Metrics receives request metrics and is served at /metrics.
	Metrics *metrics.Metrics
	// Idempotency remembers the answers of the REST shim's write requests
	// sent with an Idempotency-Key (store.DB).
	Idempotency rest.Idempotency
	// Extensions run around each operation once it is admitted, in order:
	// per-operation loaders, the compiled read path.
	Extensions []graphql.HandlerExtension

	Logger *slog.Logger
	Limits Limits
	// Introspection enables schema introspection (on by default in cmd).
	Introspection bool
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// RequestTimeout bounds one request, from admission to its last byte;
	// subscriptions are not bounded.
	RequestTimeout time.Duration
	// WebsocketInitTimeout is how long a WebSocket may stay open without
	// sending connection_init (then it is closed with 4408); 0 means 5s.
	WebsocketInitTimeout time.Duration
	// MaxBatch bounds the operations of one batched request.
	MaxBatch int
	// RateLimit meters each API key's operations by cost; nil or a zero
	// rate means unlimited.
	RateLimit *ratelimit.Limiter
	// AllowList refuses every operation sent over HTTP that an operator
	// did not register (partnergraph operations add).
	AllowList bool
	// MaxInFlight bounds the operations executing at once; the rest wait
	// their turn (within their timeout). Executing is CPU work, so more at
	// once than cores only adds memory. 0 means 4 per CPU.
	MaxInFlight int
	// MaxInFlightCost bounds the summed cost of the operations executing
	// at once (see admission), since a response's memory grows with its
	// cost; 0 means room for one operation of the largest cost allowed
	// (Limits.MaxCost) per CPU. On two cores that runs four dashboards of
	// 500 partnerships (about 21,000 points) at once. Sized by CPUs alone
	// (20,000 a CPU once), it ran one such dashboard at a time, and on
	// PostgreSQL, where an operation spends most of its time waiting for
	// the database, the processors sat idle: bench/run's dashboard at 32
	// connections went from 79% of the hand-written baseline's throughput
	// to 116% with the wider budget, peak memory 62 -> 89 MB.
	MaxInFlightCost int
	// MaxSubscriptionsPerKey bounds the subscriptions one API key holds open
	// at once in this process (each holds a goroutine and a buffer of
	// events); the next is RATE_LIMITED. 0 means 100.
	MaxSubscriptionsPerKey int
	// CORSAllowedOrigins are the browser origins (ParseOrigins) whose pages
	// may call /graphql and the REST routes; none by default.
	CORSAllowedOrigins []string
	// TracerProvider, when set, traces every request: its HTTP span (W3C
	// trace context taken from the request), and each GraphQL operation's.
	TracerProvider trace.TracerProvider
}

// withDefaults fills what cfg leaves unset.
func (cfg Config) withDefaults() Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.Limits = cfg.Limits.withDefaults()
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.WebsocketInitTimeout == 0 {
		cfg.WebsocketInitTimeout = 5 * time.Second
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = 10
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = 4 * runtime.GOMAXPROCS(0)
	}
	if cfg.MaxInFlightCost == 0 {
		cfg.MaxInFlightCost = cfg.Limits.MaxCost * runtime.GOMAXPROCS(0)
	}
	if cfg.MaxSubscriptionsPerKey == 0 {
		cfg.MaxSubscriptionsPerKey = 100
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New(func() int64 { return 0 })
	}
	return cfg
}

// Server serves partnergraph over HTTP.
type Server struct {
	cfg       Config
	gql       *handler.Server
	exec      *executor.Executor
	admission *admission
	cors      *cors.Cors
	// registry tells registered operations, whose names label metrics.
	registry *registry
	// closing ends when Shutdown starts, closing every stream.
	closing  context.Context
	shutdown context.CancelFunc
}

// New builds a server from cfg.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{cfg: cfg, admission: newAdmission(cfg, presentError(cfg.Logger)), cors: newCORS(cfg.CORSAllowedOrigins), registry: newRegistry(cfg.Operations)}
	s.closing, s.shutdown = context.WithCancel(context.Background())
	if cfg.Streams != nil {
		cfg.Metrics.Subscriptions(cfg.Streams.Count)
	}
	gql := handler.New(cfg.Schema)
	// GraphQL over HTTP takes every request but event streams (a POST
	// whose Accept starts with text/event-stream) and WebSocket upgrades.
	gql.AddTransport(httpTransport{maxBody: cfg.MaxBodyBytes, maxBatch: cfg.MaxBatch})
	gql.AddTransport(sseTransport{maxBody: cfg.MaxBodyBytes})
	gql.AddTransport(transport.Websocket{
		// graphqlHandler checked the handshake's origin already, against
		// the same list as every other request (originAllowed).
		Implementation:        protocolGuard{transport.CoderWebsocketImplementation{AcceptOptions: websocket.AcceptOptions{InsecureSkipVerify: true}}},
		KeepAlivePingInterval: 15 * time.Second,
		InitTimeout:           cfg.WebsocketInitTimeout,
		InitFunc:              s.websocketInit,
	})
	s.configure(gql, gql.SetValidationRulesFn, cfg.AllowList)
	s.gql = gql
	// The REST shim runs operations in-process through an executor set up
	// exactly like the HTTP handler: same limits, admission, errors and
	// metrics.
	s.exec = executor.New(cfg.Schema)
	s.configure(s.exec, s.exec.SetDefaultRulesFn, false)
	return s
}

// configurable is what handler.Server and executor.Executor share.
type configurable interface {
	Use(graphql.HandlerExtension)
	AroundResponses(graphql.ResponseMiddleware)
	SetErrorPresenter(graphql.ErrorPresenterFunc)
	SetRecoverFunc(graphql.RecoverFunc)
	SetQueryCache(graphql.Cache[*ast.QueryDocument])
	SetParserTokenLimit(int)
}

// configure sets e up; setRules is its way to set the validation rules,
// and allowList runs only registered operations (GraphQL over HTTP only:
// the REST shim's own operations are not a client's).
func (s *Server) configure(e configurable, setRules func(func() *rules.Rules), allowListed bool) {
	documents := lru.New[*ast.QueryDocument](1000)
	e.SetQueryCache(documents)
	e.SetParserTokenLimit(s.cfg.Limits.MaxTokens)
	setRules(validationRules)
	e.SetErrorPresenter(presentError(s.cfg.Logger))
	e.SetRecoverFunc(recoverPanic(s.cfg.Logger))
	if s.cfg.Introspection {
		e.Use(extension.Introspection{})
	}
	// Operation parameters are mutated in this order, before parsing: a
	// persisted query's hash becomes its document, the allow-list checks
	// that document, and the document's size is bounded.
	e.Use(newPersistedQueries(newOperationCache(s.cfg.Operations, s.registry), s.admission.lookup))
	if allowListed {
		e.Use(allowList{s.registry, s.cfg.Metrics, s.admission.lookup})
	}
	e.Use(documentLimits{Limits: s.cfg.Limits, cache: documents})
	// Operation contexts are mutated in this order, after validation:
	// inputs are coerced strictly, then the operation is costed.
	e.Use(inputCoercion{schema: s.cfg.Schema.Schema()})
	e.Use(limitsExtension{Limits: s.cfg.Limits, schema: s.cfg.Schema.Schema()})
	// Operation interceptors run in this order: the operation's span (when
	// tracing), so even a refused operation has one; then admission, so
	// nothing the extensions do runs for an operation it refuses.
	if s.cfg.TracerProvider != nil {
		e.Use(operationTracer{s.cfg.TracerProvider.Tracer(tracerName)})
	}
	e.Use(s.admission)
	for _, ext := range s.cfg.Extensions {
		e.Use(ext)
	}
	e.AroundResponses(s.observe)
}

// Execute runs one GraphQL operation in-process for a request that passed
// Admit (the REST shim's), and returns its response.
func (s *Server) Execute(ctx context.Context, query string, vars map[string]any) *graphql.Response {
	ctx = graphql.StartOperationTrace(ctx)
	params := &graphql.RawParams{Query: query, Variables: vars, ReadTime: graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}}
	oc, errs := s.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return s.exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
	}
	responses, ctx := s.exec.DispatchOperation(ctx, oc)
	if resp := responses(ctx); resp != nil {
		return resp
	}
	return &graphql.Response{Errors: gqlerror.List{presentError(s.cfg.Logger)(ctx, errTimeout)}}
}

// Shutdown ends every subscription (each gets its complete message) and
// closes their WebSocket and event stream connections, within ctx. Call it before
// http.Server.Shutdown, which waits for ordinary requests but not streams.
func (s *Server) Shutdown(ctx context.Context) {
	if s.cfg.Streams != nil {
		s.cfg.Streams.Close()
		// Let each transport write its subscriptions' complete messages
		// before the connections close under them.
		for s.cfg.Streams.Count() > 0 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
	select {
	case <-ctx.Done():
	case <-time.After(100 * time.Millisecond):
	}
	s.shutdown()
}

// Handler returns the HTTP handler of every path the server serves.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/graphql", s.graphqlHandler())
	handleGet(mux, "/healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	}))
	handleGet(mux, "/readyz", http.HandlerFunc(s.ready))
	handleGet(mux, "/metrics", promhttp.HandlerFor(s.cfg.Metrics.Registry, promhttp.HandlerOpts{}))
	rest.Register(mux, s, s.cfg.Idempotency)
	ide := graphiql.Handler("/graphiql", "/graphql")
	mux.Handle("/graphiql", ide)
	mux.Handle("/graphiql/", ide)
	handleGet(mux, "/{$}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/graphiql", http.StatusFound)
	}))
	// A preflight is answered before admission (it carries no key), and
	// every answer, refusals included, carries the origin's grant.
	return s.traceRequests(withRequestID(s.logRequests(s.cors.Handler(routed(mux)))))
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.Ready(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// graphqlHandler serves /graphql: every request is admitted first, then
// handed to gqlgen's transports (GraphQL over HTTP, server-sent events,
// WebSocket). A WebSocket is admitted at connection_init instead: browsers
// cannot set headers on one, so its credentials come in that message.
func (s *Server) graphqlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			// Which methods the path takes is no secret: no key needed.
			writeAllow(w, graphqlMethods)
			return
		}
		if isWebsocket(r) {
			if !s.originAllowed(r) {
				s.cfg.Metrics.Refused(http.StatusForbidden)
				writeRequestError(w, http.StatusForbidden, mediaJSON, pg.Errorf(pg.Forbidden, "Pages of this origin may not open WebSockets to this server."))
				return
			}
			s.gql.ServeHTTP(w, r.WithContext(s.untilShutdown(r.Context())))
			return
		}
		r, done, err := s.Admit(w, r)
		if err != nil {
			media, ok := negotiate(r.Header.Get("Accept"))
			if !ok {
				media = mediaJSON
			}
			status := err.HTTPStatus()
			if err.Code == pg.BadUserInput {
				// A malformed organization header: the request, not its
				// operation, is at fault.
				status = http.StatusBadRequest
			}
			writeRequestError(w, status, media, err)
			return
		}
		defer done()
		s.gql.ServeHTTP(w, r)
	})
}

// websocketInit admits a WebSocket at connection_init, from its payload's
// Authorization (and organization headers); a bad key closes the socket
// with 4403, as graphql-transport-ws specifies.
func (s *Server) websocketInit(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	creds := auth.Credentials{Authorization: p.Authorization(), Requester: p.GetString(auth.RequesterHeader), Target: p.GetString(auth.TargetHeader)}
	ctx, err := s.admission.authenticate(ctx, creds)
	if err != nil {
		ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, closeForbidden), "Forbidden")
		return ctx, nil, err
	}
	return ctx, nil, nil
}

// observe records each response's latency and errors, and reports the
// operation's cost in extensions.cost.
func (s *Server) observe(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	opType, opName, label := "unknown", "", metrics.AnonymousOperation
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		opName = oc.OperationName
		if oc.Operation != nil {
			opType = string(oc.Operation.Operation)
			if opName == "" {
				opName = oc.Operation.Name
			}
		}
		label = s.registry.operationLabel(oc)
	}
	logAttrs(ctx, slog.String("operation", opName))
	s.cfg.Metrics.Operation(opType, label, time.Since(start))
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		s.cfg.Metrics.Error(code)
	}
	if cost, ok := Cost(ctx); ok {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		c := map[string]any{"requested": cost, "limit": s.cfg.Limits.MaxCost}
		if d, ok := graphql.GetOperationContext(ctx).Stats.GetExtension("throttle").(ratelimit.Decision); ok {
			c["throttle"] = map[string]any{"maximumAvailable": d.Limit, "currentlyAvailable": d.Remaining, "restoreRate": d.Rate}
		}
		resp.Extensions["cost"] = c
	}
	return resp
}

// untilShutdown returns ctx, cancelled also when the server shuts down, for
// streams that would otherwise outlive it.
func (s *Server) untilShutdown(ctx context.Context) context.Context {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.closing, cancel)
	context.AfterFunc(ctx, func() { stop() })
	return ctx
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
