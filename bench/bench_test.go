package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	pg "partnergraph"
	"partnergraph/bench"
	"partnergraph/bench/baseline"
	"partnergraph/bench/gen"
	"partnergraph/bench/load"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// servers is the gateway and the baseline over one generated dataset, each
// behind real HTTP.
type servers struct {
	manifest          *gen.Manifest
	db                *store.DB
	gatewayStatements func() int64
	baseline          *baseline.Server
	gateway, base     *httptest.Server
}

// start generates a dataset of cfg into a fresh database of dialect and
// serves it with both servers.
func start(tb testing.TB, dialect string, cfg gen.Config) *servers {
	tb.Helper()
	ctx := context.Background()
	dsn := filepath.Join(tb.TempDir(), "bench.db")
	if dialect == "postgres" {
		dsn = pgtest.DSN(tb, dialect)
	}
	cfg.SecretKey = pgtest.SecretKey
	m, err := gen.Generate(ctx, dsn, cfg)
	if err != nil {
		tb.Fatalf("generate: %v", err)
	}
	db, err := store.Open(ctx, dsn, store.Options{SecretKey: pgtest.SecretKey})
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	// The gateway as serve builds it, minus the request log (the benchmark
	// would measure its writes to the test's output).
	_, gw := pgtest.Serve(tb, db, slog.New(slog.DiscardHandler))
	bdb, err := baseline.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("open baseline: %v", err)
	}
	tb.Cleanup(func() { bdb.Close() })
	bs := baseline.New(bdb)
	base := httptest.NewServer(bs.Handler())
	tb.Cleanup(base.Close)
	return &servers{manifest: m, db: db, gatewayStatements: db.Statements, baseline: bs, gateway: gw, base: base}
}

// post sends body to url's /graphql with key and returns the decoded response.
func post(tb testing.TB, url, key string, body []byte) map[string]any {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		tb.Fatalf("%s: status %d, not JSON: %.300s", url, resp.StatusCode, raw)
	}
	if resp.StatusCode != http.StatusOK || out["errors"] != nil {
		tb.Fatalf("%s: status %d: %.500s", url, resp.StatusCode, raw)
	}
	return out
}

// smallDataset has every shape the dashboard renders (null project, tier,
// category and stage; every custom field type; restricted stages) and
// loads in well under a second.
func smallDataset() gen.Config {
	return gen.Config{Seed: 7, Partners: 12, PartnershipsPerPartner: 4, Tiers: 3, Categories: 2, Stages: 5, Projects: 3,
		Tags: 9, Users: 5, TagsPerPartnership: 3, UsersPerPartnership: 2, ValuesPerPartnership: 6, Batch: 7}
}

// TestBaselineMatchesGateway proves the baseline answers the dashboard with
// the gateway's data, value for value, so comparing their speed is fair.
func TestBaselineMatchesGateway(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		s := start(t, dialect, smallDataset())
		m := s.manifest
		// A partner without partnerships, after the generated ones.
		a := pg.Actor{OrganizationID: m.OrganizationID, KeyOrganizationID: m.OrganizationID, UserID: m.AdminID,
			Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
		if _, err := s.db.CreatePartner(context.Background(), a, pg.PartnerCreate{CompanyName: "Lonely Partner", Email: "lonely@partner.example",
			PartnerType: pg.PartnerTypeSupplier, SalesAmount: 1, Frequency: "monthly", PaymentTerms: "Net 30"}); err != nil {
			t.Fatal(err)
		}
		for _, size := range []struct{ partners, partnerships int }{{5, 2}, {m.Partners + 1, 3}, {bench.DashboardPartners, bench.DashboardPartnerships}} {
			t.Run(fmt.Sprintf("%dx%d", size.partners, size.partnerships), func(t *testing.T) {
				body := bench.DashboardBody(size.partners, size.partnerships)
				gwBefore, baseBefore := s.gatewayStatements(), s.baseline.Statements()
				want := post(t, s.gateway.URL, m.ReadKey, body)
				gwStatements := s.gatewayStatements() - gwBefore
				got := post(t, s.base.URL, m.ReadKey, body)
				baseStatements := s.baseline.Statements() - baseBefore
				if !reflect.DeepEqual(want["data"], got["data"]) {
					w, _ := json.MarshalIndent(want["data"], "", " ")
					g, _ := json.MarshalIndent(got["data"], "", " ")
					t.Fatalf("the baseline's data differs from the gateway's\n%s", firstDifference(string(w), string(g)))
				}
				nodes := want["data"].(map[string]any)["partners"].(map[string]any)["nodes"].([]any)
				if len(nodes) != min(size.partners, m.Partners+1) {
					t.Fatalf("want %d partners, got %d", min(size.partners, m.Partners+1), len(nodes))
				}
				if baseStatements != 3 {
					t.Errorf("the baseline sent %d statements, want 3", baseStatements)
				}
				t.Logf("%s: statements per dashboard request: gateway %d, baseline %d", dialect, gwStatements, baseStatements)
			})
		}
	})
}

