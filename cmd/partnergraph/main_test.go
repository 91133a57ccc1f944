package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestBootstrapJSON(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pg.db")
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"bootstrap", "--db", db, "--org", "Acme", "--email", "ada@acme.example", "--json"}, &out, &errs)
	if err != nil {
		t.Fatalf("bootstrap: %v: %s", err, errs.String())
	}
	var got struct {
		Organization struct {
			ID   int64  `json:"id"`
			UUID string `json:"uuid"`
			Name string `json:"name"`
		} `json:"organization"`
		User struct {
			ID    int64  `json:"id"`
			UUID  string `json:"uuid"`
			Email string `json:"email"`
		} `json:"user"`
		APIKey string `json:"apiKey"`
	}
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("output is not the documented JSON: %v", err)
	}
	if got.Organization.ID == 0 || len(got.Organization.UUID) != 36 || got.Organization.Name != "Acme" ||
		got.User.ID == 0 || got.User.Email != "ada@acme.example" || !strings.HasPrefix(got.APIKey, "pgk_") {
		t.Fatalf("bootstrap output: %+v", got)
	}
	t.Run("MissingFlags", func(t *testing.T) {
		if err := run(context.Background(), []string{"bootstrap", "--db", db, "--org", "Acme"}, io.Discard, io.Discard); err == nil {
			t.Fatal("bootstrap without --email succeeded")
		}
	})
	t.Run("Migrate", func(t *testing.T) {
		var out bytes.Buffer
		if err := run(context.Background(), []string{"migrate", "--db", db}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "migrated") {
			t.Fatalf("migrate: %v %s", err, out.String())
		}
	})
}

// TestServeDemo runs what the README's first command runs: serve --demo on
// a fresh SQLite file prints a key that works, and stops cleanly.
func TestServeDemo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errs lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--demo"}, &out, &errs)
	}()
	keyRE := regexp.MustCompile(`API key:\s+(pgk_[0-9a-f]+)`)
	urlRE := regexp.MustCompile(`GraphiQL:\s+(http://\S+)/graphiql`)
	deadline := time.Now().Add(30 * time.Second)
	for !keyRE.MatchString(out.String()) || !strings.Contains(errs.String(), `"msg":"serving"`) {
		if time.Now().After(deadline) {
			t.Fatalf("serve --demo printed no key: %s %s", out.String(), errs.String())
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v: %s", err, errs.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	key := keyRE.FindStringSubmatch(out.String())[1]
	base := urlRE.FindStringSubmatch(out.String())[1]
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ partners(first: 100) { totalCount } tiers { totalCount } stages { nodes { allowedNextStages { name } } } customFields { nodes { type } } }"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Data struct {
			Partners     struct{ TotalCount int }
			Tiers        struct{ TotalCount int }
			CustomFields struct{ Nodes []struct{ Type string } }
		}
		Errors []any
	}
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	types := map[string]bool{}
	for _, f := range body.Data.CustomFields.Nodes {
		types[f.Type] = true
	}
	if len(body.Errors) > 0 || body.Data.Partners.TotalCount < 10 || body.Data.Tiers.TotalCount == 0 || len(types) != 6 {
		t.Fatalf("demo data incomplete: %+v", body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestAPIKeyCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pg.db")
	ctx := context.Background()
	var out bytes.Buffer
	if err := run(ctx, []string{"bootstrap", "--db", db, "--org", "Acme", "--email", "ada@acme.example", "--json"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var boot struct {
		Organization struct{ ID int64 } `json:"organization"`
		User         struct{ ID int64 } `json:"user"`
	}
	json.Unmarshal(out.Bytes(), &boot)
	org, user := strconv.FormatInt(boot.Organization.ID, 10), strconv.FormatInt(boot.User.ID, 10)

	out.Reset()
	if err := run(ctx, []string{"apikey", "create", "--db", db, "--org", org, "--user", user, "--name", "ci", "--permission", "READ"}, &out, io.Discard); err != nil {
		t.Fatalf("create: %v", err)
	}
	secret := regexp.MustCompile(`pgk_[0-9a-f]+`).FindString(out.String())
	id := regexp.MustCompile(`API key (\d+)`).FindStringSubmatch(out.String())
	if secret == "" || id == nil {
		t.Fatalf("create printed no key: %s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"apikey", "list", "--db", db, "--org", org}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), secret[:12]) || strings.Contains(out.String(), secret) {
		t.Fatalf("list must show the prefix and never the secret:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"apikey", "revoke", "--db", db, "--org", org, id[1]}, &out, io.Discard); err != nil || !strings.Contains(out.String(), "revoked") {
		t.Fatalf("revoke: %v %s", err, out.String())
	}
	for _, bad := range [][]string{
		{"apikey", "create", "--db", db, "--org", org, "--user", user, "--permission", "ADMIN"},
		{"apikey", "create", "--db", db, "--org", "999", "--user", user},
		{"apikey", "revoke", "--db", db, "--org", "999", id[1]},
		{"apikey", "explode"},
	} {
		if err := run(ctx, bad, io.Discard, io.Discard); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
}

// TestOperationsCommands registers, lists and removes allow-listed
// operations, and refuses a document the schema would not run.
func TestOperationsCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pg.db")
	ctx := context.Background()
	good := filepath.Join(dir, "dashboard.graphql")
	bad := filepath.Join(dir, "bad.graphql")
	os.WriteFile(good, []byte("query Dashboard { partners(first: 5) { nodes { companyName } } }"), 0o644)
	os.WriteFile(bad, []byte("query Bad { partners { salary } }"), 0o644)
	if err := run(ctx, []string{"operations", "add", "--db", db, good, bad}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "salary") {
		t.Fatalf("an invalid document was accepted: %v", err)
	}
	var out bytes.Buffer
	if err := run(ctx, []string{"operations", "list", "--db", db}, &out, io.Discard); err != nil || strings.Contains(out.String(), "Dashboard") {
		t.Fatalf("a refused batch registered something: %v %s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"operations", "add", "--db", db, good}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	hash := strings.Fields(out.String())[0]
	out.Reset()
	if err := run(ctx, []string{"operations", "list", "--db", db}, &out, io.Discard); err != nil || !strings.Contains(out.String(), hash) || !strings.Contains(out.String(), "dashboard") {
		t.Fatalf("list: %v %s", err, out.String())
	}
	if err := run(ctx, []string{"operations", "remove", "--db", db, hash}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"operations", "remove", "--db", db, hash}, io.Discard, io.Discard); err == nil {
		t.Fatal("removing twice succeeded")
	}
}
