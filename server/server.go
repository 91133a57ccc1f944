// Package server is partnergraph's HTTP transport: the GraphQL endpoint
// (gqlgen with explicit transports, limits and error presentation), GraphiQL,
// health and metrics.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "partnergraph"
	"partnergraph/auth"
	"partnergraph/compiled"
	"partnergraph/feed"
	"partnergraph/graph"
	"partnergraph/loaders"
	"partnergraph/ratelimit"
	"partnergraph/resolvers"
	"partnergraph/rest"
	"partnergraph/store"
	"partnergraph/webhook"
)

// Config configures a Server.
type Config struct {
	DB     *store.DB
	Logger *slog.Logger
	Limits Limits
	// Introspection enables schema introspection (on by default in cmd).
	Introspection bool
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// RequestTimeout bounds one request's execution.
	RequestTimeout time.Duration
	// AllowPrivateWebhooks lets webhook endpoints be on loopback and
	// private addresses (tests, private deployments).
	AllowPrivateWebhooks bool
	// MaxBatch bounds the operations of one batched request.
	MaxBatch int
	// RateLimit meters each API key's operations by cost; nil or a zero
	// rate means unlimited.
	RateLimit *ratelimit.Limiter
	// AllowList refuses every operation sent over HTTP that an operator
	// did not register (partnergraph operations add).
	AllowList bool
	// MaxInFlight bounds the GraphQL requests executing at once; the rest
	// wait their turn (within their timeout). Executing is CPU work, so
	// more at once than cores only adds memory. 0 means 4 per CPU.
	MaxInFlight int
	// MaxInFlightCost bounds the summed cost of the operations executing
	// at once (see admission); 0 means 20,000 points per CPU. On two cores
	// that runs one dashboard of 500 partnerships (about 21,000 points) at a
	// time beside small operations: gqlgen already spreads one response's
	// fields over every core.
	MaxInFlightCost int
	// NoCompiledReads turns the compiled path of reads off: gqlgen's
	// executor then answers every field (--compiled-reads=false).
	NoCompiledReads bool
}

// Server serves partnergraph over HTTP.
type Server struct {
	// Feed streams committed events to subscriptions; wake it when other
	// processes commit (store.DB.Listen).
	Feed    *feed.Broker
	cfg     Config
	gql     *handler.Server
	exec    *executor.Executor
	auth    auth.Authenticator
	Metrics *Metrics
	// closing ends when Shutdown starts, closing every stream.
	closing  context.Context
	shutdown context.CancelFunc
	// slots holds a token per executing request (Config.MaxInFlight).
	slots     chan struct{}
	admission *admission
	compiled  *compiled.Reads
}

// New builds a server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.MaxBatch == 0 {
		cfg.MaxBatch = 10
	}
	if cfg.MaxInFlight == 0 {
		cfg.MaxInFlight = 4 * runtime.GOMAXPROCS(0)
	}
	if cfg.MaxInFlightCost == 0 {
		cfg.MaxInFlightCost = 20_000 * runtime.GOMAXPROCS(0)
	}
	s := &Server{cfg: cfg, auth: auth.Authenticator{DB: cfg.DB}, Metrics: newMetrics(cfg.DB), Feed: &feed.Broker{DB: cfg.DB}}
	s.closing, s.shutdown = context.WithCancel(context.Background())
	s.slots = make(chan struct{}, cfg.MaxInFlight)
	s.admission = newAdmission(int64(cfg.MaxInFlightCost))
	s.compiled = compiled.New(1000, s.Metrics.CompiledRead)
	cfg.DB.OnEvents(func([]int64) { s.Feed.Wake() })
	s.Metrics.subscriptions(s.Feed.Count)
	schema := graph.NewExecutableSchema(resolvers.Config(&resolvers.Resolver{DB: cfg.DB, Logger: cfg.Logger,
		Guard: webhook.Guard{AllowPrivate: cfg.AllowPrivateWebhooks}, Feed: s.Feed}))

	gql := handler.New(schema)
	gql.AddTransport(transport.Options{})
	// SSE before POST: POST would otherwise take text/event-stream requests.
	gql.AddTransport(transport.SSE{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		InitFunc:              s.websocketInit,
	})
	s.configure(gql)
	if cfg.AllowList {
		// After the persisted query extension: a hash is resolved into its
		// document before the document is checked.
		gql.Use(&allowList{db: cfg.DB, ttl: 30 * time.Second})
	}
	s.gql = gql
	// The REST shim runs operations in-process through an executor set up
	// exactly like the HTTP handler: same limits, auth, errors and metrics.
	s.exec = executor.New(schema)
	s.configure(s.exec)
	return s
}

// configurable is what handler.Server and executor.Executor share.
type configurable interface {
	Use(graphql.HandlerExtension)
	AroundOperations(graphql.OperationMiddleware)
	AroundFields(graphql.FieldMiddleware)
	AroundResponses(graphql.ResponseMiddleware)
	SetErrorPresenter(graphql.ErrorPresenterFunc)
	SetRecoverFunc(graphql.RecoverFunc)
	SetQueryCache(graphql.Cache[*ast.QueryDocument])
}

func (s *Server) configure(e configurable) {
	e.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	e.SetErrorPresenter(presentError(s.cfg.Logger))
	e.SetRecoverFunc(recoverPanic(s.cfg.Logger))
	if s.cfg.Introspection {
		e.Use(extension.Introspection{})
	}
	e.Use(extension.AutomaticPersistedQuery{Cache: newOperationCache(s.cfg.DB)})
	e.Use(limitsExtension{s.cfg.Limits})
	if !s.cfg.NoCompiledReads {
		// Root fields of queries it has a plan for are answered by the
		// compiled path; the rest by gqlgen's executor.
		e.Use(s.compiled)
	}
	e.AroundOperations(s.authenticate)
	// A mutation's change makes what the loaders hold stale.
	e.AroundFields(loaders.Refresh)
	e.AroundResponses(s.observe)
}