// firstDifference shows where two indented JSON documents first differ.
func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-400)
	return fmt.Sprintf("gateway:\n…%.600s\nbaseline:\n…%.600s", want[from:], got[from:])
}

func TestBaselineRefusesUnknownKeys(t *testing.T) {
	s := start(t, "sqlite", smallDataset())
	req, _ := http.NewRequest(http.MethodPost, s.base.URL+"/graphql", bytes.NewReader(bench.DashboardBody(1, 1)))
	req.Header.Set("Authorization", "Bearer pgk_nope")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("want 401, got %d", resp.StatusCode)
	}
}

// TestGeneratorIsDeterministic: the same seed gives the same bulk rows,
// and another seed other ones.
func TestGeneratorIsDeterministic(t *testing.T) {
	generate := func(seed uint64) (*gen.Manifest, string) {
		cfg := smallDataset()
		cfg.Seed, cfg.SecretKey = seed, pgtest.SecretKey
		path := filepath.Join(t.TempDir(), "bench.db")
		m, err := gen.Generate(context.Background(), path, cfg)
		if err != nil {
			t.Fatal(err)
		}
		m.ReadKey, m.WriteKey, m.BulkSeconds = "", "", 0
		return m, bulkRows(t, path)
	}
	m1, rows1 := generate(7)
	m2, rows2 := generate(7)
	_, rows3 := generate(8)
	if !reflect.DeepEqual(m1, m2) {
		t.Fatalf("manifests differ:\n%+v\n%+v", m1, m2)
	}
	if rows1 != rows2 {
		t.Fatalf("the same seed gave different rows:\n%s", firstDifference(rows1, rows2))
	}
	if rows1 == rows3 {
		t.Fatal("another seed gave the same rows")
	}
	want := smallDataset()
	if m1.Partnerships != want.Partners*want.PartnershipsPerPartner || len(m1.Movable) == 0 || len(m1.OpenStages) != want.Stages-2 {
		t.Fatalf("unexpected manifest: %+v", m1)
	}
}

