// Package pgtest runs partnergraph for tests: a real database (a SQLite file
// in the test's directory, or a fresh PostgreSQL database when
// PARTNERGRAPH_TEST_POSTGRES is set), the real server behind real HTTP, and
// organizations with API keys to act as.
package pgtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	pg "partnergraph"
	"partnergraph/auth"
	"partnergraph/compiled"
	"partnergraph/feed"
	"partnergraph/loaders"
	"partnergraph/metrics"
	"partnergraph/resolvers"
	"partnergraph/server"
	"partnergraph/store"
	"partnergraph/tracing"
	"partnergraph/webhook"
)

// Dialects returns the databases tests run against: "sqlite" always, and
// "postgres" when PARTNERGRAPH_TEST_POSTGRES holds a server URL.
func Dialects(t testing.TB) []string {
	if postgresURL() != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// EachDialect runs f as a subtest per database. Without
// PARTNERGRAPH_TEST_POSTGRES the postgres subtest is skipped, and says so.
func EachDialect(t *testing.T, f func(t *testing.T, dialect string)) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			if d == "postgres" && postgresURL() == "" {
				t.Skip("PARTNERGRAPH_TEST_POSTGRES is not set: skipping PostgreSQL")
			}
			f(t, d)
		})
	}
}

// OpenDB opens a fresh, migrated database of dialect, closed when t ends.
func OpenDB(t testing.TB, dialect string) *store.DB {
	t.Helper()
	db, _ := openDB(t, dialect)
	return db
}

// DSN returns the name of a fresh, empty database of dialect for t: a file
// path in t's directory, or a PostgreSQL database dropped when t ends.
func DSN(t testing.TB, dialect string) string {
	t.Helper()
	if dialect == "postgres" {
		return newPostgresDatabase(t)
	}
	return filepath.Join(t.TempDir(), "partnergraph.db")
}

// SecretKey is the integration-password key tests use.
var SecretKey = bytes.Repeat([]byte{7}, 32)

