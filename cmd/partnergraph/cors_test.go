package main

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCORSFlag serves with --cors-allowed-origins, and with its environment
// variable: a listed origin's preflight is granted, another's is not, and a
// value that is not an origin stops serve with an error naming it.
func TestCORSFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("runs real processes")
	}
	db := filepath.Join(t.TempDir(), "cors.db")
	bootstrapKey(t, db)
	preflight := func(p *process, origin string) string {
		req, _ := http.NewRequest("OPTIONS", p.url+"/v1/projects/1/partnerships", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("preflight from %s: %d", origin, resp.StatusCode)
		}
		return resp.Header.Get("Access-Control-Allow-Origin")
	}
	byFlag := start(t, db, "--cors-allowed-origins", "https://app.example, http://localhost:5173")
	byEnv := startEnv(t, []string{"PARTNERGRAPH_CORS_ALLOWED_ORIGINS=http://localhost:5173"}, db)
	for _, c := range []struct {
		p             *process
		origin, grant string
	}{
		{byFlag, "https://app.example", "https://app.example"},
		{byFlag, "http://localhost:5173", "http://localhost:5173"},
		{byFlag, "https://evil.example", ""},
		{byEnv, "http://localhost:5173", "http://localhost:5173"},
		{byEnv, "https://app.example", ""},
	} {
		if got := preflight(c.p, c.origin); got != c.grant {
			t.Errorf("%s granted %q, want %q", c.origin, got, c.grant)
		}
	}
	out, err := exec.Command(buildBinary(t), "serve", "--db", db, "--cors-allowed-origins", "app.example").CombinedOutput()
	if err == nil || !strings.Contains(string(out), `--cors-allowed-origins: "app.example" is not an origin`) {
		t.Fatalf("a bad origin: %v %s", err, out)
	}
}
