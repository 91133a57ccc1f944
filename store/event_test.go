package store_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/relay"
	"partnergraph/store"
)

// rawDB opens dsn without the store, as another program writing to the
// same database would.
func rawDB(t *testing.T, dialect, dsn string) *sqlx.DB {
	t.Helper()
	driver, name := "pgx", dsn
	if dialect == "sqlite" {
		driver, name = "sqlite3", "file:"+strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(dsn)+"?_busy_timeout=10000&_txlock=immediate&_foreign_keys=on"
	}
	db, err := sqlx.Open(driver, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// insertEvent writes an event row of org with SQL alone, in q.
func insertEvent(t *testing.T, q sqlx.Execer, dialect string, org int64, typ string) {
	t.Helper()
	bind := sqlx.QUESTION
	if dialect == "postgres" {
		bind = sqlx.DOLLAR
	}
	if _, err := q.Exec(sqlx.Rebind(bind, `INSERT INTO events (uuid, organization_id, type, resource_type, resource_id, payload, created_at)
		VALUES (?, ?, ?, 'Test', 1, '{}', ?)`), uuid.NewString(), org, typ, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
}

func types(es []*pg.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Type
	}
	return out
}

// TestEventsCommittedLateAreNotSkipped holds a transaction that wrote an
// event open while a later one commits its own. A subscriber and a pager
// that read on past the later event still receive the earlier one once it
// commits: on PostgreSQL the later one committed first and was read first;
// on SQLite, whose one writer commits in order, it waited.
func TestEventsCommittedLateAreNotSkipped(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn := pgtest.DSN(t, dialect)
		db, err := store.Open(ctx, dsn, store.Options{SecretKey: pgtest.SecretKey})
		pgtest.Must(t, err)
		defer db.Close()
		org, err := db.CreateOrganization(ctx, "Acme")
		pgtest.Must(t, err)
		a := pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
		head, err := db.EventsHead(ctx, org.ID)
		pgtest.Must(t, err)

		late, err := rawDB(t, dialect, dsn).Beginx()
		pgtest.Must(t, err)
		defer late.Rollback()
		insertEvent(t, late, dialect, org.ID, "late.written")
		early := make(chan error, 1)
		go func() {
			_, err := db.CreateTag(ctx, a, pg.TagCreate{Name: "early"})
			early <- err
		}()
		select {
		case err := <-early:
			pgtest.Must(t, err)
			early <- nil
		case <-time.After(500 * time.Millisecond): // SQLite's writer waits for the open transaction
		}
		// A subscriber and a pager read what has committed.
		read, err := db.EventsAfter(ctx, org.ID, head, 100)
		pgtest.Must(t, err)
		page, err := db.Events(ctx, a, pg.EventFilter{}, pg.PageRequest{Limit: 100})
		pgtest.Must(t, err)
		if dialect == "postgres" && !slices.Equal(types(read), []string{"tag.created"}) {
			t.Fatalf("before the earlier transaction commits, the subscriber reads %v; want the later one's tag.created", types(read))
		}
		pgtest.Must(t, late.Commit())
		pgtest.Must(t, <-early)

		// Each reads on from where it stopped.
		position := head
		if len(read) > 0 {
			position = read[len(read)-1].Position
		}
		more, err := db.EventsAfter(ctx, org.ID, position, 100)
		pgtest.Must(t, err)
		next := pg.PageRequest{Limit: 100}
		if len(page.Items) > 0 {
			c := page.Cursor(page.Items[len(page.Items)-1])
			next.After = &c
		}
		nextPage, err := db.Events(ctx, a, pg.EventFilter{}, next)
		pgtest.Must(t, err)
		for reader, got := range map[string][]*pg.Event{"subscriber": append(read, more...), "pager": append(page.Items, nextPage.Items...)} {
			names := types(got)
			slices.Sort(names)
			if !slices.Equal(names, []string{"late.written", "tag.created"}) {
				t.Errorf("the %s received %v; want each event once", reader, types(got))
			}
		}
	})
}

