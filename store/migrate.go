package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"
)

// migrationFiles holds each dialect's migrations, goose SQL files named
// NNNN_name.sql, each with an Up and a Down section.
//
//go:embed migrations
var migrationFiles embed.FS

// migrationLockID is the PostgreSQL advisory lock key that serializes
// migrations. It is the key partnergraph's runner before goose took, so
// processes of either kind exclude each other during an upgrade.
const migrationLockID = 72001

// legacyLedger is the table in which partnergraph's runner before goose
// recorded applied versions; goose records them in goose.DefaultTablename.
const legacyLedger = "schema_migrations"

// ErrNoMigrationToRollBack is returned by Down on a database with no
// migration applied.
var ErrNoMigrationToRollBack = errors.New("no migration is applied: nothing to roll back")

// Migrator applies, rolls back and reports the schema migrations of one
// database, with github.com/pressly/goose/v3 over the embedded files of the
// database's engine. Up and Down take a lock first (an advisory lock on
// PostgreSQL, a lock file beside a SQLite database), so processes starting
// together apply each migration once.
type Migrator struct {
	provider *goose.Provider
	w        *sqlx.DB
	dialect  dialect
	// closeDB closes what OpenMigrator opened; nil when the migrator
	// borrows an open DB's writer.
	closeDB func() error
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version int64
	// Name is the migration's file name, such as 0001_init.sql.
	Name string
	// AppliedAt is when it was applied (UTC), nil while it is pending.
	AppliedAt *time.Time
}

// MigrationResult is one migration applied or rolled back.
type MigrationResult struct {
	Version  int64
	Name     string
	Duration time.Duration
}

// OpenMigrator opens the database dsn names for its migrations alone:
// unlike Open it applies nothing by itself and needs no secret key.
func OpenMigrator(ctx context.Context, dsn string) (*Migrator, error) {
	d, err := dialectFor(dsn)
	if err != nil {
		return nil, err
	}
	r, w, err := d.open(ctx, dsn, sql.OpenDB)
	if err != nil {
		return nil, err
	}
	closeDB := func() error {
		if r == w {
			return r.Close()
		}
		return errors.Join(w.Close(), r.Close())
	}
	m, err := newMigrator(d, w, dsn)
	if err != nil {
		closeDB()
		return nil, err
	}
	m.closeDB = closeDB
	return m, nil
}

func newMigrator(d dialect, w *sqlx.DB, dsn string) (*Migrator, error) {
	files, err := fs.Sub(migrationFiles, d.migrationsDir())
	if err != nil {
		return nil, err
	}
	locker, err := d.migrationLocker(dsn)
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	p, err := goose.NewProvider(d.gooseDialect(), w.DB, files,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return &Migrator{provider: p, w: w, dialect: d}, nil
}

// Close closes the database if OpenMigrator opened it.
func (m *Migrator) Close() error {
	if m.closeDB == nil {
		return nil
	}
	return m.closeDB()
}

// Up applies every pending migration, in version order, each in its own
// transaction, and returns those it applied (none when already current).
func (m *Migrator) Up(ctx context.Context) ([]MigrationResult, error) {
	if err := m.adoptLegacyLedger(ctx); err != nil {
		return nil, err
	}
	res, err := m.provider.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	out := make([]MigrationResult, len(res))
	for i, r := range res {
		out[i] = result(r)
	}
	return out, nil
}

// Down rolls back the most recently applied migration by running its Down
// section, and returns it; ErrNoMigrationToRollBack when none is applied.
func (m *Migrator) Down(ctx context.Context) (MigrationResult, error) {
	if err := m.adoptLegacyLedger(ctx); err != nil {
		return MigrationResult{}, err
	}
	res, err := m.provider.Down(ctx)
	if errors.Is(err, goose.ErrNoNextVersion) {
		return MigrationResult{}, ErrNoMigrationToRollBack
	}
	if err != nil {
		return MigrationResult{}, fmt.Errorf("migrate down: %w", err)
	}
	return result(res), nil
}

// Status lists every migration this build holds, in version order, with
// when each was applied.
func (m *Migrator) Status(ctx context.Context) ([]MigrationStatus, error) {
	// A database the runner before goose migrated would otherwise read as
	// having nothing applied.
	if err := m.adoptLegacyLedger(ctx); err != nil {
		return nil, err
	}
	st, err := m.provider.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, len(st))
	for i, s := range st {
		out[i] = MigrationStatus{Version: s.Source.Version, Name: filepath.Base(s.Source.Path)}
		if s.State == goose.StateApplied {
			at := s.AppliedAt.UTC()
			out[i].AppliedAt = &at
		}
	}
	return out, nil
}

// Version returns the highest applied migration's version, 0 for none.
func (m *Migrator) Version(ctx context.Context) (int64, error) {
	v, err := m.provider.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("migration version: %w", err)
	}
	return v, nil
}

func result(r *goose.MigrationResult) MigrationResult {
	return MigrationResult{Version: r.Source.Version, Name: filepath.Base(r.Source.Path), Duration: r.Duration}
}

// adoptLegacyLedger carries the versions that partnergraph's runner before
// goose recorded in schema_migrations over to goose's table, then drops
// schema_migrations: all in one transaction under the migration lock, so
// it happens once however many processes start together, and a database
// that runner migrated goes on with its next migration.
func (m *Migrator) adoptLegacyLedger(ctx context.Context) error {
	tx, err := m.w.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("adopt %s: %w", legacyLedger, err)
	}
	defer tx.Rollback()
	if err := m.dialect.lockMigrations(ctx, tx); err != nil {
		return fmt.Errorf("adopt %s: %w", legacyLedger, err)
	}
	if ok, err := m.dialect.tableExists(ctx, tx, legacyLedger); err != nil || !ok {
		return err
	}
	if ok, err := m.dialect.tableExists(ctx, tx, goose.DefaultTablename); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("both %s and %s record migrations: keep one", legacyLedger, goose.DefaultTablename)
	}
	var versions []int64
	if err := tx.SelectContext(ctx, &versions, `SELECT version FROM `+legacyLedger+` ORDER BY version`); err != nil {
		return fmt.Errorf("read %s: %w", legacyLedger, err)
	}
	if err := recordVersions(ctx, tx.Tx, m.dialect.gooseDialect(), versions); err != nil {
		return fmt.Errorf("adopt %s: %w", legacyLedger, err)
	}
	if _, err := tx.ExecContext(ctx, `DROP TABLE `+legacyLedger); err != nil {
		return fmt.Errorf("drop %s: %w", legacyLedger, err)
	}
	return tx.Commit()
}

// recordVersions creates goose's table with its zero version and records
// versions as applied, with goose's own statements.
func recordVersions(ctx context.Context, tx *sql.Tx, d goose.Dialect, versions []int64) error {
	ledger, err := database.NewStore(d, goose.DefaultTablename)
	if err != nil {
		return err
	}
	if err := ledger.CreateVersionTable(ctx, tx); err != nil {
		return err
	}
	for _, v := range append([]int64{0}, versions...) {
		if err := ledger.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return err
		}
	}
	return nil
}

// DisplayName names the database dsn points at for people: a SQLite file's
// absolute path, or a PostgreSQL URL without its password.
func DisplayName(dsn string) string {
	d, err := dialectFor(dsn)
	if err != nil {
		return dsn
	}
	return d.displayName(dsn)
}

// sqlitePath is the file a SQLite DSN names.
func sqlitePath(dsn string) string { return strings.TrimPrefix(dsn, "sqlite://") }
