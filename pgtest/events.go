package pgtest

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Received is an event as an EventReader selects it, and when it arrived.
type Received struct {
	DatabaseID int64     `json:"databaseId"`
	Type       string    `json:"type"`
	ResourceID string    `json:"resourceId"`
	CreatedAt  time.Time `json:"createdAt"`
	// At is when the reader received it.
	At time.Time `json:"-"`
}

const eventFields = `databaseId type resourceId createdAt`

// EventReader follows an organization's events, as a subscriber or as a
// client paging events(after:), and keeps those of one type in the order
// they arrive.
type EventReader struct {
	Name string
	typ  string
	mu   sync.Mutex
	kept []Received
	any  int
	err  error
	done chan struct{}
}

func newReader(name, typ string) *EventReader {
	return &EventReader{Name: name, typ: typ, done: make(chan struct{})}
}

func (r *EventReader) add(e Received) {
	e.At = time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.any++
	if e.Type == r.typ {
		r.kept = append(r.kept, e)
	}
}

func (r *EventReader) end(err error) {
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
	close(r.done)
}

// State returns the events of the reader's type received so far, how many
// of any type, and the error that ended the reader, if one did.
func (r *EventReader) State() (kept []Received, any int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.kept), r.any, r.err
}

// Done is closed when the reader has stopped.
func (r *EventReader) Done() <-chan struct{} { return r.done }

// FollowSubscription subscribes to every event of key's organization on
// the gateway at url over transport, keeping those of type typ, until ctx
// ends.
func FollowSubscription(ctx context.Context, name, transport, url, key, typ string) *EventReader {
	r := newReader(name, typ)
	go func() {
		r.end(Subscribe(ctx, transport, url, key, `subscription { events { `+eventFields+` } }`, func(data json.RawMessage) {
			var d struct{ Events Received }
			json.Unmarshal(data, &d)
			r.add(d.Events)
		}))
	}()
	return r
}

// FollowPages pages through key's organization's events on the gateway at
// url with events(first: 100, after:), from the first on, keeping those of
// type typ; at the end of the list it asks again every pause, until ctx
// ends.
func FollowPages(ctx context.Context, name, url, key, typ string, pause time.Duration) *EventReader {
	r := newReader(name, typ)
	go func() {
		var after *string
		for ctx.Err() == nil {
			var data struct {
				Events struct {
					Nodes    []Received
					PageInfo struct{ EndCursor *string }
				}
			}
			if err := Post(ctx, url, key, `query($after: String) { events(first: 100, after: $after) {
				nodes { `+eventFields+` } pageInfo { endCursor } } }`, map[string]any{"after": after}, &data); err != nil {
				r.end(quiet(ctx, err))
				return
			}
			for _, e := range data.Events.Nodes {
				r.add(e)
			}
			if c := data.Events.PageInfo.EndCursor; c != nil {
				after = c
			}
			if len(data.Events.Nodes) < 100 {
				select {
				case <-ctx.Done():
				case <-time.After(pause):
				}
			}
		}
		r.end(nil)
	}()
	return r
}

// Tally is how a reader's events compare with the resources committed.
type Tally struct {
	// Received counts the events of the reader's type; Lost the committed
	// resources it has no event of; Twice those it has more than one of.
	Received, Lost, Twice int
}

// Tally compares the reader's events with committed, the global IDs of
// the resources whose events were committed.
func (r *EventReader) Tally(committed map[string]bool) Tally {
	kept, _, _ := r.State()
	seen := make(map[string]int, len(kept))
	for _, e := range kept {
		seen[e.ResourceID]++
	}
	t := Tally{Received: len(kept)}
	for id := range committed {
		switch n := seen[id]; {
		case n == 0:
			t.Lost++
		case n > 1:
			t.Twice++
		}
	}
	return t
}

// WaitFor waits until every reader has received as many events as
// committed holds, has stopped, or timeout has passed.
func WaitFor(readers []*EventReader, committed map[string]bool, timeout time.Duration) {
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		done := true
		for _, r := range readers {
			if kept, _, err := r.State(); err == nil && len(kept) < len(committed) {
				done = false
			}
		}
		if done {
			return
		}
	}
}

// WriteTags runs writers goroutines, each creating up to each tags through
// the gateways at urls in turn, pausing between two, until ctx ends. A
// request once sent is let finish (a change whose answer was cut off might
// still commit), so what it returns is exactly what committed: the tags'
// global IDs. The first failure ends the writers and is the error.
func WriteTags(ctx context.Context, urls []string, key string, writers, each int, pause time.Duration) (map[string]bool, error) {
	var mu sync.Mutex
	committed := map[string]bool{}
	var first error
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each && ctx.Err() == nil; i++ {
				var data struct {
					CreateTag struct{ Tag struct{ ID string } }
				}
				err := Post(context.WithoutCancel(ctx), urls[(w+i)%len(urls)], key, `mutation($n: String!) { createTag(input: {name: $n}) { tag { id } } }`,
					map[string]any{"n": fmt.Sprintf("w%d-%06d", w, i)}, &data)
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				failed := first != nil
				if err == nil {
					committed[data.CreateTag.Tag.ID] = true
				}
				mu.Unlock()
				if failed {
					return
				}
				time.Sleep(pause)
			}
		}()
	}
	wg.Wait()
	return committed, first
}

// StartReaders creates projects through the gateway at url with key until
// every reader has received an event (a subscription is live only once its
// first event arrives), for at most 100 tries.
func StartReaders(url, key string, readers []*EventReader) error {
	for i := 0; i < 100; i++ {
		live := true
		for _, r := range readers {
			if _, n, err := r.State(); err != nil {
				return fmt.Errorf("%s: %w", r.Name, err)
			} else if n == 0 {
				live = false
			}
		}
		if live {
			return nil
		}
		if err := Post(context.Background(), url, key, `mutation($n: String!) { createProject(input: {name: $n}) { project { id } } }`,
			map[string]any{"n": fmt.Sprint("start ", i)}, nil); err != nil {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the readers did not start")
}
