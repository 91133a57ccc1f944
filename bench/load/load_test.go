package load_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"partnergraph/bench/load"
)

func TestRunSendsExactlyRequestsAndCountsErrors(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1)%5 == 0 {
			fmt.Fprint(w, `{"errors":[{"message":"boom"}]}`)
			return
		}
		fmt.Fprint(w, `{"data":{}}`)
	}))
	defer srv.Close()
	res, err := load.Run(context.Background(), load.Options{Connections: 4, Requests: 100,
		Request: load.PostJSON(srv.URL, []byte(`{}`), http.Header{}), Check: load.CheckGraphQL})
	if err != nil {
		t.Fatal(err)
	}
	if served.Load() != 100 || res.Requests != 80 || res.Errors != 20 || len(res.Latencies) != 80 || res.FirstError == "" {
		t.Fatalf("served %d; result %+v", served.Load(), res)
	}
}

func TestRunLetsRequestsInFlightFinish(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
	}))
	defer srv.Close()
	res, err := load.Run(context.Background(), load.Options{Connections: 2, Duration: 50 * time.Millisecond,
		Request: load.PostJSON(srv.URL, nil, http.Header{})})
	if err != nil {
		t.Fatal(err)
	}
	// Slower than the run itself, each connection's one request still counts.
	if res.Requests != 2 || res.Errors != 0 || res.Elapsed < 300*time.Millisecond {
		t.Fatalf("%+v", res)
	}
}

func TestPercentile(t *testing.T) {
	r := &load.Result{}
	for i := 1; i <= 100; i++ {
		r.Latencies = append(r.Latencies, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond, 0: time.Millisecond} {
		if got := r.Percentile(p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if r.Mean() != 50500*time.Microsecond {
		t.Errorf("mean %v", r.Mean())
	}
}

func TestCounter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "# HELP x_total x\n# TYPE x_total counter\nx_total_other 3\nx_total 1.5e+06\n")
	}))
	defer srv.Close()
	v, err := load.Counter(context.Background(), srv.Client(), srv.URL, "x_total")
	if err != nil || v != 1.5e6 {
		t.Fatalf("got %v, %v", v, err)
	}
	if _, err := load.Counter(context.Background(), srv.Client(), srv.URL, "missing"); err == nil {
		t.Fatal("a missing metric must be an error")
	}
}

func TestPeakRSS(t *testing.T) {
	peak, err := load.PeakRSS(os.Getpid())
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	if peak < 1<<20 {
		t.Fatalf("peak RSS %d bytes", peak)
	}
}

func TestCPUTime(t *testing.T) {
	before, err := load.CPUTime(os.Getpid())
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	// Spin until the kernel has charged this process at least one more tick.
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		after, err := load.CPUTime(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if after > before {
			return
		}
	}
	t.Fatal("5 s of spinning used no CPU time")
}
