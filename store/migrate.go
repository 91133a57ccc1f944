package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrations embed.FS

// migrate applies, in order and each in its own transaction, the embedded
// migrations of the dialect not yet recorded in schema_migrations.
func (db *DB) migrate(ctx context.Context) error {
	if err := db.createMigrationsTable(ctx); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	dir := db.dialect.migrationsDir()
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	for _, e := range entries {
		version, err := strconv.Atoi(strings.SplitN(e.Name(), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its version", e.Name())
		}
		body, err := migrations.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		if err := db.applyMigration(ctx, version, e.Name(), string(body)); err != nil {
			return fmt.Errorf("migration %s: %w", e.Name(), err)
		}
	}
	return nil
}

// createMigrationsTable creates the ledger of applied migrations under the
// migration lock: concurrent CREATE TABLE IF NOT EXISTS can fail on PostgreSQL.
func (db *DB) createMigrationsTable(ctx context.Context) error {
	tx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.dialect.lockMigrations(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL)`); err != nil {
		return err
	}
	return tx.Commit()
}

func (db *DB) applyMigration(ctx context.Context, version int, name, body string) error {
	tx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := db.dialect.lockMigrations(ctx, tx); err != nil {
		return err
	}
	var n int
	if err := tx.GetContext(ctx, &n, db.dialect.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.dialect.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
		version, name, db.now().UTC()); err != nil {
		return err
	}
	return tx.Commit()
}
