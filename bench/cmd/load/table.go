package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// The gateway's targets, beside the hand-written baseline.
const (
	maxStatements       = 8
	maxCPURatio         = 1.5  // gateway CPU per dashboard over the baseline's
	minThroughputShare  = 0.65 // at targetConnections
	maxP50Ratio         = 1.5  // at one connection
	maxP99Ratio         = 2.0  // at targetConnections
	maxDeepPageRatio    = 1.3
	maxPeakRSSMB        = 150
	minSQLiteMutations  = 2000
	maxMutationCPUMs    = 0.5
	targetConnections   = 32
	mutationTargetLabel = "sqlite"
)

// table prints the results file as one table per benchmark and database,
// with the gateway/baseline ratios and the gateway's targets.
func table(args []string) error {
	fs := flag.NewFlagSet("load table", flag.ContinueOnError)
	in := fs.String("in", "results.jsonl", "results file written by the other subcommands")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("open results: %w", err)
	}
	defer f.Close()
	var recs []record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("decode %s: %w", *in, err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", *in, err)
	}
	w := os.Stdout
	for _, db := range databases(recs) {
		dashboardTable(w, filter(recs, "dashboard", db), db)
	}
	for _, db := range databases(recs) {
		paginateTables(w, filter(recs, "paginate", db), db)
	}
	for _, db := range databases(recs) {
		mutateTable(w, filter(recs, "mutate", db), db)
	}
	return nil
}

func databases(recs []record) []string {
	var out []string
	for _, r := range recs {
		if !slices.Contains(out, r.Database) {
			out = append(out, r.Database)
		}
	}
	return out
}

func filter(recs []record, bench, db string) []record {
	var out []record
	for _, r := range recs {
		if r.Bench == bench && r.Database == db {
			out = append(out, r)
		}
	}
	return out
}

func title(db string) string {
	switch db {
	case "sqlite":
		return "SQLite"
	case "postgres":
		return "PostgreSQL"
	}
	return db
}

func check(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

func dashboardTable(out io.Writer, recs []record, db string) {
	if len(recs) == 0 {
		return
	}
	r0 := recs[0]
	partners, partnerships, _ := strings.Cut(r0.PageSize, "×")
	fmt.Fprintf(out, "\n== Dashboard on %s: %s partners with their first %s partnerships per request; dataset %d partners, %d partnerships ==\n",
		title(db), partners, partnerships, r0.Partners, r0.Partnerships)
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "conns\tserver\treq/s\tp50 ms\tp99 ms\tstmts/req\tCPU ms/req\tpeak RSS MB\trequests\tseconds\terrors\t")
	var conns []int
	for _, r := range recs {
		if !slices.Contains(conns, r.Conns) {
			conns = append(conns, r.Conns)
		}
	}
	byServer := func(server string, c int) *record {
		for i := range recs {
			if recs[i].Server == server && recs[i].Conns == c {
				return &recs[i]
			}
		}
		return nil
	}
	for _, c := range conns {
		g, b := byServer("gateway", c), byServer("baseline", c)
		for _, r := range []*record{g, b} {
			if r != nil {
				fmt.Fprintf(w, "%d\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t%.1f\t%d\t\n", r.Conns, r.Server, r.RPS, r.P50, r.P99,
					r.Statements, r.CPUMs, r.PeakRSSMB, r.Requests, r.Seconds, r.Errors)
			}
		}
		if g != nil && b != nil {
			fmt.Fprintf(w, "%d\tgateway/baseline\t%s\t%s\t%s\t%s\t%s\t%s\t\t\t\t\n", c, ratio(g.RPS, b.RPS), ratio(g.P50, b.P50),
				ratio(g.P99, b.P99), ratio(g.Statements, b.Statements), ratio(g.CPUMs, b.CPUMs), ratio(g.PeakRSSMB, b.PeakRSSMB))
		}
	}
	w.Flush()
	g, b := byServer("gateway", targetConnections), byServer("baseline", targetConnections)
	if g == nil {
		return
	}
	fmt.Fprintf(out, "targets: statements/request %.0f (at most %d): %s", g.Statements, maxStatements, check(g.Statements <= maxStatements))
	if b != nil {
		share, p99 := g.RPS/b.RPS, g.P99/b.P99
		fmt.Fprintf(out, "; throughput at %d conns %.0f%% of baseline (at least %.0f%%): %s; p99 %.2fx baseline (at most %.1fx): %s",
			targetConnections, 100*share, 100*minThroughputShare, check(share >= minThroughputShare), p99, maxP99Ratio, check(p99 <= maxP99Ratio))
	}
	if g1, b1 := byServer("gateway", 1), byServer("baseline", 1); g1 != nil && b1 != nil {
		p50 := g1.P50 / b1.P50
		fmt.Fprintf(out, "; p50 at 1 conn %.2fx baseline (at most %.1fx): %s", p50, maxP50Ratio, check(p50 <= maxP50Ratio))
	}
	for _, c := range conns {
		if g, b := byServer("gateway", c), byServer("baseline", c); g != nil && b != nil && b.CPUMs > 0 {
			cpu := g.CPUMs / b.CPUMs
			fmt.Fprintf(out, "; CPU per request at %d conns %.2fx baseline's (at most %.1fx): %s", c, cpu, maxCPURatio, check(cpu <= maxCPURatio))
		}
	}
	if g.PeakRSSMB > 0 {
		fmt.Fprintf(out, "; peak RSS %.0f MB (at most %d): %s", g.PeakRSSMB, maxPeakRSSMB, check(g.PeakRSSMB <= maxPeakRSSMB))
	}
	fmt.Fprintln(out)
}

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

