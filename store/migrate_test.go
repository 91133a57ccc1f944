package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/jmoiron/sqlx"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// tables lists the tables of the database dsn names, goose's ledger aside.
func tables(t *testing.T, dialect, dsn string) []string {
	t.Helper()
	q := map[string]string{
		"sqlite":   `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`,
		"postgres": `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
	}[dialect]
	db, err := sqlx.Open(map[string]string{"sqlite": "sqlite3", "postgres": "pgx"}[dialect], dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var names []string
	if err := db.Select(&names, q); err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(names, func(n string) bool { return n == "goose_db_version" })
}

func applied(t *testing.T, m *store.Migrator) []int64 {
	t.Helper()
	st, err := m.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []int64
	for _, s := range st {
		if s.AppliedAt != nil {
			out = append(out, s.Version)
		}
	}
	return out
}

// TestMigrationsGoDownAndUpAgain rolls every migration back one at a time:
// each Down section undoes its Up section wholly (the last leaves no table
// behind), and the schema comes back whole afterwards.
func TestMigrationsGoDownAndUpAgain(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn := pgtest.DSN(t, dialect)
		m, err := store.OpenMigrator(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if got := applied(t, m); len(got) != 0 {
			t.Fatalf("a fresh database has migrations applied: %v", got)
		}
		up, err := m.Up(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(up) < 3 || up[0].Name != "0001_init.sql" || up[0].Version != 1 {
			t.Fatalf("up applied %+v", up)
		}
		full := tables(t, dialect, dsn)
		if !slices.Contains(full, "partnerships") || !slices.Contains(full, "rate_limits") {
			t.Fatalf("tables after up: %v", full)
		}
		if again, err := m.Up(ctx); err != nil || len(again) != 0 {
			t.Fatalf("second up applied %+v, %v", again, err)
		}
		for i := len(up) - 1; i >= 0; i-- {
			down, err := m.Down(ctx)
			if err != nil {
				t.Fatalf("down from %d: %v", up[i].Version, err)
			}
			if down.Version != up[i].Version {
				t.Fatalf("down rolled back %d, want %d", down.Version, up[i].Version)
			}
			if got, want := applied(t, m), versions(up[:i]); !slices.Equal(got, want) {
				t.Fatalf("after rolling back %d, applied %v, want %v", down.Version, got, want)
			}
		}
		if left := tables(t, dialect, dsn); len(left) != 0 {
			t.Fatalf("tables left after every down: %v", left)
		}
		if _, err := m.Down(ctx); !errors.Is(err, store.ErrNoMigrationToRollBack) {
			t.Fatalf("down with nothing applied: %v", err)
		}
		if _, err := m.Up(ctx); err != nil {
			t.Fatal(err)
		}
		if got := tables(t, dialect, dsn); !slices.Equal(got, full) {
			t.Fatalf("tables after down and up: %v, want %v", got, full)
		}
	})
}

func versions(rs []store.MigrationResult) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.Version)
	}
	return out
}

// TestDatabaseOfTheOldRunnerKeepsWorking opens databases that the migration
// runner before goose made: their recorded versions carry over (nothing is
// applied twice), their data is intact, and they migrate down and up.
func TestDatabaseOfTheOldRunnerKeepsWorking(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn, _ := pgtest.LegacyDSN(t, dialect)
		db, err := store.Open(ctx, dsn, store.Options{SecretKey: pgtest.SecretKey})
		if err != nil {
			t.Fatalf("open a database of the old runner: %v", err)
		}
		org, err := db.OrganizationByName(ctx, "Legacy Co")
		if err != nil {
			t.Fatal(err)
		}
		admin, err := db.FirstAdmin(ctx, org.ID)
		if err != nil || admin.Email != "ops@legacy.example" {
			t.Fatalf("admin %+v, %v", admin, err)
		}
		a := pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, UserID: admin.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
		if _, err := db.CreateTier(ctx, a, pg.TierCreate{Name: "Gold", Rank: 1}); err != nil {
			t.Fatalf("write after the carry-over: %v", err)
		}
		db.Close()
		if slices.Contains(tables(t, dialect, dsn), "schema_migrations") {
			t.Fatal("schema_migrations is still there")
		}
		m, err := store.OpenMigrator(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		st, err := m.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if s.AppliedAt == nil {
				t.Fatalf("%s is pending on a database the old runner migrated", s.Name)
			}
		}
		if _, err := m.Down(ctx); err != nil {
			t.Fatalf("down: %v", err)
		}
		if _, err := m.Up(ctx); err != nil {
			t.Fatalf("up: %v", err)
		}
	})
}

// TestOldRunnerDatabasesOpenedTogether adopts one old runner's ledger from
// several stores opening it at once: one carries it over, none applies a
// migration again.
func TestOldRunnerDatabasesOpenedTogether(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		dsn, _ := pgtest.LegacyDSN(t, dialect)
		errs := make(chan error, 4)
		for range cap(errs) {
			go func() {
				db, err := store.Open(context.Background(), dsn, store.Options{SecretKey: pgtest.SecretKey})
				if err == nil {
					db.Close()
				}
				errs <- err
			}()
		}
		for range cap(errs) {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
	})
}
