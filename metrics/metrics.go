// Package metrics holds the gateway's Prometheus metrics in a registry of its
// own (no global state: two gateways in one process do not collide). The
// transport, the loaders and the webhook dispatcher each report into it;
// /metrics serves it.
package metrics

import (
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
}

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
	m.Registry.MustRegister(
		m.requests, m.errors, m.webhooks, m.batches, m.compiled,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "partnergraph_sql_statements_total",
			Help: "SQL statements sent to the database.",
		}, func() float64 { return float64(statements()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// Operation records how long an operation took, by its type and name.
func (m *Metrics) Operation(opType, name string, d time.Duration) {
	m.requests.WithLabelValues(opType, operationLabel(name)).Observe(d.Seconds())
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

// operationLabel bounds the label's cardinality: names are client-chosen.
func operationLabel(name string) string {
	if name == "" {
		return "anonymous"
	}
	if len(name) > 64 {
		return name[:64]
	}
	return name
}
