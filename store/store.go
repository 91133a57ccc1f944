// Package store is partnergraph's data access over sqlx: one file per
// aggregate, every query scoped to the organization an Actor acts on, every
// mutation in one transaction. Only this package speaks SQL.
package store

import (
	"context"
	"crypto/cipher"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"go.opentelemetry.io/otel/trace"

	pg "partnergraph"
)

// DB is an open partnergraph database.
type DB struct {
	// r serves reads; w serves transactions. On SQLite w has one connection,
	// the single writer that keeps "database is locked" away; on PostgreSQL
	// both are the same pool.
	r, w    *sqlx.DB
	dialect dialect
	now     func() time.Time
	aead    cipher.AEAD

	statements atomic.Int64
	onEvents   []func(ids []int64)
	dsn        string
	// committer groups the write transactions of an engine with a single
	// writer (SQLite); nil elsewhere.
	committer *committer
	// keys are the API key rows authentication read lately; keyReads
	// counts its reads.
	keys     keyCache
	keyReads atomic.Int64
}

// Options configure Open.
type Options struct {
	// SecretKey is the 32-byte AES key that encrypts integration passwords.
	// When nil, a SQLite database keeps a generated key in a file beside it.
	SecretKey []byte
	// Now returns the current time; tests may fix it.
	Now func() time.Time
	// TracerProvider, when set, traces every statement the gateway's
	// requests send (a span each, with its text but never its arguments).
	TracerProvider trace.TracerProvider
}

