package store

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	pg "partnergraph"
)

// TestGroupCommitDeliveriesAsAlone runs the same mutations of two
// organizations, which create, disable, re-enable, refilter and delete
// webhook endpoints between changes, once each in its own commit and once
// all in one batch: the deliveries are the same.
func TestGroupCommitDeliveriesAsAlone(t *testing.T) {
	run := func(t *testing.T, batched bool) []string {
		ctx := context.Background()
		db, err := Open(ctx, filepath.Join(t.TempDir(), "deliveries.db"), Options{SecretKey: bytes.Repeat([]byte{7}, 32)})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var actors [2]pg.Actor
		var tiers [2]int64
		for i, name := range []string{"A", "B"} {
			org, err := db.CreateOrganization(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			actors[i] = pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
			tier, err := db.CreateTier(ctx, actors[i], pg.TierCreate{Name: "Gold"})
			if err != nil {
				t.Fatal(err)
			}
			tiers[i] = tier.ID
			if _, _, err := db.CreateWebhookEndpoint(ctx, actors[i], pg.WebhookEndpointCreate{URL: "https://hooks.example/" + name + "1"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.CreateTag(ctx, actors[0], pg.TagCreate{Name: "taken"}); err != nil {
			t.Fatal(err)
		}
		a, b := actors[0], actors[1]
		// Endpoints 1 (A1) and 2 (B1) exist; the batch creates 3 (A2), 4 (B2).
		rank := int32(0)
		bump := func(who int) func() error {
			return func() error {
				rank++
				r := rank
				_, err := db.UpdateTier(ctx, actors[who], tiers[who], pg.TierUpdate{Rank: &r})
				return err
			}
		}
		no, yes := false, true
		createdOnly := []string{"tier.created"}
		steps := []struct {
			fn   func() error
			fail bool
		}{
			{bump(0), false},
			{func() error {
				_, _, err := db.CreateWebhookEndpoint(ctx, a, pg.WebhookEndpointCreate{URL: "https://hooks.example/A2", EventTypes: []string{"tier.updated", "tier.created"}})
				return err
			}, false},
			{bump(0), false},
			{bump(1), false},
			{func() error {
				_, _, err := db.UpdateWebhookEndpoint(ctx, a, 1, pg.WebhookEndpointUpdate{Enabled: &no})
				return err
			}, false},
			{bump(0), false},
			{func() error {
				_, _, err := db.CreateWebhookEndpoint(ctx, b, pg.WebhookEndpointCreate{URL: "https://hooks.example/B2"})
				return err
			}, false},
			{bump(1), false},
			{func() error {
				_, _, err := db.UpdateWebhookEndpoint(ctx, a, 3, pg.WebhookEndpointUpdate{EventTypes: &createdOnly})
				return err
			}, false},
			{bump(0), false},
			{func() error { _, err := db.CreateTier(ctx, a, pg.TierCreate{Name: "Silver"}); return err }, false},
			{func() error { _, err := db.CreateTag(ctx, a, pg.TagCreate{Name: "taken"}); return err }, true},
			{func() error {
				_, _, err := db.UpdateWebhookEndpoint(ctx, a, 1, pg.WebhookEndpointUpdate{Enabled: &yes})
				return err
			}, false},
			{func() error {
				_, _, err := db.UpdateWebhookEndpoint(ctx, a, 99, pg.WebhookEndpointUpdate{Enabled: &no})
				return err
			}, true},
			{bump(0), false},
			{func() error {
				_, _, err := db.UpdateWebhookEndpoint(ctx, a, 3, pg.WebhookEndpointUpdate{Enabled: &no})
				return err
			}, false},
			{bump(0), false},
			{func() error { return db.DeleteWebhookEndpoint(ctx, a, 1) }, false},
			{func() error { _, err := db.CreateTier(ctx, a, pg.TierCreate{Name: "Bronze"}); return err }, false},
			{func() error { return db.DeleteWebhookEndpoint(ctx, b, 2) }, false},
			{bump(1), false},
			{bump(0), false},
		}
		check := func(i int, err error) {
			if (err != nil) != steps[i].fail {
				t.Errorf("step %d: error %v", i, err)
			}
		}
		if !batched {
			for i, s := range steps {
				check(i, s.fn())
			}
		} else {
			// A committer that runs only when told: every step waits in its
			// queue, then one batch runs them all.
			c := &committer{db: db, ckpt: db.committer.ckpt, jobs: make(chan *job, len(steps))}
			saved := db.committer
			db.committer = c
			errs := make([]chan error, len(steps))
			for i, s := range steps {
				errs[i] = make(chan error, 1)
				go func() { errs[i] <- s.fn() }()
				for len(c.jobs) < i+1 {
					time.Sleep(time.Millisecond)
				}
			}
			c.batch(<-c.jobs)
			if len(c.jobs) != 0 {
				t.Fatalf("%d mutations left out of the batch", len(c.jobs))
			}
			for i := range steps {
				check(i, <-errs[i])
			}
			db.committer = saved
		}
		var rows []struct {
			URL     string `db:"url"`
			Type    string `db:"type"`
			Payload string `db:"payload"`
		}
		if err := db.read().all(ctx, &rows, `SELECT w.url, e.type, e.payload FROM webhook_deliveries d JOIN events e ON e.id = d.event_id
			JOIN webhook_endpoints w ON w.id = d.endpoint_id ORDER BY e.id, w.id`); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s %s %.80s", r.URL, r.Type, uuids.ReplaceAllString(r.Payload, "")))
		}
		return out
	}
	alone := run(t, false)
	together := run(t, true)
	if !slices.Equal(alone, together) {
		t.Errorf("deliveries alone:\n%s\nin one batch:\n%s", joinLines(alone), joinLines(together))
	}
	t.Logf("%d deliveries:\n%s", len(alone), joinLines(alone))
}

var uuids = regexp.MustCompile(`"uuid":"[^"]*",?`)

func joinLines(s []string) string {
	var b bytes.Buffer
	for _, l := range s {
		b.WriteString(l + "\n")
	}
	return b.String()
}

// TestGroupCommitFailedCommit: a batch whose COMMIT fails (a deferred
// foreign key left broken) tells each of its callers, keeps none of their
// writes, and leaves the writer able to commit the next batch.
func TestGroupCommitFailedCommit(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "commit.db"), Options{SecretKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := db.CreateOrganization(ctx, "Commit")
	if err != nil {
		t.Fatal(err)
	}
	tag := func(name string) func(tx *Tx) error {
		return func(tx *Tx) error {
			_, err := tx.exec(ctx, `INSERT INTO tags (uuid, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				"uuid-"+name, org.ID, name, tx.now, tx.now)
			return err
		}
	}
	broken := func(tx *Tx) error {
		if _, err := tx.exec(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO partnership_tags (partnership_id, tag_id) VALUES (?, ?)`, 999, 999)
		return err
	}
	c := &committer{db: db, ckpt: db.committer.ckpt, jobs: make(chan *job, 4)}
	js := []*job{{ctx: ctx, fn: tag("a")}, {ctx: ctx, fn: broken}, {ctx: ctx, fn: tag("b")}}
	for _, j := range js {
		j.done = make(chan struct{})
	}
	c.jobs <- js[1]
	c.jobs <- js[2]
	c.batch(js[0])
	for i, j := range js {
		if j.err == nil {
			t.Errorf("job %d of the failed commit: no error", i)
		} else if !strings.Contains(fmt.Sprint(pg.AsError(j.err).Err), "commit") {
			t.Errorf("job %d: %v, want the commit's failure", i, pg.AsError(j.err).Err)
		}
	}
	if _, err := db.CreateTag(ctx, pg.Actor{OrganizationID: org.ID, Permission: pg.PermissionWrite}, pg.TagCreate{Name: "c"}); err != nil {
		t.Fatalf("after a failed commit: %v", err)
	}
	var names []string
	if err := db.read().all(ctx, &names, `SELECT name FROM tags ORDER BY name`); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"c"}) {
		t.Fatalf("stored tags %v, want [c]", names)
	}
}

// TestGroupCommitTwoProcesses: two stores on one file (as two processes,
// or the CLI beside a server) write in turns; each keeps committing and
// every write acknowledged is stored once.
func TestGroupCommitTwoProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var dbs [2]*DB
	for i := range dbs {
		db, err := Open(ctx, path, Options{SecretKey: bytes.Repeat([]byte{7}, 32)})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		dbs[i] = db
	}
	org, err := dbs[0].CreateOrganization(ctx, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	a := pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
	stored := make(chan string, 10000)
	done := make(chan struct{})
	deadline := time.Now().Add(400 * time.Millisecond)
	for w := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for n := 0; time.Now().Before(deadline); n++ {
				name := fmt.Sprintf("t%d-%d", w, n)
				if _, err := dbs[w%2].CreateTag(ctx, a, pg.TagCreate{Name: name}); err != nil {
					t.Errorf("%s: %v", name, err)
					return
				}
				stored <- name
			}
		}()
	}
	for range 8 {
		<-done
	}
	close(stored)
	want := 0
	for range stored {
		want++
	}
	for i, db := range dbs {
		var n int
		if err := db.read().get(ctx, &n, `SELECT COUNT(*) FROM tags`); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("store %d sees %d tags, %d were acknowledged", i, n, want)
		}
		var events int
		if err := db.read().get(ctx, &events, `SELECT COUNT(*) FROM events WHERE type = 'tag.created'`); err != nil {
			t.Fatal(err)
		}
		if events != want {
			t.Errorf("store %d sees %d tag.created events for %d tags", i, events, want)
		}
	}
	t.Logf("%d tags", want)
}
