package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/store"
)

// TestBusyServerAsksToRetry: with every execution slot taken, a request
// waits its timeout and gets 503 with Retry-After, not an unbounded queue.
func TestBusyServerAsksToRetry(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "pg.db"), store.Options{SecretKey: make([]byte, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	org, err := db.CreateOrganization(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	a := pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
	u, err := db.CreateUser(ctx, a, "Ada", "ada@acme.example", pg.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := db.CreateAPIKey(ctx, a, store.APIKeyCreate{UserID: u.ID, Name: "k", Permission: pg.PermissionRead})
	if err != nil {
		t.Fatal(err)
	}
	s := New(Config{DB: db, MaxInFlight: 1, RequestTimeout: 100 * time.Millisecond})
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	post := func() *http.Response {
		req, _ := http.NewRequest("POST", srv.URL+"/graphql", strings.NewReader(`{"query": "{ viewer { permission } }"}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	s.slots <- struct{}{} // an operation executing
	if resp := post(); resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("busy: %d %v", resp.StatusCode, resp.Header)
	}
	<-s.slots
	if resp := post(); resp.StatusCode != http.StatusOK {
		t.Fatalf("free: %d", resp.StatusCode)
	}
}
