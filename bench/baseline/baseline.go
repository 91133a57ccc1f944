// Package baseline is the physical-limit reference of the benchmarks: a
// small hand-written HTTP handler that answers the dashboard request
// (bench.Dashboard) with the same JSON as the gateway, from as few SQL
// statements as it can: one to check the API key, one for the partners with
// their partnerships and every to-one edge (joined), one for every to-many
// edge (tags, assigned users, custom field values with their fields,
// UNION ALL-ed). No GraphQL parsing, no resolvers, no dataloaders.
//
// It reads the variables partners and partnerships of the request (the page
// sizes) and ignores the query text: it knows only this one request.
package baseline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver

	pg "partnergraph"
)

// Open opens dsn (a SQLite path or a postgres:// URL) for reading with the
// gateway's own pool settings, so the two compete on equal terms: on SQLite
// eight read-only connections in WAL mode, on PostgreSQL a pool of 32.
func Open(ctx context.Context, dsn string) (*sqlx.DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := sqlx.ConnectContext(ctx, "pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		// A benchmark keeps the gateway's pool and this one open side by
		// side: give idle connections back rather than hold a third of the
		// server's default max_connections between runs.
		db.SetConnMaxIdleTime(30 * time.Second)
		return db, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite://")
	db, err := sqlx.ConnectContext(ctx, "sqlite3", "file:"+path+
		"?_foreign_keys=on&_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL&_query_only=true")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	return db, nil
}

// Server answers the dashboard request.
type Server struct {
	db         *sqlx.DB
	statements atomic.Int64
}

// New returns a server reading db, opened by Open.
func New(db *sqlx.DB) *Server { return &Server{db: db} }

// Statements returns how many SQL statements the server has sent.
func (s *Server) Statements() int64 { return s.statements.Load() }

// Handler serves POST /graphql (the dashboard), GET /metrics (the statement
// counter under the gateway's metric name, so one scraper reads both) and
// GET /healthz.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /graphql", s.dashboard)
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintf(w, "# HELP partnergraph_sql_statements_total SQL statements sent to the database.\n"+
			"# TYPE partnergraph_sql_statements_total counter\npartnergraph_sql_statements_total %d\n", s.Statements())
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	return mux
}

// errUnauthenticated is every failure to identify the caller.
var errUnauthenticated = errors.New("invalid API key")

type request struct {
	Variables struct {
		Partners     *int `json:"partners"`
		Partnerships *int `json:"partnerships"`
	} `json:"variables"`
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	var req request
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "BAD_USER_INPUT", "The body is not a GraphQL request.")
		return
	}
	partners, partnerships := pageSize(req.Variables.Partners), pageSize(req.Variables.Partnerships)
	if partners < 0 || partnerships < 0 {
		writeError(w, http.StatusBadRequest, "BAD_USER_INPUT", fmt.Sprintf("first must be between 0 and %d.", pg.MaxPageSize))
		return
	}
	org, err := s.authenticate(r.Context(), r.Header.Get("Authorization"))
	if errors.Is(err, errUnauthenticated) {
		writeError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Invalid API key.")
		return
	}
	if err != nil {
		s.internal(w, r, err)
		return
	}
	data, err := s.load(r.Context(), org, partners, partnerships)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(response{Data: data})
}

// internal logs err and answers INTERNAL, as the gateway does: a failing
// baseline must not pass for a fast one.
func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	slog.ErrorContext(r.Context(), "baseline dashboard", "error", err)
	writeError(w, http.StatusInternalServerError, "INTERNAL", "Internal error.")
}

// pageSize is a connection's first argument: the default page when absent,
// -1 when out of range.
func pageSize(n *int) int {
	switch {
	case n == nil:
		return pg.DefaultPageSize
	case *n < 0 || *n > pg.MaxPageSize:
		return -1
	}
	return *n
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message": message, "extensions": map[string]any{"code": code},
	}}})
}

// authenticate returns the organization of a live API key: one statement.
// Unlike the gateway it never records the key's lastUsedAt.
func (s *Server) authenticate(ctx context.Context, header string) (int64, error) {
	scheme, secret, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return 0, errUnauthenticated
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	var orgs []int64
	if err := s.query(ctx, &orgs, `SELECT organization_id FROM api_keys
		WHERE hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`,
		hex.EncodeToString(sum[:]), time.Now().UTC()); err != nil {
		return 0, err
	}
	if len(orgs) == 0 {
		return 0, errUnauthenticated
	}
	return orgs[0], nil
}

// query runs one SELECT, counting it, with ? placeholders rebound for the
// driver.
func (s *Server) query(ctx context.Context, dest any, q string, args ...any) error {
	s.statements.Add(1)
	if s.db.DriverName() == "pgx" {
		q = sqlx.Rebind(sqlx.DOLLAR, q)
	}
	if err := s.db.SelectContext(ctx, dest, q, args...); err != nil {
		return fmt.Errorf("baseline query: %w", err)
	}
	return nil
}
