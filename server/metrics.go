package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"partnergraph/compiled"
	"partnergraph/store"
)

// Metrics are the gateway's Prometheus metrics, in a registry of their own
// (no global state: two servers in one process do not collide).
type Metrics struct {
	Registry *prometheus.Registry
	requests *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	webhooks *prometheus.CounterVec
	batches  *prometheus.HistogramVec
	compiled *prometheus.CounterVec
}

// CompiledRead counts a query operation by how it was served: "compiled",
// or "fallback" to gqlgen's executor with the reason (compiled.Reason*).
func (m *Metrics) CompiledRead(outcome, reason string) {
	m.compiled.WithLabelValues(outcome, reason).Inc()
}

// LoaderBatch records the keys one loader batch fetched.
func (m *Metrics) LoaderBatch(edge string, keys int) {
	m.batches.WithLabelValues(edge).Observe(float64(keys))
}

// WebhookAttempt counts a webhook delivery attempt by outcome.
func (m *Metrics) WebhookAttempt(succeeded bool) {
	outcome := "failed"
	if succeeded {
		outcome = "succeeded"
	}
	m.webhooks.WithLabelValues(outcome).Inc()
}

func newMetrics(db *store.DB) *Metrics {
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
			Help: "Operations served by the compiled path of reads, or fallen back to gqlgen's executor, by reason.",
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
	for _, r := range []string{compiled.ReasonNotQuery, compiled.ReasonRootField, compiled.ReasonField, compiled.ReasonDefer, compiled.ReasonRuntime, compiled.ReasonIntrospection} {
		m.compiled.WithLabelValues("fallback", r)
	}
	m.Registry.MustRegister(
		m.requests, m.errors, m.webhooks, m.batches, m.compiled,
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "partnergraph_sql_statements_total",
			Help: "SQL statements sent to the database.",
		}, func() float64 { return float64(db.Statements()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
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

// subscriptions exports the number of open subscriptions.
func (m *Metrics) subscriptions(count func() int) {
	m.Registry.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "partnergraph_subscriptions",
		Help: "Open GraphQL subscriptions.",
	}, func() float64 { return float64(count()) }))
}
