package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"time"

	"partnergraph/bench"
	"partnergraph/bench/gen"
	"partnergraph/bench/load"
)

// dashboard runs the dashboard query at each connection count.
func dashboard(ctx context.Context, args []string) error {
	var t target
	fs := flag.NewFlagSet("load dashboard", flag.ContinueOnError)
	t.flags(fs)
	conns := fs.String("conns", "1,32", "connection counts, one run each")
	duration := fs.Duration("duration", 15*time.Second, "measured time of each run")
	warmup := fs.Duration("warmup", 3*time.Second, "unmeasured load before each run")
	partners := fs.Int("partners", bench.DashboardPartners, "partners per request")
	partnerships := fs.Int("partnerships", bench.DashboardPartnerships, "partnerships per partner")
	if err := fs.Parse(args); err != nil {
		return err
	}
	counts, err := intList(*conns)
	if err != nil {
		return fmt.Errorf("-conns: %w", err)
	}
	m, err := t.readManifest()
	if err != nil {
		return err
	}
	request := load.PostJSON(t.url+"/graphql", bench.DashboardBody(*partners, *partnerships), t.header(m.ReadKey))
	for _, n := range counts {
		client := load.NewClient(n)
		stmts, err := loneStatements(ctx, &t, client, request)
		if err != nil {
			return err
		}
		o := load.Options{Connections: n, Duration: *warmup, Request: request, Check: load.CheckGraphQL, Client: client}
		if err := warm(ctx, o); err != nil {
			return err
		}
		r, err := measure(ctx, &t, o, *duration, "dashboard", m)
		if err != nil {
			return err
		}
		r.Statements = stmts
		r.PageSize = fmt.Sprintf("%d×%d", *partners, *partnerships)
		if err := t.emit(r); err != nil {
			return err
		}
	}
	return nil
}

// loneStatements counts the statements one request costs, sending it alone
// a few times and keeping the fewest: a background statement of the server
// (its webhook dispatcher's poll) can only add to a count.
func loneStatements(ctx context.Context, t *target, client *http.Client, request func(context.Context, int) (*http.Request, error)) (float64, error) {
	best := -1.0
	for range 3 {
		before, err := t.statements(ctx, client)
		if err != nil {
			return 0, err
		}
		res, err := load.Run(ctx, load.Options{Connections: 1, Requests: 1, Request: request, Check: load.CheckGraphQL, Client: client})
		if err != nil {
			return 0, err
		}
		if res.Errors > 0 {
			return 0, fmt.Errorf("the request failed: %s", res.FirstError)
		}
		after, err := t.statements(ctx, client)
		if err != nil {
			return 0, err
		}
		if d := after - before; best < 0 || d < best {
			best = d
		}
	}
	return best, nil
}

// warm runs o unmeasured, when it has a duration or request count. A
// failure stops the benchmark here rather than as a column of errors later.
func warm(ctx context.Context, o load.Options) error {
	if o.Duration <= 0 && o.Requests <= 0 {
		return nil
	}
	res, err := load.Run(ctx, o)
	if err != nil {
		return fmt.Errorf("warm up: %w", err)
	}
	if res.Errors > 0 {
		return fmt.Errorf("warm up: %d of %d requests failed; the first: %s", res.Errors, res.Errors+res.Requests, res.FirstError)
	}
	return nil
}

// measure runs o for d (or o.Requests), reading the statement counter and
// peak RSS around it.
func measure(ctx context.Context, t *target, o load.Options, d time.Duration, name string, m *gen.Manifest) (record, error) {
	o.Duration, o.Warmup = d, 0
	if o.Requests > 0 {
		o.Duration = 0
	}
	before, err := t.statements(ctx, o.Client)
	if err != nil {
		return record{}, err
	}
	t.resetPeak()
	cpuBefore, err := t.cpu()
	if err != nil {
		return record{}, err
	}
	res, err := load.Run(ctx, o)
	if err != nil {
		return record{}, fmt.Errorf("%s: %w", name, err)
	}
	cpuAfter, err := t.cpu()
	if err != nil {
		return record{}, err
	}
	after, err := t.statements(ctx, o.Client)
	if err != nil {
		return record{}, err
	}
	r := newRecord(name, t, m, res)
	if total := res.Requests + res.Errors; total > 0 {
		r.RunStatements = (after - before) / float64(total)
		r.CPUMs = float64(cpuAfter-cpuBefore) / float64(time.Millisecond) / float64(total)
	}
	r.Statements = r.RunStatements
	if r.PeakRSSMB, err = t.peakMB(); err != nil {
		return record{}, err
	}
	return r, nil
}

