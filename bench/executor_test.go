package bench_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"runtime/metrics"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"

	pg "partnergraph"
	"partnergraph/auth"
	"partnergraph/bench"
	"partnergraph/compiled"
	"partnergraph/loaders"
	"partnergraph/pgtest"
	"partnergraph/resolvers"
	"partnergraph/server"
)

// BenchmarkDashboardCost splits the dashboard's cost, one request at a
// time and without HTTP, into what the SQL and what the GraphQL executor
// take, beside the baseline's whole cost:
//
//   - gateway/executor: the real schema and resolvers run the dashboard with
//     loaders that already hold every record it shows, so only the root
//     list's statement is sent: mostly the cost of gqlgen's execution and
//     response, encoded as /graphql encodes it (server.EncodeResponse);
//   - gateway/full: the same with fresh loaders, as a request gets them;
//   - gateway/compiled: the same request answered by the compiled path of
//     reads (package compiled), as serve does by default;
//   - baseline: the hand-written handler, SQL and encoding/json included.
//
// Each reports its processor time per request (cpu-ms/op, over every
// thread: the executor resolves fields in goroutines) and the goroutines
// it started beside the wall time.
//
//	go test ./bench -run '^$' -bench DashboardCost -benchmem
func BenchmarkDashboardCost(b *testing.B) {
	for _, dialect := range pgtest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			s := start(b, dialect, wideDataset())
			ctx := context.Background()
			a, err := auth.Authenticator{Directory: s.db}.Actor(ctx, auth.Credentials{Authorization: "Bearer " + s.manifest.ReadKey})
			if err != nil {
				b.Fatal(err)
			}
			schema := resolvers.NewSchema(&resolvers.Resolver{DB: s.db})
			exec := executor.New(schema)
			fast := executor.New(schema)
			fast.Use(compiled.New(100, nil))
			vars := map[string]any{"partners": bench.DashboardPartners, "partnerships": bench.DashboardPartnerships}
			runWith := func(b *testing.B, exec *executor.Executor, l *loaders.Loaders) []byte {
				ctx := graphql.StartOperationTrace(loaders.NewContext(pg.NewContext(ctx, a), l))
				oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: bench.Dashboard, Variables: vars})
				if errs != nil {
					b.Fatal(errs)
				}
				ctx = graphql.WithOperationContext(ctx, oc)
				h, ctx := exec.DispatchOperation(ctx, oc)
				resp := h(ctx)
				if len(resp.Errors) > 0 {
					b.Fatal(resp.Errors)
				}
				return server.EncodeResponse(resp)
			}
			run := func(b *testing.B, l *loaders.Loaders) []byte { return runWith(b, exec, l) }
			b.Run("gateway/executor", func(b *testing.B) {
				l := loaders.New(s.db, a, nil)
				want := run(b, l)
				before := s.db.Statements()
				cpu(b, func() {
					if got := run(b, l); len(got) != len(want) {
						b.Fatalf("the response changed: %d bytes, then %d", len(want), len(got))
					}
				})
				// The root list of partners is read by its resolver, not a loader.
				if n := s.db.Statements() - before; n > int64(b.N) {
					b.Fatalf("%d runs on warm loaders sent %d statements", b.N, n)
				}
			})
			b.Run("gateway/full", func(b *testing.B) {
				cpu(b, func() { run(b, loaders.New(s.db, a, nil)) })
			})
			b.Run("gateway/compiled", func(b *testing.B) {
				if got, want := runWith(b, fast, loaders.New(s.db, a, nil)), run(b, loaders.New(s.db, a, nil)); !bytes.Equal(got, want) {
					b.Fatalf("the compiled path answers otherwise:\n%.300s\n%.300s", got, want)
				}
				cpu(b, func() { runWith(b, fast, loaders.New(s.db, a, nil)) })
			})
			b.Run("baseline", func(b *testing.B) {
				h := s.baseline.Handler()
				body := string(bench.DashboardBody(bench.DashboardPartners, bench.DashboardPartnerships))
				cpu(b, func() {
					req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+s.manifest.ReadKey)
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("baseline: %d %s", w.Code, w.Body)
					}
				})
			})
		})
	}
}

// cpu runs f b.N times and reports the process's processor time and the
// goroutines it started, per run.
func cpu(b *testing.B, f func()) {
	b.Helper()
	created := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}}
	goroutines := func() uint64 {
		metrics.Read(created)
		if created[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return created[0].Value.Uint64()
	}
	used := func() time.Duration {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			b.Fatal(err)
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ReportAllocs()
	b.ResetTimer()
	start, started := used(), goroutines()
	for range b.N {
		f()
	}
	b.StopTimer()
	b.ReportMetric(float64(used()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(goroutines()-started)/float64(b.N), "goroutines/op")
}
