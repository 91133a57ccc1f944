package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	pg "partnergraph"
)

// purgeBatch bounds how many forgotten keys one claim deletes, so the
// table stays the size of a day's keys without a job of its own.
const purgeBatch = 100

// ClaimIdempotencyKey starts or replays the request k names. It returns the
// stored answer of k's first request when there is one; nil when the
// caller now holds k until until (its request's deadline) and must
// CompleteIdempotencyKey or ReleaseIdempotencyKey it; ErrIdempotencyKeyReused
// when k was sent before with another request; ErrIdempotencyKeyInUse while
// another caller, of any process, holds it. A holder that went away without
// answering (its process stopped) is taken over once until has passed. Keys
// are forgotten after pg.IdempotencyWindow.
func (db *DB) ClaimIdempotencyKey(ctx context.Context, k pg.IdempotencyKey, until time.Time) (*pg.StoredResponse, error) {
	until = until.UTC().Truncate(time.Microsecond)
	var stored *pg.StoredResponse
	err := db.inTx(ctx, func(tx *Tx) error {
		forgotten := tx.now.Add(-pg.IdempotencyWindow)
		if _, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE id IN (SELECT id FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)
			OR (api_key_id = ? AND idempotency_key = ? AND created_at < ?)`, forgotten, purgeBatch, k.APIKeyID, k.Key, forgotten); err != nil {
			return err
		}
		n, err := tx.exec(ctx, `INSERT INTO idempotency_keys (api_key_id, idempotency_key, fingerprint, locked_until, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (api_key_id, idempotency_key) DO NOTHING`, k.APIKeyID, k.Key, k.Fingerprint, until, tx.now)
		if err != nil || n == 1 {
			return err
		}
		var row struct {
			Fingerprint string         `db:"fingerprint"`
			Status      sql.NullInt64  `db:"status"`
			ContentType sql.NullString `db:"content_type"`
			Body        []byte         `db:"body"`
			LockedUntil *time.Time     `db:"locked_until"`
		}
		if err := tx.get(ctx, &row, `SELECT fingerprint, status, content_type, body, locked_until FROM idempotency_keys
			WHERE api_key_id = ? AND idempotency_key = ?`, k.APIKeyID, k.Key); err != nil {
			return err
		}
		switch {
		case row.Fingerprint != k.Fingerprint:
			return pg.ErrIdempotencyKeyReused
		case row.Status.Valid:
			stored = &pg.StoredResponse{Status: int(row.Status.Int64), ContentType: row.ContentType.String, Body: row.Body}
			return nil
		case row.LockedUntil != nil && row.LockedUntil.After(tx.now):
			return pg.ErrIdempotencyKeyInUse
		}
		// The holder's deadline passed without an answer: take it over,
		// unless another caller just did.
		n, err = tx.exec(ctx, `UPDATE idempotency_keys SET locked_until = ? WHERE api_key_id = ? AND idempotency_key = ? AND status IS NULL
			AND (locked_until IS NULL OR locked_until <= ?)`, until, k.APIKeyID, k.Key, tx.now)
		if err == nil && n == 0 {
			err = pg.ErrIdempotencyKeyInUse
		}
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		// The row went between the insert and the read: forgotten just then.
		err = pg.ErrIdempotencyKeyInUse
	}
	return stored, err
}

// CompleteIdempotencyKey stores the answer of the request k names, which
// the caller holds, for its retries.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, k pg.IdempotencyKey, r pg.StoredResponse) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE idempotency_keys SET status = ?, content_type = ?, body = ?, locked_until = NULL
			WHERE api_key_id = ? AND idempotency_key = ? AND fingerprint = ? AND status IS NULL`,
			r.Status, r.ContentType, r.Body, k.APIKeyID, k.Key, k.Fingerprint)
		return err
	})
}

// ReleaseIdempotencyKey forgets the request k names, which the caller
// holds and could not answer for good (the server was busy, the key over
// its rate limit): its retry runs it again.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, k pg.IdempotencyKey) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE api_key_id = ? AND idempotency_key = ? AND fingerprint = ? AND status IS NULL`,
			k.APIKeyID, k.Key, k.Fingerprint)
		return err
	})
}
