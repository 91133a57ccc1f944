package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// TestProcessesStartingTogetherMigrateOnce opens one fresh database from
// several goroutines at once, as gateway processes starting together do.
func TestProcessesStartingTogetherMigrateOnce(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		dsn := pgtest.DSN(t, dialect)
		const n = 6
		dbs := make([]*store.DB, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dbs[i], errs[i] = store.Open(context.Background(), dsn, store.Options{SecretKey: pgtest.SecretKey})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("open %d: %v", i, err)
			}
			defer dbs[i].Close()
		}
		// All of them work on the one schema.
		for i, db := range dbs {
			if _, err := db.CreateOrganization(context.Background(), fmt.Sprintf("Org %d", i)); err != nil {
				t.Fatalf("store %d: %v", i, err)
			}
		}
		if n, err := dbs[0].CountOrganizations(context.Background()); err != nil || n != len(dbs) {
			t.Fatalf("want %d organizations, got %d %v", len(dbs), n, err)
		}
	})
}

// TestConcurrentWritersAreNeverLocked runs 64 writers at once: none gets
// "database is locked" back, and every acknowledged write is stored.
func TestConcurrentWritersAreNeverLocked(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.OpenDB(t, dialect)
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "Busy")
		if err != nil {
			t.Fatal(err)
		}
		a := pg.Actor{OrganizationID: org.ID, Permission: pg.PermissionWrite}
		const writers = 64
		// PARTNERGRAPH_TEST_WRITE_SECONDS=10 runs the full ten seconds.
		duration := 2 * time.Second
		if s, err := strconv.Atoi(os.Getenv("PARTNERGRAPH_TEST_WRITE_SECONDS")); err == nil && s > 0 {
			duration = time.Duration(s) * time.Second
		}
		deadline := time.Now().Add(duration)
		var mu sync.Mutex
		acked := map[string]bool{}
		var failures []error
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; time.Now().Before(deadline); i++ {
					name := fmt.Sprintf("tag-%d-%d", w, i)
					if _, err := db.CreateTag(ctx, a, pg.TagCreate{Name: name}); err != nil {
						mu.Lock()
						failures = append(failures, err)
						mu.Unlock()
						return
					}
					// Readers run beside the writers, as in a real load.
					if _, err := db.Tags(ctx, a, nil, pg.PageRequest{Limit: 5}); err != nil {
						mu.Lock()
						failures = append(failures, err)
						mu.Unlock()
						return
					}
					mu.Lock()
					acked[name] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		for _, err := range failures {
			t.Errorf("a writer failed: %v", err)
			if strings.Contains(err.Error(), "locked") {
				t.Fatal("database is locked")
			}
		}
		stored := map[string]bool{}
		var after *pg.Cursor
		for {
			l, err := db.Tags(ctx, a, nil, pg.PageRequest{Limit: pg.MaxPageSize, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, tag := range l.Items {
				stored[tag.Name] = true
			}
			if !l.HasNext {
				break
			}
			c := l.Cursor(l.Items[len(l.Items)-1])
			after = &c
		}
		for name := range acked {
			if !stored[name] {
				t.Fatalf("acknowledged write %s is missing", name)
			}
		}
		t.Logf("%s: %d writers wrote %d rows in %s", dialect, writers, len(acked), duration)
		if len(acked) < writers {
			t.Fatalf("only %d writes", len(acked))
		}
	})
}

