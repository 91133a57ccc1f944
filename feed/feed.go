// Package feed streams committed events to live subscribers. Subscribers
// read events back from the database (the outbox) after the position of the
// last one they read, so they see only committed changes, in the order they
// committed, from every gateway process, and never skip one: an event that
// commits after a reader moved on takes a later position. A commit in this
// process wakes them at once, a commit in another process wakes them
// through PostgreSQL's LISTEN/NOTIFY (a wake-up, never the data), and a slow
// poll catches up on anything a lost notification would miss.
package feed

import (
	"context"
	"errors"
	"sync"
	"time"

	pg "partnergraph"
	"partnergraph/store"
)

// Broker fans wake-ups out to subscribers.
type Broker struct {
	DB *store.DB
	// Poll is the catch-up interval when nothing wakes a subscriber.
	Poll time.Duration

	mu     sync.Mutex
	subs   map[chan struct{}]struct{}
	closed chan struct{}
}

// done is closed by Close; callers hold mu.
func (b *Broker) done() chan struct{} {
	if b.closed == nil {
		b.closed = make(chan struct{})
	}
	return b.closed
}

// Close ends every subscription and refuses new ones: on shutdown, each
// subscriber's stream completes instead of being cut.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-b.done():
	default:
		close(b.done())
	}
}

// Wake tells every subscriber new events may have committed.
func (b *Broker) Wake() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for c := range b.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// Count is how many subscriptions are open.
func (b *Broker) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Subscribe streams org's events committed from now on that match keep,
// until ctx ends.
func (b *Broker) Subscribe(ctx context.Context, org int64, keep func(*pg.Event) bool) (<-chan *pg.Event, error) {
	return b.Follow(ctx, org, func(e *pg.Event) (*pg.Event, bool) {
		if keep(e) {
			return e, false
		}
		return nil, false
	})
}

// Follow streams what pass makes of org's events committed from now on:
// pass returns the event to send (nil for none) and whether the stream
// completes after it, as it does when ctx ends. pass sees every event of
// org once, in commit order.
func (b *Broker) Follow(ctx context.Context, org int64, pass func(*pg.Event) (send *pg.Event, last bool)) (<-chan *pg.Event, error) {
	last, err := b.DB.EventsHead(ctx, org)
	if err != nil {
		return nil, err
	}
	wake := make(chan struct{}, 1)
	b.mu.Lock()
	closed := b.done()
	select {
	case <-closed:
		b.mu.Unlock()
		return nil, pg.InternalError(errors.New("subscribe: the server is shutting down"))
	default:
	}
	if b.subs == nil {
		b.subs = map[chan struct{}]struct{}{}
	}
	b.subs[wake] = struct{}{}
	b.mu.Unlock()
	poll := b.Poll
	if poll == 0 {
		poll = 2 * time.Second
	}
	out := make(chan *pg.Event)
	go func() {
		defer close(out)
		defer func() {
			b.mu.Lock()
			delete(b.subs, wake)
			b.mu.Unlock()
		}()
		ticker := time.NewTicker(poll)
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-closed:
				return
			case <-wake:
			case <-ticker.C:
			}
			for {
				events, err := b.DB.EventsAfter(ctx, org, last, 100)
				if err != nil {
					break // the next wake or tick tries again
				}
				for _, e := range events {
					last = e.Position
					send, end := pass(e)
					if send != nil {
						select {
						case out <- send:
						case <-ctx.Done():
							return
						case <-closed:
							return
						}
					}
					if end {
						return
					}
				}
				if len(events) < 100 {
					break
				}
			}
		}
	}()
	return out, nil
}
