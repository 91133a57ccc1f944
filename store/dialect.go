package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

type constraintKind int

const (
	otherError constraintKind = iota
	uniqueViolation
	foreignKeyViolation
)

// dialect holds every difference between the database engines, so the rest
// of the store is written once.
type dialect interface {
	name() string
	open(ctx context.Context, dsn string, open opener) (r, w *sqlx.DB, err error)
	rebind(query string) string
	// ilike returns a case-insensitive substring match of col against a
	// bound pattern.
	ilike(col string) string
	constraint(err error) constraintKind
	// secretKey returns the encryption key to use when none is configured.
	secretKey(dsn string) ([]byte, error)
	migrationsDir() string
	// gooseDialect is the engine's name for goose.
	gooseDialect() goose.Dialect
	// migrationLocker serializes goose's migrations across processes.
	migrationLocker(dsn string) (lock.SessionLocker, error)
	// lockMigrations serializes a transaction with the migrations of
	// other processes.
	lockMigrations(ctx context.Context, tx *sqlx.Tx) error
	tableExists(ctx context.Context, tx *sqlx.Tx, name string) (bool, error)
	// displayName names the database for people (see DisplayName).
	displayName(dsn string) string
	// skipLocked is the clause that skips rows another transaction locked.
	skipLocked(alias string) string
	// forUpdate is the clause that locks the rows a read in a write
	// transaction returns, so the change made from them is not made from
	// values another transaction is changing (the single writer needs none).
	forUpdate() string
	// byKey returns col for a condition that must not choose the plan:
	// the rows it filters are reached by their keys from elsewhere in the
	// statement (see linkedScope).
	byKey(col string) string
	// idList aggregates the integer column col of a subquery's rows into
	// one text value, the ids comma-separated (NULL for no rows).
	idList(col string) string
	// lockProjectDefault is the statement that serializes, until its
	// transaction ends, the transactions changing one project's default
	// partnership (its one argument is the project's id); "" when the
	// single writer serializes them already.
	lockProjectDefault() string
	// notify announces, within a transaction, that it wrote events.
	notify(ctx context.Context, r runner) error
	// listen calls wake when any process commits events.
	listen(ctx context.Context, dsn string, wake func()) error
	// singleWriter reports that the engine writes through one connection,
	// so mutations are grouped into shared transactions (group commit)
	// rather than each waiting for the connection and committing alone.
	singleWriter() bool
	// openCheckpointer opens the connection that checkpoints a single
	// writer's log beside it (see checkpointer).
	openCheckpointer(ctx context.Context, dsn string) (*sqlx.DB, error)
}

func dialectFor(dsn string) (dialect, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgresDialect{}, nil
	case dsn == "":
		return nil, fmt.Errorf("no database given")
	default:
		return sqliteDialect{}, nil
	}
}

type sqliteDialect struct{}

// sqliteURI is the file: URI of the database file at path, with params.
// The characters SQLite's URI parsing gives a meaning ('%', '?', '#') are
// escaped: a path holding them (a test's folder is named for its subtest,
// "sqlite#01") names its own file, not a truncated one another shares.
func sqliteURI(path, params string) string {
	return "file:" + strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23").Replace(path) + "?" + params
}

// sqliteParams are every SQLite connection's settings.
const sqliteParams = "_foreign_keys=on&_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL"

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) open(ctx context.Context, path string, open opener) (*sqlx.DB, *sqlx.DB, error) {
	path = sqlitePath(path)
	if err := checkFolder(path); err != nil {
		return nil, nil, err
	}
	params := sqliteParams
	// The writer takes its lock at BEGIN (immediate), so two writers never
	// deadlock upgrading read locks; it is the only writing connection.
	//
	// Its savepoints (see committer) keep the pages they may roll back in
	// a statement journal, which beyond 64 KiB spills to a temporary file,
	// created and deleted per savepoint; in memory it is a copy. It does
	// not checkpoint in its commits: the checkpointer does, beside it.
	w, err := connectSQLite(ctx, open, sqliteURI(path, params+"&_txlock=immediate"), "PRAGMA temp_store = MEMORY", "PRAGMA wal_autocheckpoint = 0")
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := connectSQLite(ctx, open, sqliteURI(path, params+"&_query_only=true"))
	if err != nil {
		w.Close()
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return r, w, nil
}

// connectSQLite opens and pings a SQLite database whose connections keep
// their prepared statements (see sqliteConnector). Switching a new file to
// WAL takes an exclusive lock that does not wait on the busy timeout, so
// processes opening one fresh file together retry for a few seconds.
func connectSQLite(ctx context.Context, open opener, dsn string, pragmas ...string) (*sqlx.DB, error) {
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		db := sqlx.NewDb(open(&sqliteConnector{dsn: dsn, driver: &sqlite3.SQLiteDriver{}, pragmas: pragmas}), "sqlite3")
		if err = db.PingContext(ctx); err == nil {
			return db, nil
		}
		db.Close()
		var se sqlite3.Error
		if !errors.As(err, &se) || (se.Code != sqlite3.ErrBusy && se.Code != sqlite3.ErrLocked) {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(10+attempt*10) * time.Millisecond):
		}
	}
	return nil, err
}

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) ilike(col string) string { return col + " LIKE ? ESCAPE '\\'" }

