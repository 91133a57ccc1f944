package store

import (
	"context"
	"fmt"
	"time"

	pg "partnergraph"
)

// An update reads its record locked, applies the change to a copy and
// compares the two as the record's event shows them. A change that leaves
// every value as it was writes nothing: no updated_at, no event; the caller
// is answered with the record as it is.

// update is one record's update as its event shows it.
type update struct {
	org          int64
	typ          string // the event's type: tier.updated
	resourceType string
	resourceID   int64
	// before and after are the record as its event shows it.
	before, after any
	// hidden is a change the event cannot show: a new secret or password.
	hidden bool
}

// event returns u's event, or nil when u changes nothing.
func (u update) event() (*change, error) {
	payload, changed, err := eventPayload(u.after, u.before, u.resourceID)
	if err != nil {
		return nil, pg.InternalError(fmt.Errorf("event %s: %w", u.typ, err))
	}
	if !changed && !u.hidden {
		return nil, nil
	}
	return &change{org: u.org, typ: u.typ, resourceType: u.resourceType, resourceID: u.resourceID, payload: payload}, nil
}

// kind describes an aggregate's records to the code that updates them.
type kind[T any] struct {
	resourceType string // Tier
	event        string // the prefix of its events: tier
	id, org      func(*T) int64
	updatedAt    func(*T) *time.Time
}

// edit is a record before and after an update.
type edit[T any] struct {
	before, after *T
	// was and is, when set, are before and after as the event shows them
	// (with rows of their own, such as a stage's transitions).
	was, is any
	// hidden is a change the event cannot show: a new secret or password.
	hidden bool
}

// save finishes an update: when e's record changed, it stamps after's
// updated_at, writes it with write and emits its event; when nothing
// changed, it writes nothing and returns before.
func save[T any](ctx context.Context, tx *Tx, a pg.Actor, k kind[T], e edit[T], write func() error) (*T, error) {
	*k.updatedAt(e.after) = tx.now
	if e.was == nil {
		e.was, e.is = e.before, e.after
	}
	ev, err := update{org: k.org(e.after), typ: k.event + ".updated", resourceType: k.resourceType, resourceID: k.id(e.after),
		before: e.was, after: e.is, hidden: e.hidden}.event()
	if err != nil {
		return nil, err
	}
	if ev == nil {
		return e.before, nil
	}
	if err := write(); err != nil {
		return nil, err
	}
	return e.after, tx.emit(ctx, a, *ev)
}

// withTx runs fn in a write transaction (see DB.inTx) and returns its
// result once committed.
func withTx[T any](ctx context.Context, db *DB, fn func(tx *Tx) (T, error)) (T, error) {
	var v T
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		v, err = fn(tx)
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}