// paginateTables prints a table per dataset size, and compares the first
// pages of the smallest and largest datasets: a keyset page must cost the
// same however many rows lie beyond it.
func paginateTables(out io.Writer, recs []record, db string) {
	var sizes []int
	for _, r := range recs {
		if !slices.Contains(sizes, r.Partnerships) {
			sizes = append(sizes, r.Partnerships)
		}
	}
	slices.Sort(sizes)
	firstPage := map[int]record{}
	for _, n := range sizes {
		var first, deep *record
		for i := range recs {
			switch r := &recs[i]; {
			case r.Partnerships == n && r.Depth == 0:
				first = r
			case r.Partnerships == n:
				deep = r
			}
		}
		if first == nil || deep == nil {
			continue
		}
		firstPage[n] = *first
		fmt.Fprintf(out, "\n== Pagination on %s: partnerships(first: %s, after: cursor), %d partnerships, 1 connection, %d requests per page ==\n",
			title(db), first.PageSize, n, first.Requests)
		w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(w, "page\trows before\treq/s\tp50 ms\tp99 ms\tmean ms\tstmts/req\t")
		for _, r := range []*record{first, deep} {
			fmt.Fprintf(w, "%s\t%d\t%.1f\t%.3f\t%.3f\t%.3f\t%.2f\t\n", r.Case, r.Depth, r.RPS, r.P50, r.P99, r.Mean, r.Statements)
		}
		fmt.Fprintf(w, "deep/first\t\t%s\t%s\t%s\t%s\t\t\n", ratio(deep.RPS, first.RPS), ratio(deep.P50, first.P50), ratio(deep.P99, first.P99), ratio(deep.Mean, first.Mean))
		w.Flush()
		cost := deep.Mean / first.Mean
		fmt.Fprintf(out, "target: the deep page costs %.2fx the first (mean latency; at most %.1fx): %s\n", cost, maxDeepPageRatio, check(cost <= maxDeepPageRatio))
	}
	if len(firstPage) > 1 {
		small, large := firstPage[sizes[0]], firstPage[sizes[len(sizes)-1]]
		fmt.Fprintf(out, "data size: the first page costs %.3f ms (mean) over %d partnerships and %.3f ms over %d: %.1fx for %.0fx the rows\n",
			small.Mean, small.Partnerships, large.Mean, large.Partnerships, large.Mean/small.Mean, float64(large.Partnerships)/float64(small.Partnerships))
	}
}

func mutateTable(out io.Writer, recs []record, db string) {
	for _, r := range recs {
		fmt.Fprintf(out, "\n== Mutations on %s: updatePartnership (stage and 3 tags) from %d clients; dataset %d partnerships ==\n",
			title(db), r.Conns, r.Partnerships)
		w := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(w, "mutations/s\tp50 ms\tp99 ms\tstmts/mutation\tCPU ms/mutation\tpeak RSS MB\tmutations\tseconds\terrors\t")
		fmt.Fprintf(w, "%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%d\t%.1f\t%d\t\n", r.RPS, r.P50, r.P99, r.Statements, r.CPUMs, r.PeakRSSMB, r.Requests, r.Seconds, r.Errors)
		w.Flush()
		if db == mutationTargetLabel {
			fmt.Fprintf(out, "targets: at least %d mutations/s on SQLite: %s; gateway CPU per mutation %.2f ms (at most %.1f): %s\n",
				minSQLiteMutations, check(r.RPS >= minSQLiteMutations), r.CPUMs, maxMutationCPUMs, check(r.CPUMs <= maxMutationCPUMs))
		}
	}
}
