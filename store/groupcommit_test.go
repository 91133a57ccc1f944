package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	pg "partnergraph"
)

// TestGroupCommitBatch runs one batch of mutations, some of which fail in
// different ways, and checks that each failure changed nothing while the
// others were committed together, and each caller was answered.
func TestGroupCommitBatch(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "batch.db"), Options{SecretKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.committer == nil {
		t.Fatal("SQLite opened without group commit")
	}
	org, err := db.CreateOrganization(ctx, "Batch")
	if err != nil {
		t.Fatal(err)
	}
	a := pg.Actor{OrganizationID: org.ID, Permission: pg.PermissionWrite}
	var announced [][]int64
	db.OnEvents(func(ids []int64) { announced = append(announced, ids) })

	createTag := func(ctx context.Context, tx *Tx, name string) error {
		id, err := tx.insert(ctx, `INSERT INTO tags (uuid, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			"uuid-"+name, org.ID, name, tx.now, tx.now)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: org.ID, typ: "tag.created", resourceType: "Tag", resourceID: id, after: map[string]any{"name": name}})
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	selfCanceling, cancelSelf := context.WithCancel(ctx)
	defer cancelSelf()

	jobs := []struct {
		name string
		ctx  context.Context
		fn   func(ctx context.Context, tx *Tx) error
		// tags the mutation writes, kept only if it succeeds.
		tags    []string
		wantErr func(error) bool
		panics  bool
	}{
		{"succeeds", ctx, func(ctx context.Context, tx *Tx) error { return createTag(ctx, tx, "a") }, []string{"a"}, nil, false},
		{"fails after a write", ctx, func(ctx context.Context, tx *Tx) error {
			if err := createTag(ctx, tx, "b"); err != nil {
				return err
			}
			return createTag(ctx, tx, "a")
		}, []string{"b"}, func(err error) bool { return pg.ErrorCode(err) == pg.Conflict }, false},
		{"canceled before it runs", canceled, func(ctx context.Context, tx *Tx) error {
			t.Error("a canceled mutation ran")
			return createTag(ctx, tx, "c")
		}, []string{"c"}, func(err error) bool { return errors.Is(err, context.Canceled) }, false},
		{"canceled while it runs", selfCanceling, func(ctx context.Context, tx *Tx) error {
			if err := createTag(ctx, tx, "d"); err != nil {
				return err
			}
			cancelSelf()
			return createTag(ctx, tx, "d2")
		}, []string{"d", "d2"}, func(err error) bool { return errors.Is(err, context.Canceled) }, false},
		{"panics after a write", ctx, func(ctx context.Context, tx *Tx) error {
			if err := createTag(ctx, tx, "e"); err != nil {
				return err
			}
			panic("boom")
		}, []string{"e"}, func(err error) bool { return err != nil }, true},
		{"sees the batch's earlier changes", ctx, func(ctx context.Context, tx *Tx) error {
			var n int
			if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM tags WHERE organization_id = ? AND name = 'a'`, org.ID); err != nil {
				return err
			}
			if n != 1 {
				return fmt.Errorf("the batch's first tag is not visible: %d", n)
			}
			return createTag(ctx, tx, "f")
		}, []string{"f"}, nil, false},
	}

	// The committer's loop is idle; this one takes its jobs from a queue
	// filled beforehand, so they are one batch.
	c := &committer{db: db, ckpt: db.committer.ckpt, jobs: make(chan *job, len(jobs))}
	queued := make([]*job, len(jobs))
	for i, j := range jobs {
		queued[i] = &job{ctx: j.ctx, fn: func(tx *Tx) error { return j.fn(j.ctx, tx) }, done: make(chan struct{})}
		if i > 0 {
			c.jobs <- queued[i]
		}
	}
	c.batch(queued[0])

	var wantEvents []int64
	for i, j := range jobs {
		q := queued[i]
		select {
		case <-q.done:
		default:
			t.Errorf("%s: not answered", j.name)
		}
		if (q.panicked != nil) != j.panics {
			t.Errorf("%s: panicked %v", j.name, q.panicked)
		}
		if j.wantErr == nil && q.err != nil || j.wantErr != nil && !j.wantErr(q.err) {
			t.Errorf("%s: error %v", j.name, q.err)
		}
		for _, name := range j.tags {
			var n int
			if err := db.read().get(ctx, &n, `SELECT COUNT(*) FROM tags WHERE organization_id = ? AND name = ?`, org.ID, name); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[q.err == nil]; n != want {
				t.Errorf("%s: %d tags named %s, want %d", j.name, n, name, want)
			}
		}
		if q.err == nil {
			wantEvents = append(wantEvents, q.events...)
		} else if len(q.events) > 0 {
			t.Errorf("%s: failed but has events %v", j.name, q.events)
		}
	}
	if len(wantEvents) != 2 || len(announced) != 1 || !slices.Equal(announced[0], wantEvents) {
		t.Errorf("announced %v, want one announcement of the 2 committed events %v", announced, wantEvents)
	}
	var stored []int64
	if err := db.read().all(ctx, &stored, `SELECT id FROM events WHERE organization_id = ? AND type = 'tag.created' ORDER BY id`, org.ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stored, wantEvents) {
		t.Errorf("stored events %v, want %v", stored, wantEvents)
	}
}

