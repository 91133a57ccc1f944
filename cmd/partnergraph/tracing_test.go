package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	common "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	"partnergraph/pgtest"
)

// collector is an OTLP/HTTP trace receiver: it keeps every span exported
// to it, as a collector would receive them.
type collector struct {
	srv     *httptest.Server
	mu      sync.Mutex
	spans   []*tracepb.Span
	service string
}

func newCollector(t *testing.T) *collector {
	c := &collector{}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req coltrace.ExportTraceServiceRequest
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/x-protobuf" || proto.Unmarshal(body, &req) != nil {
			t.Errorf("not an OTLP/HTTP export: %s %s %s", r.Method, r.URL, r.Header.Get("Content-Type"))
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.Key == "service.name" {
					c.service = a.Value.GetStringValue()
				}
			}
			for _, ss := range rs.ScopeSpans {
				c.spans = append(c.spans, ss.Spans...)
			}
		}
		c.mu.Unlock()
		out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

// find returns the first span received that match says is the one.
func (c *collector) find(match func(*tracepb.Span) bool) *tracepb.Span {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.spans {
		if match(s) {
			return s
		}
	}
	return nil
}

// await waits for the span match describes.
func (c *collector) await(t *testing.T, what string, match func(*tracepb.Span) bool) *tracepb.Span {
	t.Helper()
	var s *tracepb.Span
	waitUntil(t, 20*time.Second, what, func() bool { s = c.find(match); return s != nil })
	return s
}

func attr(s *tracepb.Span, key string) *common.AnyValue {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value
		}
	}
	return nil
}

func named(name string) func(*tracepb.Span) bool {
	return func(s *tracepb.Span) bool { return s.Name == name }
}

func childOf(parent *tracepb.Span, match func(*tracepb.Span) bool) func(*tracepb.Span) bool {
	return func(s *tracepb.Span) bool {
		return bytes.Equal(s.TraceId, parent.TraceId) && bytes.Equal(s.ParentSpanId, parent.SpanId) && match(s)
	}
}

// statementText is a statement span's SQL: db.statement, or db.query.text
// under OTEL_SEMCONV_STABILITY_OPT_IN=database.
func statementText(s *tracepb.Span) *common.AnyValue {
	if v := attr(s, "db.query.text"); v != nil {
		return v
	}
	return attr(s, "db.statement")
}

func statement(s *tracepb.Span) bool { return statementText(s) != nil }