// TestConcurrentMutationsWithFailuresAndCancellations runs many writers at
// once, some of whose mutations conflict and some of whose callers give up
// midway: every mutation acknowledged is stored, every one that failed
// left nothing behind, and a failure never fails a neighbour. On SQLite
// the writers share group commits; on PostgreSQL they run side by side.
func TestConcurrentMutationsWithFailuresAndCancellations(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.OpenDB(t, dialect)
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "Crowded")
		if err != nil {
			t.Fatal(err)
		}
		a := pg.Actor{OrganizationID: org.ID, Permission: pg.PermissionWrite}
		const writers, each = 16, 24
		type outcome struct {
			name string
			err  error
		}
		outcomes := make([][]outcome, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					name := fmt.Sprintf("tag-%d-%d", w, i)
					callCtx, cancel := context.WithCancel(ctx)
					switch i % 4 {
					case 1:
						// Everyone's second tag of each four is the same
						// name: all but one conflict.
						name = fmt.Sprintf("shared-%d", i)
					case 2:
						// The caller gives up while the mutation is on
						// its way, at no particular point.
						go cancel()
					}
					_, err := db.CreateTag(callCtx, a, pg.TagCreate{Name: name})
					cancel()
					outcomes[w] = append(outcomes[w], outcome{name, err})
				}
			}()
		}
		wg.Wait()
		stored := map[string]int{}
		var after *pg.Cursor
		for {
			l, err := db.Tags(ctx, a, nil, pg.PageRequest{Limit: pg.MaxPageSize, After: after})
			if err != nil {
				t.Fatal(err)
			}
			for _, tag := range l.Items {
				stored[tag.Name]++
			}
			if !l.HasNext {
				break
			}
			c := l.Cursor(l.Items[len(l.Items)-1])
			after = &c
		}
		acked := map[string]int{}
		for _, os := range outcomes {
			for _, o := range os {
				switch {
				case o.err == nil:
					acked[o.name]++
				case strings.HasPrefix(o.name, "shared-") && pg.ErrorCode(o.err) == pg.Conflict:
				case errors.Is(o.err, context.Canceled):
					if stored[o.name] > 0 {
						t.Errorf("%s: the caller was told it was canceled, but it is stored", o.name)
					}
				default:
					t.Errorf("%s: %v", o.name, o.err)
				}
			}
		}
		for name, n := range acked {
			if n != 1 || stored[name] != 1 {
				t.Errorf("%s: acknowledged %d times, stored %d times", name, n, stored[name])
			}
		}
		for name := range stored {
			if acked[name] == 0 {
				t.Errorf("%s: stored but never acknowledged", name)
			}
		}
		for i := 1; i < each; i += 4 {
			if name := fmt.Sprintf("shared-%d", i); acked[name] != 1 {
				t.Errorf("%s: acknowledged %d times, want once", name, acked[name])
			}
		}
	})
}

// TestWriteAheadLogStaysBounded writes steadily from many writers while
// readers read: the writer does not checkpoint in its commits, so this
// proves the log is still copied back and rewound rather than growing
// with every write.
func TestWriteAheadLogStaysBounded(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t, "sqlite")
	db, err := store.Open(ctx, dsn, store.Options{SecretKey: pgtest.SecretKey})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := db.CreateOrganization(ctx, "Steady")
	if err != nil {
		t.Fatal(err)
	}
	a := pg.Actor{OrganizationID: org.ID, Permission: pg.PermissionWrite}
	const writers, each = 16, 1000
	var wg sync.WaitGroup
	errs := make(chan error, 2*writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tag, err := db.CreateTag(ctx, a, pg.TagCreate{Name: fmt.Sprintf("steady-%d", w)})
			if err != nil {
				errs <- err
				return
			}
			// A long payload makes each change a few pages of log.
			pad := strings.Repeat("x", 3000)
			for i := range each {
				name := fmt.Sprintf("steady-%d-%d-%s", w, i, pad)[:100]
				if _, err := db.UpdateTag(ctx, a, tag.ID, pg.TagUpdate{Name: &name}); err != nil {
					errs <- err
					return
				}
				if _, err := db.Tags(ctx, a, nil, pg.PageRequest{Limit: 5}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	info, err := os.Stat(dsn + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	// Every update appends at least two pages (the tag and its event):
	// a log never rewound would hold them all.
	const page = 4096 + 24
	if never := int64(2 * writers * each * page); info.Size() >= never/2 {
		t.Fatalf("the log is %d bytes after %d updates; never rewound it would be %d", info.Size(), writers*each, never)
	}
	t.Logf("log: %d bytes after %d updates", info.Size(), writers*each)
}

// TestSQLitePathsWithURICharacters opens SQLite files whose paths hold the
// characters a file: URI gives a meaning (a subtest's folder is named
// "…sqlite#01"): each is its own database, at its own path.
func TestSQLitePathsWithURICharacters(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"a#1", "a#2", "b?x=1", "c%23"} {
		path := filepath.Join(dir, name, "partnergraph.db")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(context.Background(), path, store.Options{SecretKey: pgtest.SecretKey})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := db.CreateOrganization(context.Background(), name); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		n, err := db.CountOrganizations(context.Background())
		db.Close()
		if err != nil || n != 1 {
			t.Fatalf("%s: %d organizations (%v), want its own one", name, n, err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("%s (%d): no file at its path: %v", name, i, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Fatalf("files beside the four folders: %v", entries)
	}
}