// bulkRows returns every bulk-loaded row of a SQLite dataset as text.
func bulkRows(t *testing.T, path string) string {
	t.Helper()
	db, err := sqlx.Open("sqlite3", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		"SELECT * FROM partners ORDER BY id",
		"SELECT * FROM partnerships ORDER BY id",
		"SELECT * FROM partnership_tags ORDER BY 1, 2",
		"SELECT * FROM partnership_users ORDER BY 1, 2",
		"SELECT * FROM custom_field_values ORDER BY 1, 2",
	} {
		rows, err := db.Queryx(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		for rows.Next() {
			cols, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%v\n", cols)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// wideDataset is the Go benchmarks' dataset: 2,000 partners and 20,000
// partnerships, with bench/run's taxonomy.
func wideDataset() gen.Config {
	cfg := gen.Default()
	cfg.Partners, cfg.PartnershipsPerPartner = 2000, 10
	return cfg
}

// BenchmarkDashboard runs the dashboard query (50 partners × 10
// partnerships with every edge) against wideDataset through real
// HTTP, on the gateway and on the baseline, with 1 and 32 connections, and
// reports requests per second, p50 and p99 latency and SQL statements per
// request. b.N is the number of requests.
//
//	go test ./bench -run '^$' -bench Dashboard
//	go test ./bench -run '^$' -bench 'Dashboard/sqlite/gateway/conns=32' -benchtime 400x -cpuprofile cpu.out
func BenchmarkDashboard(b *testing.B) {
	for _, dialect := range pgtest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			s := start(b, dialect, wideDataset())
			body := bench.DashboardBody(bench.DashboardPartners, bench.DashboardPartnerships)
			for _, target := range []struct {
				name       string
				url        string
				statements func() int64
			}{{"gateway", s.gateway.URL, s.gatewayStatements}, {"baseline", s.base.URL, s.baseline.Statements}} {
				for _, conns := range []int{1, 32} {
					b.Run(fmt.Sprintf("%s/conns=%d", target.name, conns), func(b *testing.B) {
						header := http.Header{"Authorization": {"Bearer " + s.manifest.ReadKey}}
						o := load.Options{Connections: conns, Requests: max(b.N, conns), Check: load.CheckGraphQL,
							Request: load.PostJSON(target.url+"/graphql", body, header), Client: load.NewClient(conns)}
						measure(b, o, target.statements)
					})
				}
			}
		})
	}
}

// BenchmarkUpdatePartnership runs updatePartnership (stage and three tags
// changed) from 16 clients through real HTTP against bench/run's dataset on
// SQLite (and PostgreSQL), and reports mutations per second and latency.
// b.N is the number of mutations.
//
//	go test ./bench -run '^$' -bench UpdatePartnership -benchtime 3000x -cpuprofile cpu.out
func BenchmarkUpdatePartnership(b *testing.B) {
	const clients = 16
	for _, dialect := range pgtest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			s := start(b, dialect, gen.Default())
			moves := make([]func() []byte, clients)
			for i := range moves {
				var err error
				if moves[i], err = bench.Moves(s.manifest, 1, i); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
				request := func(ctx context.Context, conn int) (*http.Request, error) {
					req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.gateway.URL+"/graphql", bytes.NewReader(moves[conn]()))
					if err != nil {
						return nil, err
					}
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+s.manifest.WriteKey)
					return req, nil
				}
				o := load.Options{Connections: clients, Requests: max(b.N, clients), Check: load.CheckGraphQL, Request: request,
					Client: load.NewClient(clients)}
				measure(b, o, s.gatewayStatements)
			})
		})
	}
}

// BenchmarkStoreMutation runs the mutation benchmark's
// updatePartnership straight on the store from one goroutine: no HTTP, no
// GraphQL, no concurrency. On SQLite every mutation passes through the one
// writer, so its time here bounds the gateway's mutations per second, and
// it is steadier than the HTTP figure on a busy machine. b.N is the number
// of mutations.
//
//	go test ./bench -run '^$' -bench StoreMutation -benchtime 4000x -count 5
func BenchmarkStoreMutation(b *testing.B) {
	for _, dialect := range pgtest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			s := start(b, dialect, gen.Default())
			m := s.manifest
			a := pg.Actor{OrganizationID: m.OrganizationID, KeyOrganizationID: m.OrganizationID, UserID: m.AdminID,
				Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
			ctx := context.Background()
			before := s.db.Statements()
			b.ResetTimer()
			for i := range b.N {
				tags := []int64{m.Tags[i%len(m.Tags)], m.Tags[(i+1)%len(m.Tags)], m.Tags[(i+2)%len(m.Tags)]}
				u := pg.PartnershipUpdate{StageID: pg.Some(m.OpenStages[i%len(m.OpenStages)]), TagIDs: &tags}
				if _, err := s.db.UpdatePartnership(ctx, a, m.Movable[i%len(m.Movable)], u); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(s.db.Statements()-before)/float64(b.N), "stmts/op")
		})
	}
}

// report reports a load run's throughput, latency and statements per request.
// measure runs the load o as the benchmark's timed part and reports it,
// with the statements the server's counter grew by per request.
func measure(b *testing.B, o load.Options, statements func() int64) {
	before := statements()
	b.ResetTimer()
	res, err := load.Run(context.Background(), o)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if res.Errors > 0 {
		b.Fatalf("%d requests failed; the first: %s", res.Errors, res.FirstError)
	}
	report(b, res, float64(statements()-before)/float64(res.Requests))
}

func report(b *testing.B, res *load.Result, statements float64) {
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(res.Throughput(), "req/s")
	b.ReportMetric(ms(res.Percentile(50)), "p50-ms")
	b.ReportMetric(ms(res.Percentile(99)), "p99-ms")
	b.ReportMetric(statements, "stmts/req")
}
