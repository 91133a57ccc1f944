package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

type requestIDKey struct{}

// withRequestID gives every request an id, echoed in X-Request-Id and
// attached to its log line; a client-sent id is kept when it is sane.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 128 {
			b := make([]byte, 12)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
	})
}

// logFields collects attributes learned while serving a request (operation
// name, key prefix, the route that matched) for its one log line.
type logFields struct {
	mu    sync.Mutex
	attrs []slog.Attr
	route string
}

type logFieldsKey struct{}

func logAttrs(ctx context.Context, attrs ...slog.Attr) {
	if f, ok := ctx.Value(logFieldsKey{}).(*logFields); ok {
		f.mu.Lock()
		f.attrs = append(f.attrs, attrs...)
		f.mu.Unlock()
	}
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests writes one structured line per request, and counts it by
// route and status. It never logs headers or bodies, where keys and
// passwords travel.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		fields := &logFields{}
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), logFieldsKey{}, fields)))
		status := rec.status
		if status == 0 {
			status = http.StatusOK // what net/http sends for a handler that wrote nothing
		}
		id, _ := r.Context().Value(requestIDKey{}).(string)
		fields.mu.Lock()
		route := fields.route
		fields.mu.Unlock()
		if route == "" {
			route = unmatched
			if isPreflight(r) {
				route = preflight
			}
		}
		s.cfg.Metrics.HTTPRequest(r.Method, route, status)
		attrs := []slog.Attr{
			slog.String("request_id", id), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.String("route", route), slog.Int("status", status), slog.Duration("duration", time.Since(start)),
		}
		if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() {
			attrs = append(attrs, slog.String("trace_id", sc.TraceID().String()))
		}
		fields.mu.Lock()
		attrs = append(attrs, fields.attrs...)
		fields.mu.Unlock()
		s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// Routes of requests no pattern matched, for logs and metrics.
const (
	// preflight is a CORS preflight, answered before routing.
	preflight = "preflight"
	// unmatched is a request for a path (or method) that is not served.
	unmatched = "unmatched"
)

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// handleGet registers h for GET on pattern (and so for HEAD, which the mux
// serves as GET without a body, RFC 9110 §9.3.2), and OPTIONS, which
// answers the methods the path takes; the mux answers any other 405 with
// those in Allow.
func handleGet(mux *http.ServeMux, pattern string, h http.Handler) {
	mux.Handle("GET "+pattern, h)
	mux.Handle("OPTIONS "+pattern, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeAllow(w, "GET, HEAD, OPTIONS")
	}))
}

// writeAllow answers OPTIONS: no content, and the methods in Allow.
func writeAllow(w http.ResponseWriter, methods string) {
	w.Header().Set("Allow", methods)
	w.WriteHeader(http.StatusNoContent)
}

// routed serves mux, then records the pattern that matched the request
// (its route, such as /v1/partnerships/{id}) for the request's log line and
// metrics, and names the request's span after it: a route template, never
// the path, so their cardinality is the number of routes.
func routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mux.ServeHTTP(w, r) // sets r.Pattern
		if r.Pattern == "" {
			return
		}
		_, route, ok := strings.Cut(r.Pattern, " ")
		if !ok {
			route = r.Pattern
		}
		if f, ok := r.Context().Value(logFieldsKey{}).(*logFields); ok {
			f.mu.Lock()
			f.route = route
			f.mu.Unlock()
		}
		span := trace.SpanFromContext(r.Context())
		span.SetName(r.Method + " " + route)
		span.SetAttributes(semconv.HTTPRoute(route))
	})
}

// traceRequests gives each request a server span, continuing the trace of
// the request's W3C traceparent header when it has one.
func (s *Server) traceRequests(next http.Handler) http.Handler {
	if s.cfg.TracerProvider == nil {
		return next
	}
	return otelhttp.NewHandler(next, "partnergraph",
		otelhttp.WithTracerProvider(s.cfg.TracerProvider),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
		// Renamed after the route once it is known (routed).
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }),
	)
}
