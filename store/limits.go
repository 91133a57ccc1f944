package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	pg "partnergraph"
)

// TakeTokens is ratelimit.Store over the database, so every process sharing
// it draws from the same buckets. Refill and take happen in one statement:
// concurrent requests of one key serialize on its row and never both spend
// the same points.
func (db *DB) TakeTokens(ctx context.Context, bucket string, cost, capacity, rate float64) (float64, bool, error) {
	now := float64(db.now().UnixMicro()) / 1e6
	// refilled is the bucket's points after the time since it was counted.
	const refilled = `(CASE WHEN rate_limits.tokens + (? - rate_limits.updated_at) * ? > ? THEN ? ELSE rate_limits.tokens + (? - rate_limits.updated_at) * ? END)`
	var row struct {
		Tokens  float64 `db:"tokens"`
		Allowed bool    `db:"allowed"`
	}
	refill := []any{now, rate, capacity, capacity, now, rate}
	args := []any{bucket, capacity - cost, now, capacity >= cost}
	args = append(append(args, refill...), cost) // WHEN refilled >= cost
	args = append(append(args, refill...), cost) // THEN refilled - cost
	args = append(args, refill...)               // ELSE refilled
	args = append(append(args, refill...), cost) // allowed
	args = append(args, now)                     // updated_at
	w := runner{q: db.w, db: db}
	err := w.get(ctx, &row, `INSERT INTO rate_limits (bucket, tokens, updated_at, allowed) VALUES (?, ?, ?, ?)
		ON CONFLICT (bucket) DO UPDATE SET
			tokens = CASE WHEN `+refilled+` >= ? THEN `+refilled+` - ? ELSE `+refilled+` END,
			allowed = `+refilled+` >= ?,
			updated_at = ?
		RETURNING tokens, allowed`, args...)
	if err != nil {
		return 0, false, fmt.Errorf("take rate limit tokens: %w", err)
	}
	return row.Tokens, row.Allowed, nil
}

// RegisterOperation registers query under name; registering the same text
// again changes nothing.
func (db *DB) RegisterOperation(ctx context.Context, name, query string) (*pg.PersistedOperation, error) {
	if len(query) == 0 {
		return nil, pg.InvalidField("query", "The operation is empty.")
	}
	op := &pg.PersistedOperation{Hash: pg.OperationHash(query), Name: name, Query: query, CreatedAt: db.now().UTC().Truncate(time.Microsecond)}
	err := db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO persisted_operations (hash, name, query, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (hash) DO UPDATE SET name = excluded.name`, op.Hash, op.Name, op.Query, op.CreatedAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return op, nil
}

// PersistedOperation returns the registered operation with hash, or nil.
func (db *DB) PersistedOperation(ctx context.Context, hash string) (*pg.PersistedOperation, error) {
	var op pg.PersistedOperation
	err := db.read().get(ctx, &op, `SELECT hash, name, query, created_at FROM persisted_operations WHERE hash = ?`, hash)
	if errors.Is(err, sql.ErrNoRows) || pg.ErrorCode(err) == pg.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &op, nil
}

// PersistedOperations lists the registered operations by name.
func (db *DB) PersistedOperations(ctx context.Context) ([]*pg.PersistedOperation, error) {
	var ops []*pg.PersistedOperation
	err := db.read().all(ctx, &ops, `SELECT hash, name, query, created_at FROM persisted_operations ORDER BY name, hash`)
	return ops, err
}

// UnregisterOperation removes the operation with hash.
func (db *DB) UnregisterOperation(ctx context.Context, hash string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		n, err := tx.exec(ctx, `DELETE FROM persisted_operations WHERE hash = ?`, hash)
		if err == nil && n == 0 {
			err = pg.Errorf(pg.NotFound, "No operation is registered with hash %s.", hash)
		}
		return err
	})
}
