package tracing

import (
	"context"
	"testing"
)

func TestEnabled(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		on   bool
		err  bool
	}{
		{"nothing set", nil, false, false},
		{"an endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true, false},
		{"a traces endpoint", map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true, false},
		{"otlp to the default endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "otlp"}, true, false},
		{"none", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, false, false},
		{"the SDK disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, false, false},
		{"an exporter not built in", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			on, err := enabled(func(k string) string { return c.env[k] })
			if on != c.on || (err != nil) != c.err {
				t.Fatalf("enabled = %v, %v; want %v, error %v", on, err, c.on, c.err)
			}
		})
	}
}

func TestExporterProtocols(t *testing.T) {
	for _, c := range []struct {
		env map[string]string
		err bool
	}{
		{map[string]string{}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/protobuf", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, false},
		{map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"}, true},
	} {
		exp, err := newExporter(context.Background(), func(k string) string { return c.env[k] })
		if (err != nil) != c.err {
			t.Errorf("%v: %v", c.env, err)
		}
		if exp != nil {
			exp.Shutdown(context.Background())
		}
	}
}

// TestOffMeansNoProvider: with tracing off nothing traces, and nothing
// needs shutting down.
func TestOffMeansNoProvider(t *testing.T) {
	var tr Tracing
	if tr.Provider() != nil || tr.Shutdown(context.Background()) != nil {
		t.Fatal("tracing that is off has a provider")
	}
	observe := LoaderBatches(nil, nil)
	ctx := context.Background()
	if got, done := observe(ctx, "edge", 3); got != ctx || done == nil {
		t.Fatal("a batch without tracing got a new context")
	}
}
