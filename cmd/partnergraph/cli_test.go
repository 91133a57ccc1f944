package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"

	"partnergraph/pgtest"
)

// These tests run the real binary as an operator would.

// runBinary runs the binary with args and returns what it printed and its
// exit code.
func runBinary(t *testing.T, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	cmd.Env = append(os.Environ(), "PARTNERGRAPH_SECRET_KEY="+testSecretKey)
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errs.String(), code
}

func partnergraph(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runBinary(t, exec.Command(buildBinary(t), args...))
}

// TestVersion builds the binary as a release would, with version control
// information (this machine's go env may turn it off), and asks its
// version: in a git checkout it names the checkout's revision.
func TestVersion(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "partnergraph")
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v: %s", err, out)
	}
	want := regexp.MustCompile(`^partnergraph \S+ revision unknown \(built without version control information\), go1\.`)
	if info, err := exec.Command("go", "version", "-m", bin).Output(); err == nil && strings.Contains(string(info), "vcs.revision=") {
		rev, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		want = regexp.MustCompile(`^partnergraph \S+ revision ` + strings.TrimSpace(string(rev)) + ` \(\d{4}-\d\d-\d\dT[^)]+\)( with uncommitted changes)?, go1\.`)
	}
	for _, arg := range []string{"--version", "version"} {
		out, errs, code := runBinary(t, exec.Command(bin, arg))
		if code != 0 || !want.MatchString(out) {
			t.Errorf("partnergraph %s: exit %d, %q %q; want %s", arg, code, out, errs, want)
		}
	}
}

func TestVersionText(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var out []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"Release", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"},
			Settings: settings("vcs.revision", "0123abcd", "vcs.time", "2026-11-30T05:00:00Z", "vcs.modified", "false")},
			"partnergraph v1.4.0 revision 0123abcd (2026-11-30T05:00:00Z), go1.26.8"},
		{"Modified", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20261130050000-0123abcd0123+dirty"},
			Settings: settings("vcs.revision", "0123abcd", "vcs.time", "2026-11-30T05:00:00Z", "vcs.modified", "true")},
			"partnergraph v0.0.0-20261130050000-0123abcd0123+dirty revision 0123abcd (2026-11-30T05:00:00Z) with uncommitted changes, go1.26.8"},
		{"GoRun", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}},
			"partnergraph (devel) revision unknown (built without version control information), go1.26.8"},
	} {
		if got := version(tc.info, true); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestEveryCommandHasHelp asks each command for help: it answers, names
// its subcommands or flags, and exits 0.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"serve", "migrate", "apikey", "operations", "--version"}},
		{[]string{"apikey", "--help"}, []string{"apikey create --org ID --user ID", "apikey list   --org ID", "apikey revoke --org ID KEY_ID"}},
		{[]string{"apikey", "help"}, []string{"apikey list"}},
		{[]string{"apikey", "list", "--help"}, []string{"-org", "-db"}},
		{[]string{"apikey", "create", "-h"}, []string{"-user", "-permission", "-expires-in"}},
		{[]string{"operations", "--help"}, []string{"operations add", "operations list", "operations remove SHA256"}},
		{[]string{"operations", "add", "--help"}, []string{"-name"}},
		{[]string{"migrate", "--help"}, []string{"up", "down", "status", "-db"}},
		{[]string{"serve", "--help"}, []string{"-addr", "PARTNERGRAPH_ADDR"}},
		{[]string{"bootstrap", "--help"}, []string{"-org", "-email"}},
	} {
		out, errs, code := partnergraph(t, tc.args...)
		for _, w := range tc.want {
			if code != 0 || !strings.Contains(out+errs, w) {
				t.Errorf("partnergraph %s: exit %d, want %q in:\n%s%s", strings.Join(tc.args, " "), code, w, out, errs)
				break
			}
		}
	}
}

// TestAPIKeyCommandsSayWhatIsMissing runs the apikey subcommands without
// what they need: each exits 2 naming the flag or argument.
func TestAPIKeyCommandsSayWhatIsMissing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pg.db")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"apikey", "list", "--db", db}, "apikey list needs --org ID"},
		{[]string{"apikey", "create", "--db", db, "--user", "1"}, "apikey create needs --org ID"},
		{[]string{"apikey", "create", "--db", db, "--org", "1"}, "apikey create needs --user ID"},
		{[]string{"apikey", "revoke", "--db", db, "3"}, "apikey revoke needs --org ID"},
		{[]string{"apikey", "revoke", "--db", db, "--org", "1"}, "apikey revoke needs the key's id"},
		{[]string{"apikey", "revoke", "--db", db, "--org", "1", "x"}, `key id "x" is not an integer`},
		{[]string{"apikey"}, "apikey needs a subcommand: create, list or revoke"},
		{[]string{"apikey", "rotate", "--db", db}, `unknown apikey subcommand "rotate"`},
		{[]string{"operations"}, "operations needs a subcommand: add, list or remove"},
		{[]string{"operations", "remove", "--db", db}, "operations remove needs the operation's sha256"},
	} {
		_, errs, code := partnergraph(t, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("partnergraph %s: exit %d, stderr %q; want %q", strings.Join(tc.args, " "), code, errs, tc.want)
		}
	}
	if _, err := os.Stat(db); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused command opened the database: %v", err)
	}
	// With --org, list answers (bootstrap made organization 1).
	bootstrapKey(t, db)
	out, errs, code := partnergraph(t, "apikey", "list", "--db", db, "--org", "1")
	if code != 0 || !strings.Contains(out, "bootstrap") || !strings.Contains(out, "WRITE") {
		t.Errorf("apikey list --org 1: exit %d %q %q", code, out, errs)
	}
}

