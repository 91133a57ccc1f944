package store

import (
	clist "container/list"
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"
)

// stmtCacheSize bounds the prepared statements each SQLite connection
// keeps. The store sends a few dozen distinct statements; IN lists of
// varying length add variants, and the least recently used go first.
const stmtCacheSize = 256

// sqliteConnector opens go-sqlite3 connections that keep their prepared
// statements. go-sqlite3 prepares, and then finalizes, every statement it is
// given as text; for the store's short statements preparing costs as much as
// running them, and on the single writer connection that cost is paid while
// every other mutation waits.
type sqliteConnector struct {
	dsn    string
	driver *sqlite3.SQLiteDriver
	// pragmas run on each new connection, for settings the DSN cannot carry.
	pragmas []string
	// prepares counts statements prepared for a cache, so tests can tell
	// that a repeated statement is not prepared again.
	prepares atomic.Int64
}

func (c *sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	for _, p := range c.pragmas {
		if _, err := conn.(*sqlite3.SQLiteConn).Exec(p, nil); err != nil {
			conn.Close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return &cachingConn{SQLiteConn: conn.(*sqlite3.SQLiteConn), connector: c, byQuery: map[string]*clist.Element{}}, nil
}

func (c *sqliteConnector) Driver() driver.Driver { return c.driver }

// cachingConn is a go-sqlite3 connection whose ExecContext and QueryContext
// reuse a prepared statement per query text. database/sql uses a connection
// from one goroutine at a time, but inside a transaction a statement can be
// sent while another's rows are still open; a statement whose rows are open
// is busy, and the same text then runs uncached.
type cachingConn struct {
	*sqlite3.SQLiteConn
	connector *sqliteConnector
	mu        sync.Mutex
	byQuery   map[string]*clist.Element // of *cachedStmt
	recent    clist.List                // most recently used first
}

type cachedStmt struct {
	query string
	stmt  *sqlite3.SQLiteStmt
	busy  bool
}

// acquire returns the cached statement for query, preparing it on a miss,
// or nil when query must run uncached: several statements in one text (only
// the first would be prepared), named arguments, or a statement in use.
func (c *cachingConn) acquire(ctx context.Context, query string, args []driver.NamedValue) (*cachedStmt, error) {
	if strings.Contains(query, ";") {
		return nil, nil
	}
	for _, a := range args {
		if a.Name != "" {
			return nil, nil
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byQuery[query]; ok {
		cs := e.Value.(*cachedStmt)
		if cs.busy {
			return nil, nil
		}
		c.recent.MoveToFront(e)
		if cs.stmt.NumInput() != len(args) {
			// go-sqlite3's own path reports the mismatch.
			return nil, nil
		}
		cs.busy = true
		return cs, nil
	}
	s, err := c.SQLiteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.connector.prepares.Add(1)
	cs := &cachedStmt{query: query, stmt: s.(*sqlite3.SQLiteStmt)}
	c.byQuery[query] = c.recent.PushFront(cs)
	c.evictLocked()
	if cs.stmt.NumInput() != len(args) {
		return nil, nil
	}
	cs.busy = true
	return cs, nil
}

// evictLocked finalizes the least recently used idle statements beyond the
// cache's size.
func (c *cachingConn) evictLocked() {
	for e := c.recent.Back(); e != nil && c.recent.Len() > stmtCacheSize; {
		prev := e.Prev()
		if cs := e.Value.(*cachedStmt); !cs.busy {
			c.recent.Remove(e)
			delete(c.byQuery, cs.query)
			cs.stmt.Close()
		}
		e = prev
	}
}

func (c *cachingConn) release(cs *cachedStmt) {
	c.mu.Lock()
	cs.busy = false
	c.mu.Unlock()
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !cacheableExec(query) {
		return c.SQLiteConn.ExecContext(ctx, query, args)
	}
	cs, err := c.acquire(ctx, query, args)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.SQLiteConn.ExecContext(ctx, query, args)
	}
	defer c.release(cs)
	return cs.stmt.ExecContext(ctx, args)
}

// cacheableExec reports whether query can run as a cached statement through
// Exec. Exec steps a statement once and does not reset it: one that returns
// rows (a SELECT, a PRAGMA, RETURNING) would stay active, holding its read
// snapshot, until its next use. Writes that return nothing finish in one step.
func cacheableExec(query string) bool {
	q := strings.ToUpper(strings.TrimSpace(query))
	for _, verb := range []string{"INSERT ", "UPDATE ", "DELETE ", "REPLACE ", "SAVEPOINT ", "RELEASE ", "ROLLBACK TO "} {
		if strings.HasPrefix(q, verb) {
			return !strings.Contains(q, "RETURNING")
		}
	}
	return false
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, err := c.acquire(ctx, query, args)
	if err != nil {
		return nil, err
	}
	if cs == nil {
		return c.SQLiteConn.QueryContext(ctx, query, args)
	}
	rows, err := cs.stmt.QueryContext(ctx, args)
	if err != nil {
		c.release(cs)
		return nil, err
	}
	return &cachedRows{SQLiteRows: rows.(*sqlite3.SQLiteRows), conn: c, stmt: cs}, nil
}

// Close finalizes the cached statements before the connection.
func (c *cachingConn) Close() error {
	c.mu.Lock()
	for e := c.recent.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.recent.Init()
	clear(c.byQuery)
	c.mu.Unlock()
	if err := c.SQLiteConn.Close(); err != nil {
		return fmt.Errorf("close sqlite connection: %w", err)
	}
	return nil
}

// cachedRows resets its statement on Close, leaving it prepared, and makes
// it available again.
type cachedRows struct {
	*sqlite3.SQLiteRows
	conn *cachingConn
	stmt *cachedStmt
	done bool
}

func (r *cachedRows) Close() error {
	err := r.SQLiteRows.Close()
	if !r.done {
		r.done = true
		r.conn.release(r.stmt)
	}
	return err
}