// Execute runs one GraphQL operation in-process, acting with the
// credentials ctx carries (auth.WithCredentials), and returns its response.
func (s *Server) Execute(ctx context.Context, query string, vars map[string]any) *graphql.Response {
	ctx = graphql.StartOperationTrace(ctx)
	params := &graphql.RawParams{Query: query, Variables: vars, ReadTime: graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}}
	oc, errs := s.exec.CreateOperationContext(ctx, params)
	if errs != nil {
		return s.exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
	}
	responses, ctx := s.exec.DispatchOperation(ctx, oc)
	return responses(ctx)
}

// Shutdown ends every subscription (each gets its complete message) and
// closes their WebSocket and event stream connections, within ctx. Call it before
// http.Server.Shutdown, which waits for ordinary requests but not streams.
func (s *Server) Shutdown(ctx context.Context) {
	s.Feed.Close()
	// Let each transport write its subscriptions' complete messages before
	// the connections close under them.
	for s.Feed.Count() > 0 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
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
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.cfg.DB.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{}))
	rest.Register(mux, s)
	ide := graphiqlHandler()
	mux.Handle("/graphiql", ide)
	mux.Handle("/graphiql/", ide)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/graphiql", http.StatusFound)
	})
	return withRequestID(s.logRequests(mux))
}

// websocketInit authenticates a WebSocket at connection_init, from its
// payload's Authorization (and organization headers); a bad key closes the
// socket with 4403, as graphql-transport-ws specifies.
func (s *Server) websocketInit(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	creds := auth.Credentials{Authorization: p.Authorization(), Requester: p.GetString(auth.RequesterHeader), Target: p.GetString(auth.TargetHeader)}
	if _, err := s.auth.Actor(ctx, creds); err != nil {
		return transport.WithWebsocketCloseCode(ctx, 4403), nil, errors.New(pg.AsError(err).Message)
	}
	return auth.WithCredentials(ctx, creds), nil, nil
}

// authenticate resolves the operation's credentials into an Actor and gives
// the operation its own loaders.
func (s *Server) authenticate(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	creds, _ := auth.CredentialsFrom(ctx)
	a, err := s.auth.Actor(ctx, creds)
	if err != nil {
		de := pg.AsError(err)
		status := httpStatus(de.Code)
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			status = http.StatusServiceUnavailable
		case de.Code == pg.Internal:
			s.cfg.Logger.ErrorContext(ctx, "authentication failed", "error", de.Err)
		}
		setStatus(ctx, status)
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{presentError(s.cfg.Logger)(ctx, de)}})
	}
	logAttrs(ctx, slog.String("key_prefix", a.APIKeyPrefix))
	if s.cfg.RateLimit.Enabled() {
		cost, _ := Cost(ctx)
		d, err := s.cfg.RateLimit.Take(ctx, "key:"+strconv.FormatInt(a.APIKeyID, 10), cost)
		if err != nil {
			s.cfg.Logger.ErrorContext(ctx, "rate limit", "error", err)
			setStatus(ctx, http.StatusInternalServerError)
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{presentError(s.cfg.Logger)(ctx, pg.InternalError(err))}})
		}
		ratelimit.Record(ctx, d)
		graphql.GetOperationContext(ctx).Stats.SetExtension("throttle", d)
		if !d.Allowed {
			setStatus(ctx, http.StatusTooManyRequests)
			e := presentError(s.cfg.Logger)(ctx, pg.Errorf(pg.RateLimited,
				"This operation costs %d points and the key has %d left; retry in %s.", cost, d.Remaining, d.RetryAfter.Round(time.Millisecond)))
			e.Extensions["retryAfter"] = d.RetryAfter.Seconds()
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{e}})
		}
	}
	ctx = pg.NewContext(ctx, a)
	ctx = loaders.NewContext(ctx, loaders.New(s.cfg.DB, a, s.Metrics.LoaderBatch))
	h, ok := s.admit(ctx, next)
	if !ok {
		setStatus(ctx, http.StatusServiceUnavailable)
		setRetryAfter(ctx)
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{presentError(s.cfg.Logger)(ctx, errBusy)}})
	}
	markExecuting(ctx)
	return h
}

// observe records each response's latency and errors, and reports the
// operation's cost in extensions.cost.
func (s *Server) observe(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	opType, opName := "unknown", ""
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		opName = oc.OperationName
		if oc.Operation != nil {
			opType = string(oc.Operation.Operation)
			if opName == "" {
				opName = oc.Operation.Name
			}
		}
	}
	logAttrs(ctx, slog.String("operation", opName))
	s.Metrics.requests.WithLabelValues(opType, operationLabel(opName)).Observe(time.Since(start).Seconds())
	for _, e := range resp.Errors {
		code, _ := e.Extensions["code"].(string)
		s.Metrics.errors.WithLabelValues(code).Inc()
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

// httpStatus is the HTTP status of a request refused before execution.
func httpStatus(c pg.Code) int {
	switch c {
	case pg.Unauthenticated:
		return http.StatusUnauthorized
	case pg.Forbidden:
		return http.StatusForbidden
	case pg.BadUserInput:
		return http.StatusBadRequest
	case pg.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

func writeGraphQLError(w http.ResponseWriter, status int, err *pg.Error) {
	writeJSON(w, status, map[string]any{"errors": []any{map[string]any{
		"message": err.Message, "extensions": map[string]any{"code": err.Code},
	}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
