package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/jmoiron/sqlx"

	pg "partnergraph"
)

// maxBatch bounds how many mutations share one commit, so a steady stream
// of them still commits, and answers, every so often.
const maxBatch = 64

// errClosed answers mutations sent after Close.
var errClosed = errors.New("store: database closed")

// committer is SQLite's group commit. SQLite has one writer, so mutations
// run one after another whatever we do; what each one need not pay alone is
// the COMMIT and the hand-over of the writer connection. One goroutine takes
// the mutations waiting, runs each in its own savepoint of one transaction
// (a failure rolls back to it, so it changes nothing and the others keep
// their changes), commits them together, and only then answers their
// callers: nobody hears of a change before it is durable.
type committer struct {
	db    *DB
	ckpt  *checkpointer
	jobs  chan *job
	stop  chan struct{}
	done  chan struct{}
	close sync.Once
}

// job is one mutation waiting for, or run by, the committer.
type job struct {
	ctx context.Context
	fn  func(tx *Tx) error
	// Set by the committer before done is closed.
	err      error
	panicked any
	events   []int64
	done     chan struct{}
}

func newCommitter(db *DB, ckpt *checkpointer) *committer {
	c := &committer{db: db, ckpt: ckpt, jobs: make(chan *job), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// run has fn run and committed by the committer, and returns when it is
// committed or has failed. Once fn is handed over its caller waits for the
// outcome even if ctx ends: the committer checks ctx before each statement,
// so the wait is at most the batch in progress, and the caller is never told
// "canceled" about a change that was committed.
func (c *committer) run(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	j := &job{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case c.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.stop:
		return errClosed
	}
	<-j.done
	if j.panicked != nil {
		// The mutation's own goroutine panics, as it would have had it run
		// the transaction itself; the committer carries on.
		panic(j.panicked)
	}
	return j.err
}

// Close stops the committer after the batch in progress, then its
// checkpointer.
func (c *committer) Close() error {
	c.close.Do(func() { close(c.stop) })
	<-c.done
	return c.ckpt.Close()
}

func (c *committer) loop() {
	defer close(c.done)
	for {
		select {
		case j := <-c.jobs:
			c.batch(j)
			if c.ckpt.needsRestart() {
				// Between batches the log is still: a checkpoint here can
				// complete, so the next batch rewinds the log. A failure
				// leaves that to a later one.
				_ = c.ckpt.checkpoint(context.Background(), c.db.w, true)
			}
		case <-c.stop:
			return
		}
	}
}

// next returns another waiting mutation, or nil when none is waiting.
func (c *committer) next() *job {
	select {
	case j := <-c.jobs:
		return j
	default:
		return nil
	}
}

// nextOrYield returns another waiting mutation. When none is waiting, it
// lets the other goroutines run, once a batch, and looks again: requests
// that were runnable but waiting for a processor while the writer ran (on a
// small machine the writer holds one of few) reach it and join this commit,
// rather than each wait for a commit of its own.
func (c *committer) nextOrYield(yielded *bool) *job {
	if j := c.next(); j != nil || *yielded {
		return j
	}
	*yielded = true
	runtime.Gosched()
	return c.next()
}

// batch runs first and the mutations waiting behind it in one transaction,
// commits it, and answers them all.
func (c *committer) batch(first *job) {
	db := c.db
	var ran, failed []*job
	defer func() {
		for _, j := range failed {
			close(j.done)
		}
		for _, j := range ran {
			close(j.done)
		}
	}()
	db.statements.Add(1)
	// The transaction outlives any one caller's context: it is the batch's.
	tx, err := beginBatch(db)
	if err != nil {
		first.err = pg.InternalError(fmt.Errorf("begin: %w", err))
		failed = append(failed, first)
		return
	}
	defer tx.end()
	// The endpoints the batch's events go to are read once for all its
	// mutations: one transaction sees them as the one before left them,
	// but for its own writes, which empty this (runner.sending).
	endpoints := endpointCache{}
	yielded := false
	for j := first; j != nil; j = c.nextOrYield(&yielded) {
		err := c.runJob(tx.conn, j, endpoints)
		var broken *brokenTxError
		switch {
		case errors.As(err, &broken):
			// The transaction is gone, and with it the changes of those
			// that ran before: none of them is committed.
			for _, r := range ran {
				r.err = pg.InternalError(fmt.Errorf("batch transaction: %w", broken.err))
			}
			j.err = pg.InternalError(broken.err)
			failed = append(failed, append(ran, j)...)
			ran = nil
			return
		case err != nil:
			j.err = err
			failed = append(failed, j)
		default:
			ran = append(ran, j)
		}
		if len(ran)+len(failed) == maxBatch {
			// Checked before taking another: one taken would be lost.
			break
		}
	}
	if len(ran) == 0 {
		return
	}
	db.statements.Add(1)
	if err := tx.commit(); err != nil {
		err = db.translate(fmt.Errorf("commit: %w", err))
		for _, j := range ran {
			j.err = err
		}
		return
	}
	c.ckpt.nudge()
	var events []int64
	for _, j := range ran {
		events = append(events, j.events...)
	}
	if len(events) > 0 {
		for _, f := range db.onEvents {
			f(events)
		}
	}
}

// batchTx is a batch's transaction, begun and ended by statements on the
// writer connection, held for the batch: a database/sql transaction would
// watch every query's rows with a goroutine of its own (to close them
// should the transaction's context end, which the batch's never does),
// and the writer would start three of them per mutation.
type batchTx struct {
	conn *sqlx.Conn
	done bool
}

// beginBatch takes the writer connection and begins a transaction on it,
// immediate as every transaction on the writer is (_txlock=immediate).
func beginBatch(db *DB) (*batchTx, error) {
	conn, err := db.w.Connx(context.Background())
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(context.Background(), `BEGIN IMMEDIATE`); err != nil {
		conn.Close()
		return nil, err
	}
	return &batchTx{conn: conn}, nil
}

// commit commits the transaction. A failed COMMIT may leave it open: it
// is rolled back then (as go-sqlite3's own Commit does), and the caller
// told of the failure.
func (t *batchTx) commit() error {
	t.done = true
	_, err := t.conn.ExecContext(context.Background(), `COMMIT`)
	if err != nil {
		t.conn.ExecContext(context.Background(), `ROLLBACK`)
	}
	return err
}

// end rolls back the transaction unless it was committed (a rollback of
// one SQLite already rolled back fails, harmlessly), and hands the
// connection back.
func (t *batchTx) end() {
	if !t.done {
		t.conn.ExecContext(context.Background(), `ROLLBACK`)
	}
	t.conn.Close()
}

// brokenTxError reports that the batch's transaction could not be rolled
// back to a savepoint: SQLite rolled it back whole (after an I/O error, say).
type brokenTxError struct{ err error }

func (e *brokenTxError) Error() string { return "batch transaction broken: " + e.err.Error() }

// runJob runs j in a savepoint of tx: when j fails, its changes are rolled
// back and the transaction carries on. endpoints are those the batch has
// read so far.
func (c *committer) runJob(tx queryer, j *job, endpoints endpointCache) error {
	if err := j.ctx.Err(); err != nil {
		return err
	}
	db := c.db
	// Savepoint statements belong to the batch, not to j's context.
	batch := runner{q: tx, db: db}
	if _, err := batch.exec(context.Background(), `SAVEPOINT mutation`); err != nil {
		return &brokenTxError{err}
	}
	t := &Tx{runner: runner{q: tx, db: db, shared: true, endpoints: endpoints}, now: db.txTime()}
	err := call(j, t)
	if err == nil {
		if _, err := batch.exec(context.Background(), `RELEASE mutation`); err != nil {
			return &brokenTxError{err}
		}
		j.events = t.events
		return nil
	}
	// What j read of the endpoints may hold its own writes, now undone.
	clear(endpoints)
	if _, rerr := batch.exec(context.Background(), `ROLLBACK TO mutation`); rerr != nil {
		return &brokenTxError{rerr}
	}
	if _, rerr := batch.exec(context.Background(), `RELEASE mutation`); rerr != nil {
		return &brokenTxError{rerr}
	}
	return err
}

// call runs j's function, turning a panic into an error for the batch and
// keeping its value for j's caller.
func call(j *job, t *Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			j.panicked = p
			err = fmt.Errorf("mutation panicked: %v", p)
		}
	}()
	return j.fn(t)
}