// TestCursorsSavedBeforePositionsPageOn saves an events cursor as clients
// received them before events had positions (in the order of their ids),
// upgrades the database, and pages on from it through GraphQL: every event
// after the saved one arrives once, the old ones in their order and the new
// ones after them; paging backward from it gives the ones before.
func TestCursorsSavedBeforePositionsPageOn(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn := pgtest.DSN(t, dialect)
		db, err := store.Open(ctx, dsn, store.Options{SecretKey: pgtest.SecretKey})
		pgtest.Must(t, err)
		env := &pgtest.Env{DB: db}
		org := env.Org(t, "Acme")
		pgtest.Must(t, db.Close())

		// The schema as it was before positions, and events written then.
		m, err := store.OpenMigrator(ctx, dsn)
		pgtest.Must(t, err)
		for {
			// Later migrations are rolled back on the way.
			r, err := m.Down(ctx)
			if err != nil || r.Version < 4 {
				t.Fatalf("down: %+v %v", r, err)
			}
			if strings.Contains(r.Name, "event_positions") {
				break
			}
		}
		pgtest.Must(t, m.Close())
		raw := rawDB(t, dialect, dsn)
		for i := range 20 {
			insertEvent(t, raw, dialect, org.ID, fmt.Sprintf("old.%02d", i))
		}
		var old []int64
		pgtest.Must(t, raw.Select(&old, raw.Rebind(`SELECT id FROM events WHERE organization_id = ? ORDER BY id`), org.ID))
		const seen = 12 // the client has read this many, and saved the last one's cursor
		saved := relay.EncodeCursor(pg.Cursor{Order: "id", ID: old[seen-1]})

		// The upgrade, then events written since.
		db, err = store.Open(ctx, dsn, store.Options{SecretKey: pgtest.SecretKey})
		pgtest.Must(t, err)
		defer db.Close()
		env.DB = db
		_, env.Server = pgtest.Serve(t, db, slog.New(slog.DiscardHandler))
		for i := range 5 {
			env.Query(t, org.Write, `mutation($n: String!) { createTag(input: {name: $n}) { tag { id } } }`, map[string]any{"n": fmt.Sprint("new-", i)}, nil)
		}
		want := append(append([]int64{}, old[seen:]...), eventIDs(t, env, org, `{ events(last: 5) { nodes { databaseId } } }`)...)
		var got []int64
		for after := saved; ; {
			var data struct {
				Events struct {
					Nodes    []struct{ DatabaseID int64 }
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			env.Query(t, org.Read, `query($after: String) { events(first: 7, after: $after) { nodes { databaseId } pageInfo { hasNextPage endCursor } } }`,
				map[string]any{"after": after}, &data)
			for _, n := range data.Events.Nodes {
				got = append(got, n.DatabaseID)
			}
			if !data.Events.PageInfo.HasNextPage {
				break
			}
			after = data.Events.PageInfo.EndCursor
		}
		if !slices.Equal(got, want) {
			t.Fatalf("paging on from the saved cursor gave %v; want %v", got, want)
		}
		before := eventIDs(t, env, org, `{ events(last: 4, before: "`+saved+`") { nodes { databaseId } } }`)
		if !slices.Equal(before, old[seen-5:seen-1]) {
			t.Fatalf("paging back from the saved cursor gave %v; want %v", before, old[seen-5:seen-1])
		}
	})
}

func eventIDs(t *testing.T, env *pgtest.Env, org *pgtest.Org, query string) []int64 {
	t.Helper()
	var data struct {
		Events struct{ Nodes []struct{ DatabaseID int64 } }
	}
	env.Query(t, org.Read, query, nil, &data)
	out := make([]int64, len(data.Events.Nodes))
	for i, n := range data.Events.Nodes {
		out[i] = n.DatabaseID
	}
	return out
}

// TestEndpointsHearTheEventsOfTheirLifetime changes a tier from several
// goroutines while a webhook endpoint is created and later disabled: a
// change made wholly while the endpoint was enabled is delivered to it, one
// made wholly before its creation or after its disabling is not.
func TestEndpointsHearTheEventsOfTheirLifetime(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		dsn := pgtest.DSN(t, dialect)
		db, err := store.Open(context.Background(), dsn, store.Options{SecretKey: pgtest.SecretKey})
		pgtest.Must(t, err)
		defer db.Close()
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "Hooks")
		pgtest.Must(t, err)
		a := pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
		tier, err := db.CreateTier(ctx, a, pg.TierCreate{Name: "Gold"})
		pgtest.Must(t, err)

		// Phases: before the endpoint, creating it, enabled, disabling it,
		// disabled. A change whose start and end fall in one even phase
		// happened wholly in it.
		var phase atomic.Int32
		type write struct{ rank, from, to int32 }
		var mu sync.Mutex
		var writes []write
		var next atomic.Int32
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					rank := 1000 + next.Add(1)
					from := phase.Load()
					if _, err := db.UpdateTier(ctx, a, tier.ID, pg.TierUpdate{Rank: &rank}); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					writes = append(writes, write{rank, from, phase.Load()})
					mu.Unlock()
				}
			}()
		}
		pause := func() { time.Sleep(150 * time.Millisecond) }
		pause()
		phase.Store(1)
		e, _, err := db.CreateWebhookEndpoint(ctx, a, pg.WebhookEndpointCreate{URL: "https://hooks.example/tiers"})
		pgtest.Must(t, err)
		phase.Store(2)
		pause()
		phase.Store(3)
		disabled := false
		_, _, err = db.UpdateWebhookEndpoint(ctx, a, e.ID, pg.WebhookEndpointUpdate{Enabled: &disabled})
		pgtest.Must(t, err)
		phase.Store(4)
		pause()
		close(stop)
		wg.Wait()

		raw := rawDB(t, dialect, dsn)
		seen := map[int32]int{}
		for _, w := range writes {
			if w.from != w.to || w.from%2 == 1 {
				continue
			}
			seen[w.from]++
			var n int
			pgtest.Must(t, raw.Get(&n, raw.Rebind(`SELECT COUNT(*) FROM webhook_deliveries d JOIN events v ON v.id = d.event_id
				WHERE d.endpoint_id = ? AND v.payload LIKE ?`), e.ID, fmt.Sprintf(`%%"rank":%d,%%`, w.rank)))
			if want := map[bool]int{true: 1, false: 0}[w.from == 2]; n != want {
				t.Errorf("rank %d, set in phase %d: %d deliveries, want %d", w.rank, w.from, n, want)
			}
		}
		for _, p := range []int32{0, 2, 4} {
			if seen[p] == 0 {
				t.Errorf("no change was made wholly in phase %d", p)
			}
		}
	})
}