// TestDatabaseFolderMustExistAndBeWritable starts commands on SQLite paths
// whose folder is missing, a file or read-only: each fails naming the path
// and the cause, and creates nothing.
func TestDatabaseFolderMustExistAndBeWritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct{ db, want string }{
		{filepath.Join(dir, "missing", "deeper", "pg.db"), "folder " + filepath.Join(dir, "missing", "deeper") + " does not exist"},
		{filepath.Join(file, "pg.db"), file + " is not a folder"},
	} {
		for _, cmd := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"migrate"}, {"bootstrap", "--org", "A", "--email", "a@b.example"}} {
			_, errs, code := partnergraph(t, append(cmd, "--db", tc.db)...)
			if code == 0 || !strings.Contains(errs, "database "+tc.db+": "+tc.want) {
				t.Errorf("%s --db %s: exit %d, stderr %q; want %q", cmd[0], tc.db, code, errs, tc.want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a folder was created: %v", err)
	}
	t.Run("ReadOnly", func(t *testing.T) {
		db, cmd := readOnlyFolder(t)
		_, errs, code := runBinary(t, cmd(append([]string{"migrate", "--db"}, db)...))
		want := "database " + db + ": folder " + filepath.Dir(db) + " is not writable: permission denied"
		if code == 0 || !strings.Contains(errs, want) {
			t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
		}
	})
}

// readOnlyFolder returns a database path in a folder the binary, as cmd
// runs it, may not write to. Root writes anywhere, so as root the binary
// runs as nobody.
func readOnlyFolder(t *testing.T) (db string, cmd func(args ...string) *exec.Cmd) {
	base, err := os.MkdirTemp("", "partnergraph-ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Join(base, "ro"), 0o755); os.RemoveAll(base) })
	os.Chmod(base, 0o755)
	bin := filepath.Join(base, "partnergraph")
	b, err := os.ReadFile(buildBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(bin, b, 0o755)
	ro := filepath.Join(base, "ro")
	os.Mkdir(ro, 0o555)
	return filepath.Join(ro, "pg.db"), func(args ...string) *exec.Cmd {
		c := exec.Command(bin, args...)
		if os.Getuid() == 0 {
			c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		}
		return c
	}
}

// TestMigrateCommands runs migrate status, down and up through the binary
// on databases the migration runner before goose made, then serves one
// with its old key.
func TestMigrateCommands(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		dsn, key := pgtest.LegacyDSN(t, dialect)
		name := dsn // a test URL has no password to hide
		// The legacy databases are at version 3; the table's columns are as
		// wide as the longest migration's name.
		latest, db := "6", regexp.QuoteMeta(name)
		steps := []struct {
			args []string
			want []string
		}{
			{[]string{"migrate", "status"}, []string{`Database ` + db + ` is at version 3\.`, `3 +0003_limits\.sql +20`, `0004_event_positions\.sql +pending`}},
			{[]string{"migrate"}, []string{`Applied 0004_event_positions\.sql in `, `Applied 0006_idempotency_keys\.sql in `, `Database ` + db + ` is migrated: version ` + latest + `\.`}},
			{[]string{"migrate", "down"}, []string{`Rolled back 0006_idempotency_keys\.sql in `, `Database ` + db + ` is at version 5\.`}},
			{[]string{"migrate", "down"}, []string{`Rolled back 0005_partnership_per_project\.sql in `, `Database ` + db + ` is at version 4\.`}},
			{[]string{"migrate", "down"}, []string{`Rolled back 0004_event_positions\.sql in `, `Database ` + db + ` is at version 3\.`}},
			{[]string{"migrate", "down"}, []string{`Rolled back 0003_limits\.sql in `, `Database ` + db + ` is at version 2\.`}},
			{[]string{"migrate", "status"}, []string{`version 2\.`, `0002_events\.sql +20`, `0003_limits\.sql +pending`, `0004_event_positions\.sql +pending`}},
			{[]string{"migrate"}, []string{`Applied 0003_limits\.sql in `, `Applied 0004_event_positions\.sql in `, `Database ` + db + ` is migrated: version ` + latest + `\.`}},
			{[]string{"migrate", "up"}, []string{`Database ` + db + ` is migrated: version ` + latest + `\.`}},
		}
		for _, s := range steps {
			out, errs, code := partnergraph(t, append(s.args, "--db", dsn)...)
			for _, w := range s.want {
				if code != 0 || !regexp.MustCompile(w).MatchString(out) {
					t.Fatalf("%s: exit %d, want %q in:\n%s%s", strings.Join(s.args, " "), code, w, out, errs)
				}
			}
		}
		p := start(t, dsn)
		p.graphql(t, key, `{ viewer { organization { name } } }`, nil)
	})
}

// TestLogDurationsCarryUnits reads the request log of a served request.
func TestLogDurationsCarryUnits(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pg.db")
	key := bootstrapKey(t, db)
	p := start(t, db)
	p.graphql(t, key, `{ viewer { user { name } } }`, nil)
	withUnit := regexp.MustCompile(`"msg":"request".*"duration":"[0-9.]+(ns|µs|ms|s)"`)
	waitUntil(t, 10e9, "a request log line", func() bool { return withUnit.MatchString(p.logs.String()) })
}

// serveDemo runs serve --demo on db until it prints its key and listens,
// then stops it, and returns the key and what it printed.
func serveDemo(t *testing.T, db string) (key, out string) {
	t.Helper()
	cmd := exec.Command(buildBinary(t), "serve", "--demo", "--db", db, "--addr", "127.0.0.1:0")
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Signal(syscall.SIGTERM)
	keyRE := regexp.MustCompile(`API key:\s+(pgk_[0-9a-f]+)`)
	waitUntil(t, 60e9, "serve --demo to print a key and listen", func() bool {
		return keyRE.MatchString(stdout.String()) && strings.Contains(stderr.String(), `"msg":"serving"`)
	})
	return keyRE.FindStringSubmatch(stdout.String())[1], stdout.String()
}

// TestDemoRestartsKeepOneKey restarts serve --demo: each start prints a
// key that works and revokes the one printed before, so keys do not pile
// up.
func TestDemoRestartsKeepOneKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	first, _ := serveDemo(t, db)
	second, out := serveDemo(t, db)
	if first == second || !strings.Contains(out, "The demo key printed before is revoked") {
		t.Fatalf("second start printed %q", out)
	}
	third, _ := serveDemo(t, db)
	p := start(t, db)
	for _, old := range []string{first, second} {
		body, _ := json.Marshal(map[string]string{"query": "{ viewer { user { name } } }"})
		req, _ := http.NewRequest("POST", p.url+"/graphql", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+old)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(raw), "UNAUTHENTICATED") {
			t.Errorf("an earlier demo key still works: %s", raw)
		}
	}
	p.graphql(t, third, `{ viewer { user { name } } }`, nil)
	list, errs, code := partnergraph(t, "apikey", "list", "--db", db, "--org", "1")
	if code != 0 {
		t.Fatal(errs)
	}
	active := 0
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[2] == "demo" && strings.HasSuffix(line, " -") {
			active++
		}
	}
	if active != 1 {
		t.Fatalf("%d active demo keys, want 1:\n%s", active, list)
	}
}

