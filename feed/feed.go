// Package feed streams committed events to live subscribers. Events are
// read back from the database (the outbox) after the position of the last
// one read, so subscribers see only committed changes, in the order they
// committed, from every gateway process, and never skip one: an event that
// commits after a reader moved on takes a later position. A commit in this
// process wakes the readers at once, a commit in another process wakes them
// through PostgreSQL's LISTEN/NOTIFY (a wake-up, never the data), and a slow
// poll catches up on anything a lost notification would miss.
//
// One reader per organization with subscribers reads its events, once per
// wake-up or poll, and hands each to every subscription of the
// organization, which applies its own filter (pass): a commit costs one
// outbox read however many subscriptions follow the organization. Each
// subscription holds at most Broker.Buffer events its client has not taken;
// one that falls further behind ends, after the events it holds, with an
// UNAVAILABLE error its client receives (pg.EndStream), rather than stall
// the others or skip an event.
package feed

import (
	"context"
	"errors"
	"sync"
	"time"

	pg "partnergraph"
)

// Outbox is where events are read from: the store.
type Outbox interface {
	// EventsHead is the position of org's last committed event.
	EventsHead(ctx context.Context, org int64) (int64, error)
	// EventsAfter lists up to limit events of org after position, in
	// commit order.
	EventsAfter(ctx context.Context, org, position int64, limit int) ([]*pg.Event, error)
}

// batch is how many events one outbox read returns at most.
const batch = 100

// DefaultBuffer is Broker.Buffer's default.
const DefaultBuffer = 1000

// errShutdown refuses subscriptions once the broker is closed.
var errShutdown = pg.InternalError(errors.New("subscribe: the server is shutting down"))

// Broker runs the readers of the organizations subscribed to and hands
// their events to the subscriptions.
type Broker struct {
	DB Outbox
	// Poll is the catch-up interval when nothing wakes a reader.
	Poll time.Duration
	// Buffer is how many events a subscription may hold besides those it
	// is sending to its client (DefaultBuffer when 0); past it the
	// subscription ends with an error. A read hands up to 100 events at
	// once, so a smaller Buffer ends subscriptions on bursts of commits.
	Buffer int

	mu      sync.Mutex
	readers map[int64]*reader
	count   int
	closed  chan struct{}
}

// reader reads one organization's events for its subscribers.
type reader struct {
	org  int64
	wake chan struct{}
	ctx  context.Context
	stop context.CancelFunc

	mu sync.Mutex
	// last is the position of the last event handed to the subscribers;
	// only the reader's goroutine writes it.
	last int64
	subs map[*subscriber]struct{}
}

// subscriber is one subscription's share of its reader: the events
// handed to it and not yet taken, guarded by the reader's mu.
type subscriber struct {
	queue []*pg.Event
	// behind is set, and the subscriber dropped from its reader, when it
	// would have held more than Buffer events: its queue is the last.
	behind bool
	ready  chan struct{}
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

// Wake tells every reader new events may have committed.
func (b *Broker) Wake() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.readers {
		select {
		case r.wake <- struct{}{}:
		default:
		}
	}
}

// Count is how many subscriptions are open.
func (b *Broker) Count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.count
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
// completes after it, as it does when ctx ends or the broker closes. pass
// sees every event of org once, in commit order, unless the stream falls
// more than Buffer events behind: then it ends after the events it holds,
// its error recorded with pg.EndStream.
func (b *Broker) Follow(ctx context.Context, org int64, pass func(*pg.Event) (send *pg.Event, last bool)) (<-chan *pg.Event, error) {
	head, err := b.DB.EventsHead(ctx, org)
	if err != nil {
		return nil, err
	}
	s := &subscriber{ready: make(chan struct{}, 1)}
	r, read, closed, err := b.join(org, head, s)
	if err != nil {
		return nil, err
	}
	if read > head {
		// The reader handed out events committed since head before s
		// joined: s reads those itself, once.
		missed, err := b.between(ctx, org, head, read)
		if err != nil {
			b.leave(r, s)
			return nil, err
		}
		r.mu.Lock()
		s.queue = append(missed, s.queue...)
		r.mu.Unlock()
	}
	out := make(chan *pg.Event)
	go b.serve(ctx, r, s, head, closed, pass, out)
	return out, nil
}

// join adds s to org's reader, starting it at head if none runs, and
// returns the reader, the position it has handed out events up to, and
// the channel Close closes.
func (b *Broker) join(org, head int64, s *subscriber) (*reader, int64, chan struct{}, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	closed := b.done()
	select {
	case <-closed:
		return nil, 0, nil, errShutdown
	default:
	}
	r := b.readers[org]
	if r == nil {
		r = b.start(org, head, closed)
	}
	r.mu.Lock()
	r.subs[s] = struct{}{}
	read := r.last
	r.mu.Unlock()
	b.count++
	return r, read, closed, nil
}

// start runs org's reader from position last; callers hold mu.
func (b *Broker) start(org, last int64, closed chan struct{}) *reader {
	ctx, stop := context.WithCancel(context.Background())
	r := &reader{org: org, wake: make(chan struct{}, 1), ctx: ctx, stop: stop,
		last: last, subs: map[*subscriber]struct{}{}}
	if b.readers == nil {
		b.readers = map[int64]*reader{}
	}
	b.readers[org] = r
	poll := b.Poll
	if poll == 0 {
		poll = 2 * time.Second
	}
	go b.run(r, poll, closed)
	return r
}

// leave removes s from r, and stops r when s was its last subscriber.
func (b *Broker) leave(r *reader, s *subscriber) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.count--
	r.mu.Lock()
	delete(r.subs, s)
	empty := len(r.subs) == 0
	r.mu.Unlock()
	if empty && b.readers[r.org] == r {
		delete(b.readers, r.org)
		r.stop()
	}
}

// between reads org's events after from up to and including to.
func (b *Broker) between(ctx context.Context, org, from, to int64) ([]*pg.Event, error) {
	var out []*pg.Event
	for from < to {
		events, err := b.DB.EventsAfter(ctx, org, from, batch)
		if err != nil {
			return nil, err
		}
		for _, e := range events {
			if e.Position > to {
				return out, nil
			}
			out, from = append(out, e), e.Position
		}
		if len(events) < batch {
			break
		}
	}
	return out, nil
}