// TestGroupCommitBatchLimit queues more mutations than one batch takes:
// the batch answers maxBatch of them and leaves the rest waiting for the
// next, losing none.
func TestGroupCommitBatchLimit(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "limit.db"), Options{SecretKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := db.CreateOrganization(ctx, "Limit")
	if err != nil {
		t.Fatal(err)
	}
	const extra = 3
	c := &committer{db: db, ckpt: db.committer.ckpt, jobs: make(chan *job, maxBatch+extra)}
	queued := make([]*job, maxBatch+extra)
	for i := range queued {
		name := fmt.Sprintf("tag-%d", i)
		queued[i] = &job{ctx: ctx, done: make(chan struct{}), fn: func(tx *Tx) error {
			_, err := tx.exec(ctx, `INSERT INTO tags (uuid, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				"uuid-"+name, org.ID, name, tx.now, tx.now)
			return err
		}}
		if i > 0 {
			c.jobs <- queued[i]
		}
	}
	answered := func() (n int) {
		for _, j := range queued {
			select {
			case <-j.done:
				if j.err != nil {
					t.Errorf("mutation failed: %v", j.err)
				}
				n++
			default:
			}
		}
		return n
	}
	c.batch(queued[0])
	if n := answered(); n != maxBatch || len(c.jobs) != extra {
		t.Fatalf("after one batch: %d answered, %d waiting; want %d and %d", n, len(c.jobs), maxBatch, extra)
	}
	c.batch(<-c.jobs)
	if n := answered(); n != maxBatch+extra || len(c.jobs) != 0 {
		t.Fatalf("after two batches: %d answered, %d waiting", n, len(c.jobs))
	}
	var stored int
	if err := db.read().get(ctx, &stored, `SELECT COUNT(*) FROM tags WHERE organization_id = ?`, org.ID); err != nil || stored != maxBatch+extra {
		t.Fatalf("%d tags stored, %v", stored, err)
	}
}

// TestGroupCommitEndpoints runs one batch whose mutations add, disable and
// (in a mutation that fails) add webhook endpoints between their events:
// each event goes to the endpoints as its own mutation sees them, though
// the batch reads them once for all.
func TestGroupCommitEndpoints(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "endpoints.db"), Options{SecretKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := db.CreateOrganization(ctx, "Hooks")
	if err != nil {
		t.Fatal(err)
	}
	a := pg.Actor{OrganizationID: org.ID, Permission: pg.PermissionWrite}
	first, _, err := db.CreateWebhookEndpoint(ctx, a, pg.WebhookEndpointCreate{URL: "https://hooks.example/first"})
	if err != nil {
		t.Fatal(err)
	}
	endpoint := map[string]int64{"first": first.ID}
	addEndpoint := func(ctx context.Context, tx *Tx, name string) error {
		id, err := tx.insert(ctx, `INSERT INTO webhook_endpoints (uuid, organization_id, url, secret_encrypted, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`, "uuid-"+name, org.ID, "https://hooks.example/"+name, []byte("sealed"), tx.now, tx.now)
		endpoint[name] = id
		return err
	}
	emit := func(ctx context.Context, tx *Tx, name string) error {
		return tx.emit(ctx, a, change{org: org.ID, typ: "tag.created", resourceType: "Tag", resourceID: 1, after: map[string]any{"name": name}})
	}
	jobs := []struct {
		event string
		fn    func(ctx context.Context, tx *Tx) error
		// endpoints the event is delivered to, when its mutation succeeds.
		want []string
	}{
		{"before", func(ctx context.Context, tx *Tx) error { return emit(ctx, tx, "before") }, []string{"first"}},
		{"added", func(ctx context.Context, tx *Tx) error {
			if err := addEndpoint(ctx, tx, "second"); err != nil {
				return err
			}
			return emit(ctx, tx, "added")
		}, []string{"first", "second"}},
		{"rolled back", func(ctx context.Context, tx *Tx) error {
			if err := addEndpoint(ctx, tx, "undone"); err != nil {
				return err
			}
			if err := emit(ctx, tx, "rolled back"); err != nil {
				return err
			}
			return errors.New("the mutation fails after its event")
		}, nil},
		{"after the rollback", func(ctx context.Context, tx *Tx) error { return emit(ctx, tx, "after the rollback") }, []string{"first", "second"}},
		{"disabled", func(ctx context.Context, tx *Tx) error {
			if _, err := tx.exec(ctx, `UPDATE webhook_endpoints SET enabled = ? WHERE id = ?`, false, endpoint["first"]); err != nil {
				return err
			}
			return emit(ctx, tx, "disabled")
		}, []string{"second"}},
		{"last", func(ctx context.Context, tx *Tx) error { return emit(ctx, tx, "last") }, []string{"second"}},
	}
	c := &committer{db: db, ckpt: db.committer.ckpt, jobs: make(chan *job, len(jobs))}
	queued := make([]*job, len(jobs))
	for i, j := range jobs {
		queued[i] = &job{ctx: ctx, fn: func(tx *Tx) error { return j.fn(ctx, tx) }, done: make(chan struct{})}
		if i > 0 {
			c.jobs <- queued[i]
		}
	}
	c.batch(queued[0])
	names := map[int64]string{}
	for name, id := range endpoint {
		names[id] = name
	}
	for i, j := range jobs {
		if (queued[i].err == nil) != (j.want != nil) {
			t.Fatalf("%s: error %v", j.event, queued[i].err)
		}
		var ids []int64
		if err := db.read().all(ctx, &ids, `SELECT d.endpoint_id FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
			WHERE e.payload LIKE ? ORDER BY d.endpoint_id`, `%"name":"`+j.event+`"%`); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, id := range ids {
			got = append(got, names[id])
		}
		if !slices.Equal(got, j.want) {
			t.Errorf("event %q delivered to %v, want %v", j.event, got, j.want)
		}
	}
}

// TestGroupCommitAfterFailures: a batch whose every mutation fails commits
// nothing and leaves the writer as it found it, so the next batch commits.
func TestGroupCommitAfterFailures(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "failures.db"), Options{SecretKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := db.CreateOrganization(ctx, "Failures")
	if err != nil {
		t.Fatal(err)
	}
	insert := func(name string, fail bool) *job {
		return &job{ctx: ctx, done: make(chan struct{}), fn: func(tx *Tx) error {
			if _, err := tx.exec(ctx, `INSERT INTO tags (uuid, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				"uuid-"+name, org.ID, name, tx.now, tx.now); err != nil || !fail {
				return err
			}
			return errors.New("refused after its write")
		}}
	}
	c := &committer{db: db, ckpt: db.committer.ckpt, jobs: make(chan *job, 2)}
	failing := []*job{insert("a", true), insert("b", true)}
	c.jobs <- failing[1]
	c.batch(failing[0])
	ok := insert("c", false)
	c.batch(ok)
	for _, j := range append(failing, ok) {
		<-j.done
	}
	if failing[0].err == nil || failing[1].err == nil || ok.err != nil {
		t.Fatalf("errors %v, %v, %v", failing[0].err, failing[1].err, ok.err)
	}
	var names []string
	if err := db.read().all(ctx, &names, `SELECT name FROM tags WHERE organization_id = ? ORDER BY name`, org.ID); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"c"}) {
		t.Fatalf("stored tags %v, want [c]", names)
	}
}
