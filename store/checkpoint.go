package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
)

const (
	// checkpointEvery spaces the background checkpoints: each syncs the
	// log and the database file, so one per commit would cost the disk
	// two syncs per commit, and each copies every page written since the
	// last: spaced wider, a page many commits wrote (the events' last page,
	// an index's) is copied once for them all.
	checkpointEvery = 100 * time.Millisecond
	// restartFrames is the log size, in pages, past which the writer
	// checkpoints itself between two batches (see checkpointer).
	restartFrames = 4000
)

// checkpointer copies SQLite's write-ahead log into the database file on a
// connection of its own, beside the writer. Left to SQLite, the writer
// checkpoints in its COMMIT once the log passes 1,000 pages; with readers
// always active the checkpoint rarely completes, so it is tried again, with
// its syncs, on commit after commit, while every mutation waits.
//
// A log is only rewound to its start (rather than growing) by a write that
// begins after a complete checkpoint, which a checkpointer racing a busy
// writer seldom achieves. So once the log passes restartFrames the writer
// checkpoints between two batches, when the log is still; by then the
// background has copied nearly all of it.
type checkpointer struct {
	conn   *sqlx.DB
	wake   chan struct{}
	stop   chan struct{}
	done   chan struct{}
	close  sync.Once
	frames atomic.Int64 // log pages at the last checkpoint, 0 when it copied them all
}

func newCheckpointer(conn *sqlx.DB) *checkpointer {
	c := &checkpointer{conn: conn, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// nudge tells the checkpointer the log has grown.
func (c *checkpointer) nudge() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// needsRestart reports that the writer should checkpoint between batches.
func (c *checkpointer) needsRestart() bool { return c.frames.Load() > restartFrames }

// checkpoint runs a passive checkpoint (one that waits for no reader or
// writer) on q's connection and records the log's size. still says no
// write can happen meanwhile (the writer itself, between batches).
func (c *checkpointer) checkpoint(ctx context.Context, q sqlx.QueryerContext, still bool) error {
	var busy, log, done int64
	if err := q.QueryRowxContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	if done == log && still {
		// Everything is copied back and nothing was written meanwhile:
		// the next write rewinds the log.
		log = 0
	}
	c.frames.Store(log)
	return nil
}

func (c *checkpointer) loop() {
	defer close(c.done)
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case <-c.wake:
		case <-c.stop:
			return
		}
		// A failed checkpoint leaves the log to the next one; nothing is
		// lost, the log only grows meanwhile.
		_ = c.checkpoint(context.Background(), c.conn, false)
		pause.Reset(checkpointEvery)
		select {
		case <-pause.C:
		case <-c.stop:
			return
		}
	}
}

// Close stops the checkpointer and closes its connection.
func (c *checkpointer) Close() error {
	c.close.Do(func() { close(c.stop) })
	<-c.done
	return c.conn.Close()
}
