// Package metrics holds the gateway's Prometheus metrics in a registry of its
// own (no global state: two gateways in one process do not collide). The
// transport, the loaders and the webhook dispatcher each report into it;
// /metrics serves it.
package metrics

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the gateway's Prometheus metrics.
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	webhooks *prometheus.CounterVec
	batches  *prometheus.HistogramVec
	compiled *prometheus.CounterVec
	http     *prometheus.CounterVec
	refused  *prometheus.CounterVec
}

// Refusals are the statuses of requests and operations refused before they
// run, the values of partnergraph_refused_total's status label.
var Refusals = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests, http.StatusServiceUnavailable}

// New returns the gateway's metrics, with Go and process collectors.
// statements reports how many SQL statements the database has been sent.
func New(statements func() int64) *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "partnergraph_graphql_request_duration_seconds",
			Help:    "Time to execute a GraphQL operation, by operation type and name.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16),
		}, []string{"operation_type", "operation_name"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnergraph_graphql_errors_total",
			Help: "GraphQL errors returned, by extensions.code.",
		}, []string{"code"}),
		batches: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "partnergraph_loader_batch_keys",
			Help:    "Keys fetched by one dataloader batch (one SQL statement), by edge.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 8),
		}, []string{"edge"}),
		compiled: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnergraph_compiled_reads_total",
			Help: "Query operations served by the compiled path of reads, or fallen back to gqlgen's executor, by reason.",
		}, []string{"outcome", "reason"}),
		http: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnergraph_http_requests_total",
			Help: "HTTP requests answered, by method, route template (preflight and unmatched for requests no route served) and status.",
		}, []string{"method", "route", "status"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnergraph_refused_total",
			Help: "Requests and operations refused before they ran, by status: 401 no valid key, 403 forbidden, 429 rate limited, 503 busy.",
		}, []string{"status"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partnergraph_webhook_attempts_total",
			Help: "Webhook delivery attempts, by outcome.",
		}, []string{"outcome"}),
	}
	// Both outcomes exist from the start, so a dashboard shows zero
	// rather than nothing.
	m.webhooks.WithLabelValues("succeeded")
	m.webhooks.WithLabelValues("failed")
	m.compiled.WithLabelValues("compiled", "")
	for _, status := range Refusals {
		m.refused.WithLabelValues(strconv.Itoa(status))
	}
	m.Registry.MustRegister(
		m.requests, m.errors, m.webhooks, m.batches, m.compiled, m.http, m.refused,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "partnergraph_sql_statements_total",
			Help: "SQL statements sent to the database.",
		}, func() float64 { return float64(statements()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Operation records how long an operation took, by its type and name. The
// caller bounds the names (OtherOperation for a name clients chose).
func (m *Metrics) Operation(opType, name string, d time.Duration) {
	m.requests.WithLabelValues(opType, name).Observe(d.Seconds())
}

// Operation name labels that are not an operation's own name.
const (
	// AnonymousOperation is an operation without a name.
	AnonymousOperation = "anonymous"
	// OtherOperation is an operation whose name the client chose: only
	// registered operations' names are labels, so clients cannot grow the
	// metrics without bound.
	OtherOperation = "other"
)

// HTTPRequest counts one answered HTTP request. route is the template of
// the route that served it (its cardinality is the number of routes), and
// methods outside HTTP's own are counted as OTHER.
func (m *Metrics) HTTPRequest(method, route string, status int) {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "OTHER"
	}
	if status < 100 || status > 599 {
		status = 0
	}
	m.http.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
}

// Refused counts a request or operation refused with status, one of
// Refusals; other statuses are not refusals and are not counted.
func (m *Metrics) Refused(status int) {
	if slices.Contains(Refusals, status) {
		m.refused.WithLabelValues(strconv.Itoa(status)).Inc()
	}
}

// Error counts one GraphQL error by its extensions.code.
func (m *Metrics) Error(code string) { m.errors.WithLabelValues(code).Inc() }

// LoaderBatch records the keys one loader batch fetched.
func (m *Metrics) LoaderBatch(edge string, keys int) {
	m.batches.WithLabelValues(edge).Observe(float64(keys))
}

// CompiledRead counts a query operation by how it was served: "compiled", or
// "fallback" to gqlgen's executor with the reason (compiled.Reason*, a
// small fixed set).
func (m *Metrics) CompiledRead(outcome, reason string) {
	m.compiled.WithLabelValues(outcome, reason).Inc()
}

// WebhookAttempt counts a webhook delivery attempt by outcome.
func (m *Metrics) WebhookAttempt(succeeded bool) {
	outcome := "failed"
	if succeeded {
		outcome = "succeeded"
	}
	m.webhooks.WithLabelValues(outcome).Inc()
}

// Subscriptions exports the number of open subscriptions, as count reports it.
func (m *Metrics) Subscriptions(count func() int) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "partnergraph_subscriptions",
		Help: "Open GraphQL subscriptions.",
	}, func() float64 { return float64(count()) }))
}