// TestTracesOverOTLP serves with the standard OTEL_* variables pointing at
// an in-process OTLP/HTTP receiver: a request that carries a W3C traceparent
// continues its trace through the HTTP span, the operation (name, type,
// cost), its loader batches and each SQL statement; a REST route's span is
// named by its route; each webhook delivery is a span holding the statements
// that record it.
func TestTracesOverOTLP(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.DSN(t, dialect)
		key := bootstrapKey(t, db)
		c := newCollector(t)
		p := startEnv(t, []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + c.srv.URL, "OTEL_BSP_SCHEDULE_DELAY=100", "OTEL_SERVICE_NAME=partnergraph-test"}, db)
		recv := newSink(t, true)
		createEndpoint(t, p, key, recv.srv.URL)
		p.graphql(t, key, `mutation { createPartner(input: {companyName: "Traced", email: "t@traced.example", partnerType: CUSTOMER, salesAmount: 1, frequency: "m", paymentTerms: "n"}) { partner { id } } }`, nil)
		createTags(t, p, key, 0, 1)

		traceID, parentID := "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
		body := `{"query":"query Dashboard { partners(first: 5) { nodes { companyName partnerships(first: 2) { nodes { id } } } } }"}`
		req, _ := http.NewRequest("POST", p.url+"/graphql", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("traced request: %v %v", resp, err)
		}
		resp.Body.Close()

		server := c.await(t, "the request's span", func(s *tracepb.Span) bool {
			return hex.EncodeToString(s.TraceId) == traceID && s.Kind == tracepb.Span_SPAN_KIND_SERVER
		})
		if hex.EncodeToString(server.ParentSpanId) != parentID || server.Name != "POST /graphql" || attr(server, "http.route").GetStringValue() != "/graphql" {
			t.Fatalf("request span %q (parent %x, route %v): not a child of the caller's span", server.Name, server.ParentSpanId, attr(server, "http.route"))
		}
		op := c.await(t, "the operation's span", childOf(server, named("query Dashboard")))
		if attr(op, "graphql.operation.name").GetStringValue() != "Dashboard" || attr(op, "graphql.operation.type").GetStringValue() != "query" ||
			attr(op, "partnergraph.operation.cost").GetIntValue() < 10 {
			t.Fatalf("operation span attributes: %v", op.Attributes)
		}
		c.await(t, "a statement of the operation", childOf(op, statement))
		batch := c.await(t, "a loader batch", childOf(op, named("load partner.partnerships")))
		if attr(batch, "partnergraph.loader.keys").GetIntValue() != 1 {
			t.Fatalf("loader batch attributes: %v", batch.Attributes)
		}
		sql := c.await(t, "the batch's statement", childOf(batch, statement))
		if text := statementText(sql).GetStringValue(); !strings.Contains(text, "partnerships") || strings.Contains(text, key) {
			t.Fatalf("batch statement %q", text)
		}

		rest, _ := http.NewRequest("GET", p.url+"/v1/partnerships/4711", nil)
		rest.Header.Set("Authorization", "Bearer "+key)
		if resp, err := http.DefaultClient.Do(rest); err == nil {
			resp.Body.Close()
		}
		restSpan := c.await(t, "the REST route's span", named("GET /v1/partnerships/{id}"))
		c.await(t, "the REST route's operation", childOf(restSpan, func(s *tracepb.Span) bool { return attr(s, "graphql.operation.type") != nil }))

		// A subscription's socket is hijacked through the request's span.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(p.url, "http")+"/graphql", &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatalf("WebSocket under tracing: %v", err)
		}
		defer conn.CloseNow()
		wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + key}})
		var ack struct{ Type string }
		if err := wsjson.Read(ctx, conn, &ack); err != nil || ack.Type != "connection_ack" {
			t.Fatalf("connection_init under tracing: %+v %v", ack, err)
		}

		delivery := c.await(t, "a webhook delivery", named("webhook delivery"))
		if attr(delivery, "http.response.status_code").GetIntValue() != 204 || attr(delivery, "partnergraph.event.type").GetStringValue() != "tag.created" {
			t.Fatalf("delivery span attributes: %v", delivery.Attributes)
		}
		c.await(t, "the statements recording the delivery", childOf(delivery, statement))
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.service != "partnergraph-test" {
			t.Errorf("service.name %q, want OTEL_SERVICE_NAME's", c.service)
		}
		for _, s := range c.spans {
			if len(s.ParentSpanId) == 0 && statement(s) {
				t.Errorf("a statement outside any request or delivery has a trace of its own: %q", statementText(s).GetStringValue())
				break
			}
		}
	})
}

// TestTracingConfigurationErrors: an exporter partnergraph does not have is
// an error naming the variable, before the server starts.
func TestTracingConfigurationErrors(t *testing.T) {
	for _, env := range []string{"OTEL_TRACES_EXPORTER=zipkin", "OTEL_EXPORTER_OTLP_PROTOCOL=http/json"} {
		cmd := exec.Command(buildBinary(t), "serve", "--db", t.TempDir()+"/x.db", "--addr", "127.0.0.1:0")
		cmd.Env = append(cmd.Environ(), "PARTNERGRAPH_SECRET_KEY="+testSecretKey, env, "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:1")
		out, err := cmd.CombinedOutput()
		name := strings.SplitN(env, "=", 2)[0]
		if err == nil || !strings.Contains(string(out), name) {
			t.Errorf("%s: %v, %s", env, err, out)
		}
	}
}

// TestTracingFailuresAreLogged: a collector that refuses the spans is
// reported in the JSON log, and serving goes on.
func TestTracingFailuresAreLogged(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	t.Cleanup(refusing.Close)
	db := t.TempDir() + "/refused.db"
	key := bootstrapKey(t, db)
	p := startEnv(t, []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + refusing.URL, "OTEL_BSP_SCHEDULE_DELAY=100"}, db)
	p.graphql(t, key, `{ viewer { permission } }`, nil)
	waitUntil(t, 20*time.Second, "the export failure in the log", func() bool {
		return strings.Contains(p.logs.String(), `"level":"WARN","msg":"tracing","error":`)
	})
	p.graphql(t, key, `{ viewer { permission } }`, nil)
}
