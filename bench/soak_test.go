package bench_test

import (
	"context"
	"flag"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"partnergraph/pgtest"
	"partnergraph/store"
)

var (
	soakDuration = flag.Duration("soak", time.Minute, "how long BenchmarkEventSoak writes (at least a minute)")
	soakWriters  = flag.Int("soak-writers", 8, "BenchmarkEventSoak's concurrent writers")
	soakPause    = flag.Duration("soak-pause", 20*time.Millisecond, "each BenchmarkEventSoak writer's pause between two changes")
)

// BenchmarkEventSoak writes for -soak (a minute at least) from -soak-writers
// writers through two gateways at once (two stores on one database, woken
// by each other's commits through LISTEN/NOTIFY on PostgreSQL; one store on
// SQLite), while a subscriber over server-sent events and one over
// graphql-transport-ws on each gateway and a client paging events(after:)
// follow the events. It then prints, for each reader, the events committed,
// delivered and lost (which must be none, nor any delivered twice) and the
// delivery lag: from the event's createdAt (when its transaction began) to
// its arrival. It runs once, whatever b.N.
//
//	go test ./bench -run '^$' -bench EventSoak -benchtime 1x
//	go test ./bench -run '^$' -bench EventSoak/postgres -benchtime 1x -soak 10m -soak-pause 0
func BenchmarkEventSoak(b *testing.B) {
	if *soakDuration < time.Minute {
		b.Fatalf("-soak %s: a soak runs a minute at least", *soakDuration)
	}
	for _, dialect := range pgtest.Dialects(b) {
		b.Run(dialect, func(b *testing.B) {
			urls, key := soakGateways(b, dialect)
			ctx, cancel := context.WithCancel(context.Background())
			const typ = "tag.created"
			subscribers := []*pgtest.EventReader{
				pgtest.FollowSubscription(ctx, "SSE on A", pgtest.SSE, urls[0], key, typ),
				pgtest.FollowSubscription(ctx, "graphql-transport-ws on A", pgtest.WebSocket, urls[0], key, typ),
				pgtest.FollowSubscription(ctx, "SSE on B", pgtest.SSE, urls[1], key, typ),
				pgtest.FollowSubscription(ctx, "graphql-transport-ws on B", pgtest.WebSocket, urls[1], key, typ),
			}
			pager := pgtest.FollowPages(ctx, "pager on B (every 100 ms)", urls[1], key, typ, 100*time.Millisecond)
			readers := append(slices.Clone(subscribers), pager)
			defer func() {
				cancel()
				for _, r := range readers {
					<-r.Done()
				}
			}()
			if err := pgtest.StartReaders(urls[0], key, readers); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			writing, stop := context.WithTimeout(ctx, *soakDuration)
			committed, err := pgtest.WriteTags(writing, urls, key, *soakWriters, 1<<30, *soakPause)
			stop()
			if err != nil {
				b.Fatal(err)
			}
			pgtest.WaitFor(readers, committed, time.Minute)
			time.Sleep(time.Second) // time for a duplicate to arrive
			b.StopTimer()
			soakReport(b, committed, subscribers, pager)
		})
	}
}

// soakGateways serves a fresh database of dialect from two gateways and
// returns their URLs and a WRITE key.
func soakGateways(b *testing.B, dialect string) ([]string, string) {
	ctx := context.Background()
	dsn := filepath.Join(b.TempDir(), "soak.db")
	if dialect == "postgres" {
		dsn = pgtest.DSN(b, dialect)
	}
	var urls []string
	var env *pgtest.Env
	for range 2 {
		if dialect == "sqlite" && env != nil {
			// One process owns a SQLite file: its second gateway shares the store.
			urls = append(urls, env.Another(b).URL)
			continue
		}
		db, err := store.Open(ctx, dsn, store.Options{SecretKey: pgtest.SecretKey})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		_, srv := pgtest.Serve(b, db, slog.New(slog.DiscardHandler))
		urls = append(urls, srv.URL)
		if env == nil {
			env = &pgtest.Env{DB: db, Server: srv}
		}
	}
	return urls, env.Org(b, "Soak").Write
}

// soakReport prints each reader's tally and lag, reports the events lost by
// any reader and the subscribers' lag as the benchmark's metrics, and fails
// on any event lost or delivered twice.
func soakReport(b *testing.B, committed map[string]bool, subscribers []*pgtest.EventReader, pager *pgtest.EventReader) {
	b.Logf("%d events committed in %s (%.0f/s)", len(committed), *soakDuration, float64(len(committed))/soakDuration.Seconds())
	b.Logf("%-32s %9s %9s %6s %6s %10s %10s %10s", "reader", "committed", "delivered", "lost", "twice", "lag p50", "lag p99", "lag max")
	var lags []time.Duration
	lost := 0
	for _, r := range append(slices.Clone(subscribers), pager) {
		kept, _, err := r.State()
		if err != nil {
			b.Errorf("%s: %v", r.Name, err)
		}
		n := r.Tally(committed)
		own := make([]time.Duration, len(kept))
		for i, e := range kept {
			own[i] = e.At.Sub(e.CreatedAt)
		}
		slices.Sort(own)
		b.Logf("%-32s %9d %9d %6d %6d %10s %10s %10s", r.Name, len(committed), n.Received, n.Lost, n.Twice,
			percentile(own, 50), percentile(own, 99), percentile(own, 100))
		if n.Lost > 0 || n.Twice > 0 {
			b.Errorf("%s: %d events never delivered, %d delivered more than once", r.Name, n.Lost, n.Twice)
		}
		lost += n.Lost
		if r != pager {
			lags = append(lags, own...)
		}
	}
	slices.Sort(lags)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(float64(len(committed)), "committed")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(ms(percentile(lags, 50)), "lag-p50-ms")
	b.ReportMetric(ms(percentile(lags, 99)), "lag-p99-ms")
}

// percentile is the p-th percentile of sorted durations (0 for none).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i].Round(100 * time.Microsecond)
}
