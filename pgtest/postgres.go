package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jmoiron/sqlx"
)

func postgresURL() string { return os.Getenv("PARTNERGRAPH_TEST_POSTGRES") }

// newPostgresDatabase creates a database of its own for one test, so tests
// run in parallel without seeing each other's rows, and drops it afterwards.
func newPostgresDatabase(t testing.TB) string {
	t.Helper()
	admin, err := sqlx.Connect("pgx", postgresURL())
	if err != nil {
		t.Fatalf("PARTNERGRAPH_TEST_POSTGRES is set but unreachable: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "pgtest_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sqlx.Connect("pgx", postgresURL())
		if err != nil {
			return
		}
		defer admin.Close()
		admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	})
	u, err := url.Parse(postgresURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
