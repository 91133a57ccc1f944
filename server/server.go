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
	"strings"
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
	"partnergraph/feed"
	"partnergraph/graph"
	"partnergraph/loaders"
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
	s := &Server{cfg: cfg, auth: auth.Authenticator{DB: cfg.DB}, Metrics: newMetrics(cfg.DB), Feed: &feed.Broker{DB: cfg.DB}}
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
	e.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	e.Use(limitsExtension{s.cfg.Limits})
	e.AroundOperations(s.authenticate)
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

// graphqlHandler checks the Authorization header's form (no database work)
// and carries the credentials into the operation, where they are checked
// after the query's limits.
func (s *Server) graphqlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			s.gql.ServeHTTP(w, r)
			return
		}
		creds := auth.FromRequest(r)
		if strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			// Browsers cannot set headers on a WebSocket: its credentials
			// come in the connection_init payload (websocketInit).
			s.gql.ServeHTTP(w, r)
			return
		}
		if creds.Authorization == "" {
			writeGraphQLError(w, http.StatusUnauthorized, pg.Errorf(pg.Unauthenticated, "Authorization: Bearer <API key> is required."))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
		defer cancel()
		sw := &statusWriter{ResponseWriter: w}
		ctx = auth.WithCredentials(ctx, creds)
		ctx = withStatus(ctx, sw)
		s.gql.ServeHTTP(sw, r.WithContext(ctx))
	})
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
		if de.Code == pg.Internal {
			s.cfg.Logger.ErrorContext(ctx, "authentication failed", "error", de.Err)
		}
		setStatus(ctx, httpStatus(de.Code))
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{presentError(s.cfg.Logger)(ctx, de)}})
	}
	ctx = pg.NewContext(ctx, a)
	ctx = loaders.NewContext(ctx, loaders.New(s.cfg.DB, a))
	logAttrs(ctx, slog.String("key_prefix", a.APIKeyPrefix))
	return next(ctx)
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
		resp.Extensions["cost"] = map[string]any{"requested": cost, "limit": s.cfg.Limits.MaxCost}
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
