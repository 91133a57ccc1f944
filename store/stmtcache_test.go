package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

// openCaching opens a one-connection SQLite database through the caching
// connector, with a table of n numbered rows.
func openCaching(t *testing.T, n int) (*sqlx.DB, *sqliteConnector) {
	t.Helper()
	c := &sqliteConnector{dsn: "file:" + filepath.Join(t.TempDir(), "cache.db") + "?_journal_mode=WAL&_txlock=immediate", driver: &sqlite3.SQLiteDriver{}}
	db := sqlx.NewDb(sql.OpenDB(c), "sqlite3")
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL); CREATE TABLE w (v INTEGER)`); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?)`, i, 10*i); err != nil {
			t.Fatal(err)
		}
	}
	return db, c
}

func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// run sends statements and checks their results.
		run func(t *testing.T, db *sqlx.DB)
		// prepares is how many statements the run prepares for the cache.
		prepares int64
	}{
		{"a repeated query is prepared once", func(t *testing.T, db *sqlx.DB) {
			for i := 1; i <= 50; i++ {
				var v int
				if err := db.GetContext(ctx, &v, `SELECT v FROM t WHERE id = ?`, i%5+1); err != nil || v != 10*(i%5+1) {
					t.Fatalf("got %d, %v", v, err)
				}
			}
		}, 1},
		{"a repeated write is prepared once, and inside transactions too", func(t *testing.T, db *sqlx.DB) {
			for i := range 20 {
				tx, err := db.BeginTxx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := tx.ExecContext(ctx, `UPDATE t SET v = ? WHERE id = ?`, i, 1); err != nil {
					t.Fatal(err)
				}
				if err := tx.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			var v int
			if err := db.GetContext(ctx, &v, `SELECT v FROM t WHERE id = 1`); err != nil || v != 19 {
				t.Fatalf("got %d, %v", v, err)
			}
		}, 2},
		{"a query sent while its own rows are open runs uncached", func(t *testing.T, db *sqlx.DB) {
			tx, err := db.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			const q = `SELECT v FROM t WHERE id >= ? ORDER BY id`
			outer, err := tx.QueryContext(ctx, q, 1)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for outer.Next() {
				var v int
				if err := outer.Scan(&v); err != nil {
					t.Fatal(err)
				}
				var inner []int
				if err := tx.SelectContext(ctx, &inner, q, v/10); err != nil || len(inner) != 5-v/10+1 {
					t.Fatalf("inner query at %d: %v, %v", v, inner, err)
				}
				got = append(got, v)
			}
			if err := outer.Close(); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != "[10 20 30 40 50]" {
				t.Fatalf("outer query: %v", got)
			}
		}, 1},
		{"more statements than the cache holds stay correct", func(t *testing.T, db *sqlx.DB) {
			for round := range 2 {
				for i := range stmtCacheSize + 10 {
					var v int
					if err := db.GetContext(ctx, &v, fmt.Sprintf(`SELECT v + %d FROM t WHERE id = ?`, i), 2); err != nil || v != 20+i {
						t.Fatalf("round %d, statement %d: got %d, %v", round, i, v, err)
					}
				}
			}
		}, 2 * (stmtCacheSize + 10)},
		{"statements that return rows, several statements and named arguments are not cached", func(t *testing.T, db *sqlx.DB) {
			for range 3 {
				if _, err := db.ExecContext(ctx, `INSERT INTO w (v) VALUES (1); INSERT INTO w (v) VALUES (2)`); err != nil {
					t.Fatal(err)
				}
				if _, err := db.ExecContext(ctx, `INSERT INTO w (v) VALUES (3) RETURNING v`); err != nil {
					t.Fatal(err)
				}
				if _, err := db.ExecContext(ctx, `SELECT v FROM w`); err != nil {
					t.Fatal(err)
				}
				if _, err := db.NamedExecContext(ctx, `INSERT INTO w (v) VALUES (:v)`, map[string]any{"v": 4}); err != nil {
					t.Fatal(err)
				}
			}
			var n int
			if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM w`); err != nil || n != 12 {
				t.Fatalf("got %d rows, %v", n, err)
			}
		}, 2}, // the NamedExec, rebound to positional arguments, and the COUNT
		{"a failed statement leaves its cached statement usable", func(t *testing.T, db *sqlx.DB) {
			for i := range 3 {
				if _, err := db.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?)`, 1, i); err == nil {
					t.Fatal("inserting a duplicate id succeeded")
				}
				if _, err := db.ExecContext(ctx, `INSERT INTO t (id, v) VALUES (?, ?)`, 100+i, i); err != nil {
					t.Fatal(err)
				}
			}
		}, 0}, // openCaching prepared the INSERT
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, c := openCaching(t, 5)
			before := c.prepares.Load()
			tc.run(t, db)
			if got := c.prepares.Load() - before; got != tc.prepares {
				t.Errorf("prepared %d statements for the cache, want %d", got, tc.prepares)
			}
		})
	}
}