func openDB(t testing.TB, dialect string) (*store.DB, string) {
	t.Helper()
	dsn := DSN(t, dialect)
	db, err := store.Open(context.Background(), dsn, store.Options{SecretKey: SecretKey})
	if err != nil {
		t.Fatalf("open %s: %v", dialect, err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn
}

// Env is a running partnergraph.
type Env struct {
	DB *store.DB
	// Gateway is the server behind Server, for tests of its internals.
	Gateway *server.Server
	Server  *httptest.Server
	// DSN names the database, for tests that inspect it directly.
	DSN string
	log *syncBuffer
}

// Option adjusts the server configuration.
type Option func(*server.Config)

// ExecutorOnly turns the compiled path of reads off: gqlgen's executor
// answers every field, as serve --compiled-reads=false does.
func ExecutorOnly(c *server.Config) { c.Extensions = []graphql.HandlerExtension{} }

// New starts partnergraph on a fresh database of dialect.
func New(t testing.TB, dialect string, opts ...Option) *Env {
	t.Helper()
	db, dsn := openDB(t, dialect)
	log := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	gw, srv := Serve(t, db, logger, opts...)
	return &Env{DB: db, Gateway: gw, Server: srv, DSN: dsn, log: log}
}

// Another starts a second gateway on e's database, as a second process
// sharing it would be; its log is dropped.
func (e *Env) Another(t testing.TB, opts ...Option) *httptest.Server {
	t.Helper()
	_, srv := Serve(t, e.DB, slog.New(slog.DiscardHandler), opts...)
	return srv
}

// Serve starts a gateway on db wired as `partnergraph serve` wires it,
// without the webhook dispatcher (tests that deliver run their own), behind
// a real HTTP server closed when t ends. Webhook endpoints may be on
// loopback, where tests run their receivers.
func Serve(t testing.TB, db *store.DB, logger *slog.Logger, opts ...Option) (*server.Server, *httptest.Server) {
	t.Helper()
	m := metrics.New(db.Statements)
	broker := &feed.Broker{DB: db}
	db.OnEvents(func([]int64) { broker.Wake() })
	// Commits of other processes (other DBs on the same database) wake it
	// through LISTEN/NOTIFY, as they wake serve.
	listening, stop := context.WithCancel(context.Background())
	go db.Listen(listening, broker.Wake)
	t.Cleanup(stop)
	cfg := server.Config{
		Schema:        resolvers.NewSchema(&resolvers.Resolver{DB: db, Logger: logger, Guard: webhook.Guard{AllowPrivate: true}, Feed: broker}),
		Authenticator: auth.Authenticator{Directory: db},
		Operations:    db, Ready: db.Ping, Streams: broker, Metrics: m, Idempotency: db,
		Logger: logger, Introspection: true,
	}
	for _, o := range opts {
		o(&cfg)
	}
	// Extensions an option sets replace the compiled path of reads, the
	// default; the loaders come first, after the options, which may set a
	// TracerProvider for loader spans.
	if cfg.Extensions == nil {
		cfg.Extensions = []graphql.HandlerExtension{compiled.New(1000, m.CompiledRead)}
	}
	cfg.Extensions = append([]graphql.HandlerExtension{loaders.Extension{DB: db, Observe: tracing.LoaderBatches(cfg.TracerProvider, m.LoaderBatch)}}, cfg.Extensions...)
	gw := server.New(cfg)
	srv := httptest.NewServer(gw.Handler())
	t.Cleanup(srv.Close)
	return gw, srv
}

// Org is an organization with an ADMIN and keys to act as it.
type Org struct {
	*pg.Organization
	Admin *pg.User
	// Write and Read are API keys of the admin with those permissions.
	Write, Read string
}

// Actor is the admin acting on the organization, for direct store calls.
func (o *Org) Actor() pg.Actor {
	return pg.Actor{OrganizationID: o.ID, KeyOrganizationID: o.ID, UserID: o.Admin.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
}

// Org bootstraps an organization as `partnergraph bootstrap` does.
func (e *Env) Org(t testing.TB, name string) *Org {
	t.Helper()
	ctx := context.Background()
	o, err := e.DB.CreateOrganization(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	org := &Org{Organization: o}
	a := pg.Actor{OrganizationID: o.ID, KeyOrganizationID: o.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
	if org.Admin, err = e.DB.CreateUser(ctx, a, pg.UserCreate{Name: "Admin of " + name, Email: "admin@" + strings.ToLower(strings.ReplaceAll(name, " ", "")) + ".example", Role: pg.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []struct {
		dst  *string
		perm pg.Permission
	}{{&org.Write, pg.PermissionWrite}, {&org.Read, pg.PermissionRead}} {
		if _, *k.dst, err = e.DB.CreateAPIKey(ctx, a, pg.APIKeyCreate{UserID: org.Admin.ID, Name: string(k.perm), Permission: k.perm}); err != nil {
			t.Fatal(err)
		}
	}
	return org
}

// Response is a GraphQL response.
type Response struct {
	Status     int
	Header     http.Header
	Data       json.RawMessage `json:"data"`
	Errors     []Error         `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
}

// Error is a GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the error's extensions.code.
func (e Error) Code() string { s, _ := e.Extensions["code"].(string); return s }

// Field is the error's extensions.field.
func (e Error) Field() string { s, _ := e.Extensions["field"].(string); return s }

// Request is a GraphQL request with optional headers.
type Request struct {
	Key       string
	Query     string
	Variables map[string]any
	Header    map[string]string
}

// Do posts r to /graphql.
func (e *Env) Do(t testing.TB, r Request) *Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": r.Query, "variables": r.Variables})
	req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if r.Key != "" {
		req.Header.Set("Authorization", "Bearer "+r.Key)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := &Response{Status: resp.StatusCode, Header: resp.Header}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("response is not JSON (status %d): %s", resp.StatusCode, raw)
	}
	return out
}

// Query runs a query with key and fails t on any error.
func (e *Env) Query(t testing.TB, key, query string, vars map[string]any, into any) {
	t.Helper()
	r := e.Do(t, Request{Key: key, Query: query, Variables: vars})
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %+v", r.Errors)
	}
	if into != nil {
		if err := json.Unmarshal(r.Data, into); err != nil {
			t.Fatalf("decode data: %v: %s", err, r.Data)
		}
	}
}

// MustFail runs a query that must fail with code and field (each checked
// when not empty),
// and returns the error.
func (e *Env) MustFail(t testing.TB, key, query string, vars map[string]any, code, field string) Error {
	t.Helper()
	r := e.Do(t, Request{Key: key, Query: query, Variables: vars})
	if len(r.Errors) == 0 {
		t.Fatalf("want %s error, got data %s", code, r.Data)
	}
	got := r.Errors[0]
	if (code != "" && got.Code() != code) || (field != "" && got.Field() != field) {
		t.Fatalf("want code %s field %q, got %s %q: %s", code, field, got.Code(), got.Field(), got.Message)
	}
	return got
}

// Log returns everything the server has logged.
func (e *Env) Log() string { return e.log.String() }

// Statements returns how many SQL statements the server has sent, less its
// reads of API keys: a process reads a key at most once a second (see
// store.DB.Authenticate), so whether a request reads its key depends on
// the time since the last; what it costs beyond that does not.
func (e *Env) Statements() int64 { return e.DB.Statements() - e.DB.KeyReads() }

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Must fails t on err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Str returns a pointer to s.
func Str(s string) *string { return &s }