// Open opens (creating if needed) and migrates the database named by dsn: a
// SQLite file path, or a postgres:// URL.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	d, err := dialectFor(dsn)
	if err != nil {
		return nil, err
	}
	db := &DB{dialect: d, now: opts.Now, dsn: dsn}
	if db.now == nil {
		db.now = time.Now
	}
	if db.r, db.w, err = d.open(ctx, dsn, opts.opener(d.name())); err != nil {
		return nil, err
	}
	key := opts.SecretKey
	if key == nil {
		if key, err = d.secretKey(dsn); err != nil {
			db.Close()
			return nil, err
		}
	}
	if db.aead, err = newAEAD(key); err != nil {
		db.Close()
		return nil, err
	}
	m, err := newMigrator(d, db.w, dsn)
	if err == nil {
		_, err = m.Up(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	if d.singleWriter() {
		conn, err := d.openCheckpointer(ctx, dsn)
		if err != nil {
			db.Close()
			return nil, err
		}
		db.committer = newCommitter(db, newCheckpointer(conn))
	}
	return db, nil
}

// Close closes the database.
func (db *DB) Close() error {
	var errs []error
	if db.committer != nil {
		errs = append(errs, db.committer.Close())
	}
	if db.r != nil {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil && db.w != db.r {
		errs = append(errs, db.w.Close())
	}
	return errors.Join(errs...)
}

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Statements returns how many SQL statements this DB has sent, for metrics
// and for tests that prove a query's cost does not grow with its rows.
func (db *DB) Statements() int64 { return db.statements.Load() }

type statementCounterKey struct{}

// CountStatements returns a context whose queries this DB counts apart,
// and a function returning how many there were: one operation's share of
// Statements, for its debug log line. Transaction begins and commits a
// group commit shares are not counted in it.
func CountStatements(ctx context.Context) (context.Context, func() int64) {
	n := new(atomic.Int64)
	return context.WithValue(ctx, statementCounterKey{}, n), n.Load
}

// count counts a statement sent for ctx.
func (db *DB) count(ctx context.Context) {
	db.statements.Add(1)
	if n, ok := ctx.Value(statementCounterKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
}

// Dialect names the database engine: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect.name() }

// Tx is a write transaction. It carries the time of the change, so every row
// a mutation touches gets the same timestamp.
type Tx struct {
	runner
	tx  *sqlx.Tx
	now time.Time
	// events are the ids of the events written, announced after commit.
	events []int64
}

// begin starts a write transaction.
func (db *DB) begin(ctx context.Context) (*Tx, error) {
	db.statements.Add(1)
	tx, err := db.w.BeginTxx(ctx, nil)
	if err != nil {
		return nil, pg.InternalError(fmt.Errorf("begin: %w", err))
	}
	return &Tx{runner: runner{q: tx, db: db, endpoints: endpointCache{}}, tx: tx, now: db.txTime()}, nil
}

// txTime is the time of a transaction's changes.
func (db *DB) txTime() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a write transaction and commits when it returns nil. On
// an engine with a single writer the committer runs it, in a transaction
// that may hold other mutations too; fn sees the same either way.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.committer != nil {
		return db.committer.run(ctx, fn)
	}
	// The transaction outlives a cancellation of ctx, which only its
	// statements heed: once COMMIT is sent it runs to its end, so a caller
	// told "canceled" knows nothing was stored, and one told nothing knows
	// it was (a COMMIT cut short by a cancellation may have committed).
	tx, err := db.begin(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	defer tx.tx.Rollback()
	if err := fn(tx); err != nil {
		return canceled(ctx, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(tx.events) > 0 {
		// Other processes hear of the events when, and only if, they commit.
		if err := db.dialect.notify(ctx, tx.runner); err != nil {
			return canceled(ctx, err)
		}
	}
	db.statements.Add(1)
	if err := tx.tx.Commit(); err != nil {
		return db.translate(fmt.Errorf("commit: %w", err))
	}
	if len(tx.events) > 0 {
		for _, f := range db.onEvents {
			f(tx.events)
		}
	}
	return nil
}

// canceled is err, or ctx's cancellation when the caller gave up meanwhile:
// a statement cut short by it fails in the driver's words (pgx closes the
// connection, database/sql says "driver: bad connection"), and the caller
// is owed the reason it knows, the transaction having been rolled back.
func canceled(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// OnEvents adds a function told the ids of the events each transaction of
// this process committed, so live subscriptions and the dispatcher wake
// without polling. Add them before serving. On SQLite they run on the
// writer, before the callers of the commit hear of it: they must not block.
func (db *DB) OnEvents(f func(ids []int64)) { db.onEvents = append(db.onEvents, f) }

// Listen calls wake whenever any process commits events, until ctx ends.
// On PostgreSQL it listens for notifications (reconnecting, and waking once
// after each reconnect so nothing missed meanwhile is lost); on SQLite, one
// process owns the file and OnEvents already hears every commit.
func (db *DB) Listen(ctx context.Context, wake func()) error {
	return db.dialect.listen(ctx, db.dsn, wake)
}

// read returns a runner for queries outside a transaction.
func (db *DB) read() runner { return runner{q: db.r, db: db} }

type queryer interface {
	sqlx.QueryerContext
	sqlx.ExecerContext
}

// runner sends statements, counting each and rebinding placeholders for the
// dialect. Queries are written with ? placeholders.
type runner struct {
	q  queryer
	db *DB
	// shared marks a transaction that holds other callers' mutations too
	// (group commit). A caller's cancellation must not reach the driver
	// there: go-sqlite3 interrupts the connection, and SQLite answers an
	// interrupted write by rolling back the whole transaction. The caller's
	// context is checked before each statement instead.
	shared bool
	// endpoints, in a transaction, are the webhook endpoints it read, by
	// organization (see Tx.endpoints); a statement naming their table
	// forgets them.
	endpoints endpointCache
}

// sending is told of every statement r sends: one that names the webhook
// endpoints' table (a write, or a read that may follow one) empties the
// endpoints r's transaction read, which its next event reads again as the
// transaction now has them. No statement changes endpoints without naming
// them: only a deleted organization's would cascade to them, and
// organizations are never deleted.
func (r runner) sending(query string) {
	if len(r.endpoints) > 0 && strings.Contains(query, "webhook_endpoints") {
		clear(r.endpoints)
	}
}

// context returns the context to send a statement with.
func (r runner) context(ctx context.Context) (context.Context, error) {
	if !r.shared {
		return ctx, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (r runner) get(ctx context.Context, dest any, query string, args ...any) error {
	ctx, err := r.context(ctx)
	if err != nil {
		return err
	}
	r.db.count(ctx)
	r.sending(query)
	err = sqlx.GetContext(ctx, r.q, dest, r.db.dialect.rebind(query), args...)
	return r.db.translate(err)
}

func (r runner) all(ctx context.Context, dest any, query string, args ...any) error {
	ctx, err := r.context(ctx)
	if err != nil {
		return err
	}
	r.db.count(ctx)
	r.sending(query)
	err = sqlx.SelectContext(ctx, r.q, dest, r.db.dialect.rebind(query), args...)
	return r.db.translate(err)
}

// scan runs a query of one row and scans its columns into dest.
func (r runner) scan(ctx context.Context, dest []any, query string, args ...any) error {
	ctx, err := r.context(ctx)
	if err != nil {
		return err
	}
	r.db.count(ctx)
	r.sending(query)
	err = r.q.QueryRowxContext(ctx, r.db.dialect.rebind(query), args...).Scan(dest...)
	return r.db.translate(err)
}

func (r runner) exec(ctx context.Context, query string, args ...any) (int64, error) {
	ctx, err := r.context(ctx)
	if err != nil {
		return 0, err
	}
	r.db.count(ctx)
	r.sending(query)
	res, err := r.q.ExecContext(ctx, r.db.dialect.rebind(query), args...)
	if err != nil {
		return 0, r.db.translate(err)
	}
	n, err := res.RowsAffected()
	return n, r.db.translate(err)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (r runner) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := r.get(ctx, &id, query+" RETURNING id", args...)
	return id, err
}

// translate turns driver errors into domain errors: constraint failures
// become CONFLICT or BAD_USER_INPUT, cancellations stay as they are, and
// anything else is INTERNAL with its cause kept for the log.
func (db *DB) translate(err error) error {
	if err == nil {
		return nil
	}
	var de *pg.Error
	switch {
	case errors.As(err, &de):
		return err
	case errors.Is(err, sql.ErrNoRows):
		return err
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	switch db.dialect.constraint(err) {
	case uniqueViolation:
		return &pg.Error{Code: pg.Conflict, Message: "A record with these values already exists.", Err: err}
	case foreignKeyViolation:
		return &pg.Error{Code: pg.BadUserInput, Message: "A referenced record does not exist.", Err: err}
	}
	return pg.InternalError(err)
}

// notFound maps sql.ErrNoRows to NOT_FOUND for what, and passes other errors.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return pg.NotFoundf("%s not found.", what)
	}
	return err
}

// in expands a slice argument into "(?, ?, …)" with its args. Callers never
// pass an empty slice: loaders skip the query when there are no keys.
func in[T any](vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")", args
}

// canonicalUUID is the form a UUID is stored in, for a lookup by one a
// client sent: UUIDs are case-insensitive on input (RFC 9562) and stored in
// canonical lower case. A string that is no UUID is lowered all the same,
// so it finds what the same text in another case would.
func canonicalUUID(s string) string {
	if u, err := uuid.Parse(s); err == nil {
		return u.String()
	}
	return strings.ToLower(s)
}

// Now returns the store's current time (fixed in tests that set Options.Now).
func (db *DB) Now() time.Time { return db.now() }

// each runs a query and hands every row to row, which scans it with the
// scan function given (database/sql's Rows.Scan): the batch reads that
// return thousands of rows per request scan them this way, without sqlx's
// reflection over struct fields.
func (r runner) each(ctx context.Context, query string, args []any, row func(scan func(dest ...any) error) error) error {
	ctx, err := r.context(ctx)
	if err != nil {
		return err
	}
	r.db.count(ctx)
	r.sending(query)
	rows, err := r.q.QueryxContext(ctx, r.db.dialect.rebind(query), args...)
	if err != nil {
		return r.db.translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return r.db.translate(rows.Err())
}