func (sqliteDialect) constraint(err error) constraintKind {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.ExtendedCode {
		case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
			return uniqueViolation
		case sqlite3.ErrConstraintForeignKey:
			return foreignKeyViolation
		}
	}
	return otherError
}

// secretKey keeps a generated key in a file beside the database, readable
// only by its owner, so an embedded install needs no configuration.
func (sqliteDialect) secretKey(dsn string) ([]byte, error) {
	path := sqlitePath(dsn) + ".key"
	if key, err := os.ReadFile(path); err == nil {
		if len(key) != 32 {
			return nil, fmt.Errorf("key file %s: want 32 bytes, have %d", path, len(key))
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		// Another process created it first: use theirs.
		return sqliteDialect{}.secretKey(dsn)
	}
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	defer f.Close()
	if _, err := f.Write(key); err != nil {
		return nil, fmt.Errorf("write key file: %w", err)
	}
	return key, f.Sync()
}

func (sqliteDialect) migrationsDir() string { return "migrations/sqlite" }

func (sqliteDialect) gooseDialect() goose.Dialect { return goose.DialectSQLite3 }

// migrationLocker locks a file beside the database (DB.lock): goose has no
// lock of its own for SQLite, and the operating system releases this one
// when a process dies.
func (sqliteDialect) migrationLocker(dsn string) (lock.SessionLocker, error) {
	return fileLocker{flock.New(sqlitePath(dsn) + ".lock")}, nil
}

func (sqliteDialect) tableExists(ctx context.Context, tx *sqlx.Tx, name string) (bool, error) {
	var n int
	err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name)
	return n > 0, err
}

func (sqliteDialect) displayName(dsn string) string {
	path, err := filepath.Abs(sqlitePath(dsn))
	if err != nil {
		return sqlitePath(dsn)
	}
	return path
}

// checkFolder makes sure the folder that is to hold the database file
// exists and is writable (SQLite writes its log and shared memory files
// beside the database), so a mistyped path is an error naming it rather
// than a folder created by surprise or SQLite's "unable to open database
// file".
func checkFolder(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("database %s: folder %s does not exist (create it first)", path, dir)
	case err != nil:
		return fmt.Errorf("database %s: folder %s: %w", path, dir, errors.Unwrap(err))
	case !fi.IsDir():
		return fmt.Errorf("database %s: %s is not a folder", path, dir)
	}
	probe, err := os.CreateTemp(dir, ".partnergraph-write-check-*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("database %s: folder %s is not writable: %w", path, dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// fileLocker is a goose SessionLocker over an advisory file lock.
type fileLocker struct{ f *flock.Flock }

func (l fileLocker) SessionLock(ctx context.Context, _ *sql.Conn) error {
	ok, err := l.f.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil {
		return fmt.Errorf("lock %s: %w", l.f.Path(), err)
	}
	if !ok {
		return fmt.Errorf("lock %s: %w", l.f.Path(), ctx.Err())
	}
	return nil
}

func (l fileLocker) SessionUnlock(context.Context, *sql.Conn) error { return l.f.Unlock() }

// likePattern escapes s for a LIKE substring match.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

// lockMigrations is a no-op on SQLite: the immediate transaction already
// holds the database's write lock.
func (sqliteDialect) lockMigrations(context.Context, *sqlx.Tx) error { return nil }

func (sqliteDialect) skipLocked(string) string { return "" }

func (sqliteDialect) forUpdate() string { return "" }

// byKey hides col's indexes from SQLite's planner with a unary +.
func (sqliteDialect) byKey(col string) string { return "+" + col }

func (sqliteDialect) idList(col string) string { return "group_concat(" + col + ")" }

func (sqliteDialect) lockProjectDefault() string { return "" }

func (sqliteDialect) notify(context.Context, runner) error { return nil }

func (sqliteDialect) singleWriter() bool { return true }

func (sqliteDialect) openCheckpointer(ctx context.Context, path string) (*sqlx.DB, error) {
	path = sqlitePath(path)
	c, err := connectSQLite(ctx, sql.OpenDB, sqliteURI(path, sqliteParams))
	if err != nil {
		return nil, fmt.Errorf("open %s for checkpoints: %w", path, err)
	}
	c.SetMaxOpenConns(1)
	c.SetMaxIdleConns(1)
	c.SetConnMaxLifetime(0)
	return c, nil
}

func (sqliteDialect) listen(ctx context.Context, _ string, _ func()) error {
	<-ctx.Done()
	return nil
}
