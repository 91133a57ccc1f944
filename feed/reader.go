package feed

import (
	"context"
	"time"

	pg "partnergraph"
)

// run reads r's organization's events on every wake-up and poll until r
// stops or the broker closes.
func (b *Broker) run(r *reader, poll time.Duration, closed chan struct{}) {
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-closed:
			return
		case <-r.wake:
		case <-ticker.C:
		}
		for {
			events, err := b.DB.EventsAfter(r.ctx, r.org, r.last, batch)
			if err != nil {
				break // the next wake or tick tries again
			}
			r.hand(events, b.buffer())
			if len(events) < batch {
				break
			}
		}
	}
}

func (b *Broker) buffer() int {
	if b.Buffer > 0 {
		return b.Buffer
	}
	return DefaultBuffer
}

// hand queues events for each subscriber. One that would hold more than
// limit gets what fits and is dropped: it ends once it has sent those.
func (r *reader) hand(events []*pg.Event, limit int) {
	if len(events) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.subs {
		if room := max(limit-len(s.queue), 0); len(events) > room {
			s.queue = append(s.queue, events[:room]...)
			s.behind = true
			delete(r.subs, s)
		} else {
			s.queue = append(s.queue, events...)
		}
		select {
		case s.ready <- struct{}{}:
		default:
		}
	}
	r.last = events[len(events)-1].Position
}

// serve sends what pass makes of the events handed to s after position
// last, until pass says the last, ctx ends, the broker closes, or s fell
// behind.
func (b *Broker) serve(ctx context.Context, r *reader, s *subscriber, last int64, closed chan struct{},
	pass func(*pg.Event) (*pg.Event, bool), out chan<- *pg.Event) {
	defer close(out)
	defer b.leave(r, s)
	for {
		r.mu.Lock()
		events, behind := s.queue, s.behind
		s.queue = nil
		r.mu.Unlock()
		for _, e := range events {
			if e.Position <= last {
				continue // committed before the subscription started
			}
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
		if behind {
			pg.EndStream(ctx, pg.Errorf(pg.Unavailable,
				"This subscription fell more than %d events behind and ended; list events after the last one received, then subscribe again.", b.buffer()))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-closed:
			return
		case <-s.ready:
		}
	}
}
