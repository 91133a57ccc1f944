package pgtest

import (
	"context"
	"embed"
	"testing"

	"github.com/jmoiron/sqlx"
)

// legacyDumps are databases that partnergraph's migration runner before
// goose made (commit c78b3d6: `partnergraph bootstrap --org "Legacy Co"
// --email ops@legacy.example` with SecretKey), dumped by `sqlite3 .dump`
// and `pg_dump --inserts --no-owner --no-privileges` (its psql-only
// \restrict lines removed). They record versions 1 to 3 in
// schema_migrations.
//
//go:embed testdata/legacy-sqlite.sql testdata/legacy-postgres.sql
var legacyDumps embed.FS

// legacyKeys are the WRITE keys bootstrap printed for each dump's admin.
var legacyKeys = map[string]string{
	"sqlite":   "pgk_d2e744ae9a62f53a3329e5faab86533b7314d1b0e1028ae00d94a6e4c4bea776",
	"postgres": "pgk_3bccfa2b2f5c5bf25ef70577e2f959664941fca953f5b38c5e3117103c541bf9",
}

// LegacyDSN returns a fresh database of dialect as the migration runner
// before goose left it, holding organization "Legacy Co" (id 1), and the
// WRITE API key of its admin.
func LegacyDSN(t testing.TB, dialect string) (dsn, key string) {
	t.Helper()
	dump, err := legacyDumps.ReadFile("testdata/legacy-" + dialect + ".sql")
	if err != nil {
		t.Fatal(err)
	}
	dsn = DSN(t, dialect)
	driver := map[string]string{"sqlite": "sqlite3", "postgres": "pgx"}[dialect]
	db, err := sqlx.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// One connection: the PostgreSQL dump empties search_path for its
	// session, and that connection is closed with it.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(0)
	if _, err := db.ExecContext(context.Background(), string(dump)); err != nil {
		t.Fatalf("load the legacy %s database: %v", dialect, err)
	}
	return dsn, legacyKeys[dialect]
}