// paginate times the first page of partnerships and a page depth rows deep.
func paginate(ctx context.Context, args []string) error {
	var t target
	fs := flag.NewFlagSet("load paginate", flag.ContinueOnError)
	t.flags(fs)
	depth := fs.Int("depth", 500_000, "rows before the deep page")
	first := fs.Int("first", 50, "page size")
	requests := fs.Int("requests", 300, "measured requests per page")
	warmup := fs.Int("warmup", 30, "unmeasured requests per page")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := t.readManifest()
	if err != nil {
		return err
	}
	if *depth < 1 || *depth+*first > m.Partnerships {
		return fmt.Errorf("-depth %d: the dataset has %d partnerships", *depth, m.Partnerships)
	}
	client := load.NewClient(1)
	for _, c := range []struct {
		name  string
		depth int
		after string
	}{{"first page", 0, ""}, {"deep page", *depth, m.CursorAt(*depth - 1)}} {
		body := bench.PageBody(*first, c.after)
		wantID, _ := m.PartnershipAt(c.depth)
		check := func(status int, b []byte) error {
			if err := load.CheckGraphQL(status, b); err != nil {
				return err
			}
			// Prove the cursor lands where it should: the page starts at
			// the partnership depth rows in.
			var resp struct {
				Data struct {
					Partnerships struct {
						Nodes []struct{ DatabaseID int64 }
					}
				}
			}
			if err := json.Unmarshal(b, &resp); err != nil {
				return fmt.Errorf("decode page: %w", err)
			}
			if n := resp.Data.Partnerships.Nodes; len(n) != *first || n[0].DatabaseID != wantID {
				return fmt.Errorf("%s: want %d rows from partnership %d, got %s", c.name, *first, wantID, truncate(b))
			}
			return nil
		}
		request := load.PostJSON(t.url+"/graphql", body, t.header(m.ReadKey))
		o := load.Options{Connections: 1, Requests: *warmup, Request: request, Check: check, Client: client}
		if err := warm(ctx, o); err != nil {
			return err
		}
		stmts, err := loneStatements(ctx, &t, client, request)
		if err != nil {
			return err
		}
		o.Requests = *requests
		r, err := measure(ctx, &t, o, 0, "paginate", m)
		if err != nil {
			return err
		}
		r.Case, r.Depth, r.PageSize, r.Statements = c.name, c.depth, fmt.Sprint(*first), stmts
		if err := t.emit(r); err != nil {
			return err
		}
	}
	return nil
}

// mutate runs updatePartnership from many clients: each moves a random
// movable partnership to a random open stage (always allowed) and gives it
// three random tags.
func mutate(ctx context.Context, args []string) error {
	var t target
	fs := flag.NewFlagSet("load mutate", flag.ContinueOnError)
	t.flags(fs)
	clients := fs.Int("clients", 16, "concurrent clients")
	duration := fs.Duration("duration", 10*time.Second, "measured time")
	warmup := fs.Duration("warmup", 2*time.Second, "unmeasured load before")
	seed := fs.Uint64("seed", 1, "seed of the clients' random choices")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := t.readManifest()
	if err != nil {
		return err
	}
	moves := make([]func() []byte, *clients)
	for i := range moves {
		if moves[i], err = bench.Moves(m, *seed, i); err != nil {
			return err
		}
	}
	header := t.header(m.WriteKey)
	header.Set("Content-Type", "application/json")
	request := func(ctx context.Context, conn int) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url+"/graphql", bytes.NewReader(moves[conn]()))
		if err != nil {
			return nil, err
		}
		req.Header = header.Clone()
		return req, nil
	}
	client := load.NewClient(*clients)
	o := load.Options{Connections: *clients, Duration: *warmup, Request: request, Check: load.CheckGraphQL, Client: client}
	if err := warm(ctx, o); err != nil {
		return err
	}
	r, err := measure(ctx, &t, o, *duration, "mutate", m)
	if err != nil {
		return err
	}
	return t.emit(r)
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}