// TestOpenAPIDocumentServed fetches /openapi.json from the binary: it
// carries its license, and a client that accepts no JSON gets a 406.
func TestOpenAPIDocumentServed(t *testing.T) {
	p := start(t, filepath.Join(t.TempDir(), "pg.db"))
	get := func(accept string) (int, []byte) {
		req, _ := http.NewRequest("GET", p.url+"/openapi.json", nil)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	status, body := get("")
	var doc struct {
		Info struct {
			License struct{ Name, Identifier string }
		}
	}
	if err := json.Unmarshal(body, &doc); status != 200 || err != nil || doc.Info.License.Name == "" {
		t.Fatalf("GET /openapi.json: %d %v, license %+v", status, err, doc.Info.License)
	}
	if status, body := get("text/html"); status != http.StatusNotAcceptable || !strings.Contains(string(body), "BAD_USER_INPUT") {
		t.Fatalf("Accept: text/html: %d %s", status, body)
	}
}

// TestDebugLogsEachOperation serves at --log-level debug: each operation
// gets a line with its name, type, cost, statements and duration; at the
// default level there is none.
func TestDebugLogsEachOperation(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pg.db")
	key := bootstrapKey(t, db)
	p := start(t, db, "--log-level", "debug")
	p.graphql(t, key, `query Partners { partners(first: 5) { nodes { companyName } } viewer { user { name } } }`, nil)
	line := regexp.MustCompile(`"msg":"operation","operation":"Partners","type":"query","cost":(\d+),"statements":(\d+),"duration":"[0-9.]+(ns|µs|ms|s)","errors":0`)
	waitUntil(t, 10e9, "the operation's debug line", func() bool { return line.MatchString(p.logs.String()) })
	m := line.FindStringSubmatch(p.logs.String())
	if m[1] == "0" || m[2] == "0" {
		t.Errorf("cost %s, statements %s: %s", m[1], m[2], m[0])
	}
	quiet := start(t, db)
	quiet.graphql(t, key, `query Partners { partners(first: 5) { nodes { companyName } } }`, nil)
	waitUntil(t, 10e9, "the request line", func() bool { return strings.Contains(quiet.logs.String(), `"msg":"request"`) })
	if strings.Contains(quiet.logs.String(), `"msg":"operation"`) {
		t.Errorf("an operation line at level info: %s", quiet.logs.String())
	}
}
