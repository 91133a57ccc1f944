package gen

import (
	"context"
	"fmt"
	"io"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/jmoiron/sqlx"
	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// loader writes rows in multi-row INSERTs through a connection of its own,
// against the schema the store's migrations made.
type loader struct {
	db       *sqlx.DB
	postgres bool
	// maxParams is the most bound parameters one statement may carry
	// (SQLite's SQLITE_MAX_VARIABLE_NUMBER, PostgreSQL's protocol limit).
	maxParams int
	queries   map[string]string
}

// isPostgres reports whether dsn names a PostgreSQL database, as the store
// decides it.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// sqlitePath returns the file of a SQLite DSN as the store reads it.
func sqlitePath(dsn string) string { return strings.TrimPrefix(dsn, "sqlite://") }

func openLoader(ctx context.Context, dsn string, log io.Writer) (*loader, error) {
	if isPostgres(dsn) {
		db, err := sqlx.ConnectContext(ctx, "pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open %s for bulk load: %w", redact(dsn), err)
		}
		l := &loader{db: db, postgres: true, maxParams: 65535, queries: map[string]string{}}
		// One connection, so the session settings below hold for every
		// statement. Skipping the foreign-key triggers (as SQLite's load
		// does) makes the load several times faster; only a superuser may,
		// and anyone else's load just checks them.
		db.SetMaxOpenConns(1)
		if _, err := db.ExecContext(ctx, "SET synchronous_commit = off"); err != nil {
			db.Close()
			return nil, fmt.Errorf("bulk load session: %w", err)
		}
		if _, err := db.ExecContext(ctx, "SET session_replication_role = replica"); err != nil {
			l.logf(log, "foreign keys stay checked during the load: %v", err)
		}
		return l, nil
	}
	// Foreign keys are off and commits are not synced: the rows are
	// consistent by construction, and a crashed load is simply rerun.
	db, err := sqlx.ConnectContext(ctx, "sqlite3", "file:"+sqlitePath(dsn)+
		"?_foreign_keys=off&_busy_timeout=10000&_synchronous=OFF&_cache_size=-131072")
	if err != nil {
		return nil, fmt.Errorf("open %s for bulk load: %w", dsn, err)
	}
	db.SetMaxOpenConns(1)
	return &loader{db: db, maxParams: 32766, queries: map[string]string{}}, nil
}

// nextID returns the id after the highest one of table.
func (l *loader) nextID(ctx context.Context, table string) (int64, error) {
	var id int64
	if err := l.db.GetContext(ctx, &id, "SELECT COALESCE(MAX(id), 0) + 1 FROM "+table); err != nil {
		return 0, fmt.Errorf("next id of %s: %w", table, err)
	}
	return id, nil
}

// rows are rows gathered for one table, flat: every len(cols) args are a row.
type rows struct {
	table string
	cols  []string
	args  []any
}

func newRows(table string, cols ...string) *rows { return &rows{table: table, cols: cols} }

// add appends one row; vals are in the order of the columns.
func (r *rows) add(vals ...any) { r.args = append(r.args, vals...) }

func (r *rows) len() int { return len(r.args) / len(r.cols) }

// inTx writes every gathered row of each table in one transaction, in
// order (parents first), and empties them.
func (l *loader) inTx(ctx context.Context, tables ...*rows) error {
	tx, err := l.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin bulk transaction: %w", err)
	}
	defer tx.Rollback()
	for _, r := range tables {
		if err := l.write(ctx, tx, r); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit bulk transaction: %w", err)
	}
	for _, r := range tables {
		r.args = r.args[:0]
	}
	return nil
}

// write inserts r's rows in as few statements as the parameter limit allows.
func (l *loader) write(ctx context.Context, tx *sqlx.Tx, r *rows) error {
	width := len(r.cols)
	per := (l.maxParams / width) * width
	for start := 0; start < len(r.args); start += per {
		end := min(start+per, len(r.args))
		n := (end - start) / width
		if _, err := tx.ExecContext(ctx, l.insert(r, n), r.args[start:end]...); err != nil {
			return fmt.Errorf("insert %d rows into %s: %w", n, r.table, err)
		}
	}
	return nil
}

// insert returns the INSERT of n rows into r's table; each size is built
// once (a load uses two: the full chunk and the last one).
func (l *loader) insert(r *rows, n int) string {
	key := fmt.Sprintf("%s/%d", r.table, n)
	if q, ok := l.queries[key]; ok {
		return q
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(r.cols)), ", ") + ")"
	q := "INSERT INTO " + r.table + " (" + strings.Join(r.cols, ", ") + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
	if l.postgres {
		q = sqlx.Rebind(sqlx.DOLLAR, q)
	}
	l.queries[key] = q
	return q
}

// finish leaves the database as a running gateway expects it: PostgreSQL's
// identity sequences past the explicit ids, fresh planner statistics
// (autovacuum would get there, but not before the benchmark starts) and the
// planner's random-page cost of a database that fits in memory or sits on
// SSD; SQLite's write-ahead log folded into the file.
//
// With the stock random_page_cost of 4, PostgreSQL answers "partnership_id
// IN (500 ids)" on the 20,000-partnership dataset with sequential scans of
// the link tables: 77 ms instead of 11 ms for the baseline's links query,
// slowing both servers alike and hiding how far the gateway is from the
// reference. The setting is the database's own, not the server's.
func (l *loader) finish(ctx context.Context) error {
	if !l.postgres {
		if _, err := l.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		return nil
	}
	for _, table := range []string{"partners", "partnerships"} {
		if _, err := l.db.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('"+table+"', 'id'), (SELECT MAX(id) FROM "+table+"))"); err != nil {
			return fmt.Errorf("advance %s id sequence: %w", table, err)
		}
	}
	// Every table, the small ones made through the store included: a
	// database autovacuum has looked at knows 50 tags of an organization
	// from 3, and the planner joins the link tables to them accordingly.
	if _, err := l.db.ExecContext(ctx, "VACUUM (ANALYZE)"); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	var name string
	if err := l.db.GetContext(ctx, &name, "SELECT current_database()"); err != nil {
		return fmt.Errorf("database name: %w", err)
	}
	if _, err := l.db.ExecContext(ctx, `ALTER DATABASE "`+strings.ReplaceAll(name, `"`, `""`)+`" SET random_page_cost = 1.1`); err != nil {
		return fmt.Errorf("set random_page_cost: %w", err)
	}
	return nil
}

func (l *loader) logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}
