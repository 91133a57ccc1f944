package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

type postgresDialect struct{}

func (postgresDialect) name() string { return "postgres" }

func (postgresDialect) open(ctx context.Context, dsn string, open opener) (*sqlx.DB, *sqlx.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, nil, fmt.Errorf("open postgres: %w", err)
	}
	db := sqlx.NewDb(open(stdlib.GetConnector(*cfg)), "pgx")
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, nil, fmt.Errorf("open postgres: %w", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	return db, db, nil
}

func (postgresDialect) rebind(q string) string { return sqlx.Rebind(sqlx.DOLLAR, q) }

func (postgresDialect) ilike(col string) string { return col + " ILIKE ? ESCAPE '\\'" }

func (postgresDialect) constraint(err error) constraintKind {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return uniqueViolation
		case "23503":
			return foreignKeyViolation
		}
	}
	return otherError
}

func (postgresDialect) secretKey(string) ([]byte, error) {
	return nil, errors.New("a PostgreSQL deployment needs a secret key: set PARTNERGRAPH_SECRET_KEY (64 hex characters)")
}

func (postgresDialect) migrationsDir() string { return "migrations/postgres" }

func (postgresDialect) gooseDialect() goose.Dialect { return goose.DialectPostgres }

// migrationLocker takes a session advisory lock, so processes that start
// together apply each migration once; the others try again every second
// for five minutes.
func (postgresDialect) migrationLocker(string) (lock.SessionLocker, error) {
	return lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID), lock.WithLockTimeout(1, 300))
}

// lockMigrations takes the migration lock for the transaction.
func (postgresDialect) lockMigrations(ctx context.Context, tx *sqlx.Tx) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLockID))
	return err
}

func (postgresDialect) tableExists(ctx context.Context, tx *sqlx.Tx, name string) (bool, error) {
	var ok bool
	err := tx.GetContext(ctx, &ok, `SELECT to_regclass($1) IS NOT NULL`, name)
	return ok, err
}

// displayName is the URL without its password.
func (postgresDialect) displayName(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "a PostgreSQL database"
	}
	return u.Redacted()
}

// skipLocked lets processes claim different rows at once.
func (postgresDialect) skipLocked(alias string) string {
	return " FOR UPDATE OF " + alias + " SKIP LOCKED"
}

func (postgresDialect) forUpdate() string { return " FOR UPDATE" }

// byKey is col as it is: PostgreSQL's planner follows its statistics,
// and a + would leave it to scan the table for the condition.
func (postgresDialect) byKey(col string) string { return col }

func (postgresDialect) idList(col string) string { return "string_agg(" + col + "::text, ',')" }

// projectDefaultLock is the first key of the advisory locks that serialize
// changes to a project's default partnership; the project id, folded into
// 32 bits, is the second (two ids sharing a lock only wait for each other).
const projectDefaultLock = 0x70676466 // "pgdf"

// lockProjectDefault takes an advisory lock rather than the project's row:
// a row lock taken after the partnership's would deadlock with deleting the
// project, whose cascade locks the project first and the partnerships next.
func (postgresDialect) lockProjectDefault() string {
	return `SELECT pg_advisory_xact_lock(` + strconv.Itoa(projectDefaultLock) + `, CAST(? % 2147483648 AS integer))`
}

// eventsChannel is the LISTEN/NOTIFY channel of committed events.
const eventsChannel = "partnergraph_events"

func (postgresDialect) notify(ctx context.Context, r runner) error {
	_, err := r.exec(ctx, `SELECT pg_notify('`+eventsChannel+`', '')`)
	return err
}

// singleWriter is false: PostgreSQL's pool writes concurrently.
func (postgresDialect) singleWriter() bool { return false }

func (postgresDialect) openCheckpointer(context.Context, string) (*sqlx.DB, error) {
	return nil, errors.New("postgres: no checkpointer")
}

func (postgresDialect) listen(ctx context.Context, dsn string, wake func()) error {
	for ctx.Err() == nil {
		conn, err := pgx.Connect(ctx, dsn)
		if err == nil {
			_, err = conn.Exec(ctx, "LISTEN "+eventsChannel)
		}
		if err == nil {
			// Anything committed while not listening is caught up now.
			wake()
			for err == nil {
				_, err = conn.WaitForNotification(ctx)
				if err == nil {
					wake()
				}
			}
		}
		if conn != nil {
			conn.Close(context.WithoutCancel(ctx))
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}
