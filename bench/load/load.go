// Package load is a closed-loop HTTP load generator: N connections each send
// a request, wait for its response and send the next, for a fixed duration
// or request count, recording the latency of every request. It also reads
// what the benchmarks report beside latency: a Prometheus counter of the
// server and the peak resident memory of its process.
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options describe one load run.
type Options struct {
	// Connections is how many requests are in flight at once, each on its
	// own keep-alive connection.
	Connections int
	// Duration ends the run after this long (requests in flight then
	// finish and count); Requests ends it after this many requests. Set
	// one of them.
	Duration time.Duration
	Requests int
	// Warmup runs the load this long before recording, so connections,
	// caches and the server's pools are warm.
	Warmup time.Duration
	// Request builds the next request of connection conn (0 ≤ conn <
	// Connections).
	Request func(ctx context.Context, conn int) (*http.Request, error)
	// Check validates a response; nil accepts any 2xx. A failed check
	// counts as an error, not as a latency.
	Check func(status int, body []byte) error
	// Client sends the requests; nil makes one sized for Connections.
	Client *http.Client
}

// Result is what a run measured.
type Result struct {
	Connections int
	// Requests counts the successful requests, whose latencies are kept;
	// Errors the failed ones, the first of which is FirstError.
	Requests   int
	Errors     int
	FirstError string
	Elapsed    time.Duration
	// Latencies are every successful request's, sorted.
	Latencies []time.Duration
}

// Throughput is successful requests per second.
func (r *Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// Percentile returns the latency below which p (0–100) percent of the
// requests finished, by the nearest-rank method.
func (r *Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(r.Latencies))))
	return r.Latencies[min(max(rank, 1), len(r.Latencies))-1]
}

// Mean is the mean latency.
func (r *Result) Mean() time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	var sum time.Duration
	for _, l := range r.Latencies {
		sum += l
	}
	return sum / time.Duration(len(r.Latencies))
}

// NewClient returns a client that keeps conns connections open to one host
// and never compresses, so the server's work is the same for every run.
func NewClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns,
		DisableCompression: true, IdleConnTimeout: time.Minute,
	}, Timeout: time.Minute}
}

// Run runs the load o describes.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Connections < 1 || o.Request == nil || (o.Duration <= 0) == (o.Requests <= 0) {
		return nil, errors.New("load: need Connections ≥ 1, a Request function, and one of Duration and Requests")
	}
	if o.Client == nil {
		o.Client = NewClient(o.Connections)
	}
	if o.Warmup > 0 {
		if _, err := o.phase(ctx, o.Warmup, 0); err != nil {
			return nil, err
		}
	}
	return o.phase(ctx, o.Duration, o.Requests)
}

// phase runs the connections until d has passed or n requests have been
// sent. A connection sends nothing new once d has passed but lets its
// request in flight finish, and that request counts: cutting it off would
// leave the server working on an answer nobody waits for, stealing from
// the next phase, and would hide every request slower than d.
func (o Options) phase(ctx context.Context, d time.Duration, n int) (*Result, error) {
	type worker struct {
		latencies []time.Duration
		errors    int
		first     error
	}
	workers := make([]worker, o.Connections)
	var sent atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	more := func() bool {
		return ctx.Err() == nil && (d <= 0 || time.Since(start) < d) && (n <= 0 || sent.Add(1) <= int64(n))
	}
	for c := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &workers[c]
			var buf bytes.Buffer
			for more() {
				t0 := time.Now()
				err := o.send(ctx, c, &buf)
				elapsed := time.Since(t0)
				switch {
				case err == nil:
					w.latencies = append(w.latencies, elapsed)
				case ctx.Err() != nil:
					// Interrupted: neither a success nor a failure.
				default:
					w.errors++
					if w.first == nil {
						w.first = err
					}
				}
			}
		}()
	}
	wg.Wait()
	res := &Result{Connections: o.Connections, Elapsed: time.Since(start)}
	for _, w := range workers {
		res.Latencies = append(res.Latencies, w.latencies...)
		res.Errors += w.errors
		if res.FirstError == "" && w.first != nil {
			res.FirstError = w.first.Error()
		}
	}
	res.Requests = len(res.Latencies)
	slices.Sort(res.Latencies)
	return res, ctx.Err()
}

// send sends one request of connection conn and checks its response.
func (o Options) send(ctx context.Context, conn int, buf *bytes.Buffer) error {
	req, err := o.Request(ctx, conn)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if o.Check != nil {
		return o.Check(resp.StatusCode, buf.Bytes())
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %d: %s", resp.StatusCode, truncate(buf.Bytes()))
	}
	return nil
}

// CheckGraphQL accepts a 200 response without GraphQL errors. It looks for
// the errors key without decoding the body, so checking costs the load
// generator little CPU next to the server it shares the machine with.
func CheckGraphQL(status int, body []byte) error {
	if status != http.StatusOK || bytes.Contains(body, []byte(`"errors"`)) {
		return fmt.Errorf("status %d: %s", status, truncate(body))
	}
	return nil
}

// PostJSON returns a Request function that posts body to url with headers.
func PostJSON(url string, body []byte, header http.Header) func(context.Context, int) (*http.Request, error) {
	return func(ctx context.Context, _ int) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header = header.Clone()
		req.Header.Set("Content-Type", "application/json")
		return req, nil
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// drain discards and closes a response body, so its connection is reused.
func drain(r io.ReadCloser) {
	io.Copy(io.Discard, r)
	r.Close()
}
