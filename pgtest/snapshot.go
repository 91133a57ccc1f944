package pgtest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

// Snapshot returns every row the organization owns, in a stable textual
// form: two equal snapshots mean nothing of the organization changed. It
// reads the database directly, bypassing the server.
func (e *Env) Snapshot(t testing.TB, orgID int64) string {
	t.Helper()
	driver, dsn := "sqlite3", sqliteURI(e.DSN, "mode=ro")
	if strings.HasPrefix(e.DSN, "postgres") {
		driver, dsn = "pgx", e.DSN
	}
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	queries := []string{
		"SELECT * FROM organizations WHERE id = $1",
		"SELECT * FROM users WHERE organization_id = $1 ORDER BY id",
		"SELECT id, uuid, organization_id, user_id, name, permission, prefix, hash, expires_at, revoked_at FROM api_keys WHERE organization_id = $1 ORDER BY id",
		"SELECT * FROM connections WHERE organization_id = $1 ORDER BY id",
		"SELECT * FROM partners WHERE organization_id = $1 ORDER BY id",
		"SELECT * FROM projects WHERE organization_id = $1 ORDER BY id",
		"SELECT * FROM tiers WHERE organization_id = $1 ORDER BY id",
		"SELECT * FROM categories WHERE organization_id = $1 ORDER BY id",
		"SELECT * FROM stages WHERE organization_id = $1 ORDER BY id",
		"SELECT t.* FROM stage_transitions t JOIN stages s ON s.id = t.from_stage_id WHERE s.organization_id = $1 ORDER BY 1, 2",
		"SELECT * FROM tags WHERE organization_id = $1 ORDER BY id",
		"SELECT * FROM custom_fields WHERE organization_id = $1 ORDER BY id",
		"SELECT * FROM partnerships WHERE organization_id = $1 ORDER BY id",
		"SELECT l.* FROM partnership_tags l JOIN partnerships p ON p.id = l.partnership_id WHERE p.organization_id = $1 ORDER BY 1, 2",
		"SELECT l.* FROM partnership_users l JOIN partnerships p ON p.id = l.partnership_id WHERE p.organization_id = $1 ORDER BY 1, 2",
		"SELECT v.* FROM custom_field_values v JOIN partnerships p ON p.id = v.partnership_id WHERE p.organization_id = $1 ORDER BY 1, 2",
		"SELECT * FROM relationships WHERE organization_id = $1 ORDER BY id",
		"SELECT * FROM partner_integrations WHERE organization_id = $1 ORDER BY id",
	}
	var b strings.Builder
	for _, q := range queries {
		if driver == "sqlite3" {
			q = strings.ReplaceAll(q, "$1", "?")
		}
		rows, err := db.Queryx(q, orgID)
		if err != nil {
			t.Fatalf("snapshot %q: %v", q, err)
		}
		for rows.Next() {
			row := map[string]any{}
			if err := rows.MapScan(row); err != nil {
				t.Fatal(err)
			}
			for k, v := range row {
				if bs, ok := v.([]byte); ok {
					row[k] = string(bs)
				}
			}
			j, _ := json.Marshal(row)
			fmt.Fprintf(&b, "%s\n", j)
		}
		rows.Close()
	}
	return b.String()
}

// Exec runs a statement directly on the database, for tests that need rows
// the API would not make (seed examples use fixed ids such as 789). Write
// it with ? placeholders.
func (e *Env) Exec(t testing.TB, query string, args ...any) {
	t.Helper()
	driver, dsn := "sqlite3", sqliteURI(e.DSN, "_foreign_keys=on&_busy_timeout=10000")
	if strings.HasPrefix(e.DSN, "postgres") {
		driver, dsn = "pgx", e.DSN
		query = sqlx.Rebind(sqlx.DOLLAR, query)
	}
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
}

// sqliteURI is the file: URI of the SQLite file at path, as the store
// writes it: '%', '?' and '#' in the path (a subtest's folder is named
// "…sqlite#01") escaped, so the URI names that very file.
func sqliteURI(path, params string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path) + "?" + params
}
