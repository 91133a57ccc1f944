// Command load drives a running server with one of the benchmark workloads
// and records what it measured as a JSON line; its table subcommand prints
// the lines as the report bench/run shows.
//
//	load dashboard -url http://127.0.0.1:8080 -manifest m.json -server gateway -database sqlite -pid 123 -out r.jsonl
//	load paginate  -url … -manifest m.json -depth 500000 -out r.jsonl
//	load mutate    -url … -manifest m.json -clients 16 -out r.jsonl
//	load table     -in r.jsonl
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"partnergraph/bench/gen"
	"partnergraph/bench/load"
)

const usage = `usage: load dashboard|paginate|mutate|table [flags]; load <command> -h lists its flags`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	switch cmd, args := os.Args[1], os.Args[2:]; cmd {
	case "dashboard":
		err = dashboard(ctx, args)
	case "paginate":
		err = paginate(ctx, args)
	case "mutate":
		err = mutate(ctx, args)
	case "table":
		err = table(args)
	default:
		err = errors.New(usage)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// target is the server a command drives and where its results go.
type target struct {
	url      string
	manifest string
	server   string
	database string
	pid      int
	out      string
}

func (t *target) flags(fs *flag.FlagSet) {
	fs.StringVar(&t.url, "url", "http://127.0.0.1:8080", "the server's base URL (POST /graphql, GET /metrics)")
	fs.StringVar(&t.manifest, "manifest", "bench.json", "the dataset's manifest, from gen")
	fs.StringVar(&t.server, "server", "gateway", "the server's name in the report")
	fs.StringVar(&t.database, "database", "", "the database's name in the report (default: the manifest's)")
	fs.IntVar(&t.pid, "pid", 0, "the server's process id, to read its peak RSS (0: not measured)")
	fs.StringVar(&t.out, "out", "", "append the results to this JSON-lines file")
}

func (t *target) readManifest() (*gen.Manifest, error) {
	b, err := os.ReadFile(t.manifest)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var m gen.Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decode manifest %s: %w", t.manifest, err)
	}
	if t.database == "" {
		t.database = m.Dialect
	}
	return &m, nil
}

func (t *target) header(key string) http.Header {
	return http.Header{"Authorization": {"Bearer " + key}}
}

// statements reads the server's SQL statement counter.
func (t *target) statements(ctx context.Context, client *http.Client) (float64, error) {
	return load.Counter(ctx, client, t.url+"/metrics", "partnergraph_sql_statements_total")
}

// resetPeak starts the server's peak RSS over, when its pid is known.
func (t *target) resetPeak() {
	if t.pid == 0 {
		return
	}
	if err := load.ResetPeakRSS(t.pid); err != nil {
		fmt.Fprintln(os.Stderr, "load: warning:", err)
	}
}

// peakMB reads the server's peak RSS in MiB (0 when its pid is not known).
func (t *target) peakMB() (float64, error) {
	if t.pid == 0 {
		return 0, nil
	}
	b, err := load.PeakRSS(t.pid)
	return float64(b) / (1 << 20), err
}

// cpu reads the server's CPU time so far (0 when its pid is not known).
func (t *target) cpu() (time.Duration, error) {
	if t.pid == 0 {
		return 0, nil
	}
	return load.CPUTime(t.pid)
}

// record is one measured run, a line of the results file.
type record struct {
	Bench      string  `json:"bench"`
	Database   string  `json:"database"`
	Server     string  `json:"server"`
	Case       string  `json:"case,omitempty"`
	Conns      int     `json:"conns"`
	Requests   int     `json:"requests"`
	Errors     int     `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	Seconds    float64 `json:"seconds"`
	RPS        float64 `json:"rps"`
	P50        float64 `json:"p50Ms"`
	P99        float64 `json:"p99Ms"`
	Mean       float64 `json:"meanMs"`
	// Statements is per request: the fewest of three lone requests for the
	// dashboard and pagination (nothing else runs meanwhile), the counter's
	// growth over the run (RunStatements) for mutations.
	Statements float64 `json:"statementsPerRequest"`
	// RunStatements is the counter's growth over the run per request; it
	// includes the gateway's background work (its webhook dispatcher polls
	// once a second).
	RunStatements float64 `json:"runStatementsPerRequest"`
	PeakRSSMB     float64 `json:"peakRssMb"`
	// CPUMs is the server's processor time per request, in milliseconds.
	CPUMs        float64 `json:"cpuMsPerRequest"`
	Partners     int     `json:"partners"`
	Partnerships int     `json:"partnerships"`
	PageSize     string  `json:"pageSize,omitempty"`
	Depth        int     `json:"depth,omitempty"`
}

func newRecord(bench string, t *target, m *gen.Manifest, res *load.Result) record {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	return record{Bench: bench, Database: t.database, Server: t.server, Conns: res.Connections,
		Requests: res.Requests, Errors: res.Errors, FirstError: res.FirstError, Seconds: res.Elapsed.Seconds(),
		RPS: res.Throughput(), P50: ms(res.Percentile(50)), P99: ms(res.Percentile(99)), Mean: ms(res.Mean()),
		Partners: m.Partners, Partnerships: m.Partnerships}
}

// emit prints r and appends it to the results file.
func (t *target) emit(r record) error {
	fmt.Printf("%-9s %-8s %-9s %-10s conns=%-3d %8.1f req/s  p50 %7.2f ms  p99 %7.2f ms  %5.1f stmts/req  CPU %6.2f ms/req  peak RSS %6.1f MB  errors %d\n",
		r.Bench, r.Database, r.Server, r.Case, r.Conns, r.RPS, r.P50, r.P99, r.Statements, r.CPUMs, r.PeakRSSMB, r.Errors)
	if r.FirstError != "" {
		fmt.Fprintf(os.Stderr, "load: %s: first error: %s\n", r.Server, r.FirstError)
	}
	if t.out == "" {
		return nil
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	f, err := os.OpenFile(t.out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("open results: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("write results: %w", err)
	}
	return f.Close()
}

// intList parses "1,32".
func intList(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a list of positive integers", s)
		}
		out = append(out, n)
	}
	return out, nil
}
