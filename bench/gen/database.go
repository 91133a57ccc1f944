package gen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/jmoiron/sqlx"
)

// Drop removes the database dsn names: a SQLite file with its WAL, shared
// memory and key files, or a PostgreSQL database (connecting to the
// server's "postgres" database to drop it). A missing database is no error.
func Drop(ctx context.Context, dsn string) error {
	if !isPostgres(dsn) {
		path := sqlitePath(dsn)
		for _, f := range []string{path, path + "-wal", path + "-shm", path + ".key"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("remove %s: %w", f, err)
			}
		}
		return nil
	}
	admin, name, err := maintenance(ctx, dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// Reset makes dsn name a fresh, empty database: Drop, then (on PostgreSQL)
// create it again. SQLite files are created by the store on open.
func Reset(ctx context.Context, dsn string) error {
	if err := Drop(ctx, dsn); err != nil {
		return err
	}
	if !isPostgres(dsn) {
		return nil
	}
	admin, name, err := maintenance(ctx, dsn)
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

var databaseName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// maintenance connects to the "postgres" database of dsn's server and
// returns the name of dsn's own database.
func maintenance(ctx context.Context, dsn string) (*sqlx.DB, string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, "", fmt.Errorf("parse %s: %w", redact(dsn), err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	// The name is spliced into DDL, which takes no parameters.
	if !databaseName.MatchString(name) {
		return nil, "", fmt.Errorf("database name %q: use lower-case letters, digits and underscores", name)
	}
	if name == "postgres" {
		return nil, "", errors.New("refusing to drop the postgres maintenance database")
	}
	u.Path = "/postgres"
	admin, err := sqlx.ConnectContext(ctx, "pgx", u.String())
	if err != nil {
		return nil, "", fmt.Errorf("connect to %s: %w", redact(u.String()), err)
	}
	return admin, name, nil
}
