package partnergraph

import (
	"context"
	"sync"
)

type streamEndKey struct{}

// streamEnd holds why a stream ended early.
type streamEnd struct {
	mu  sync.Mutex
	err error
}

// WithStreamEnd returns ctx in which the source of a subscription's stream
// may say why it ended it (EndStream), and the function reading that back.
// A stream's channel can only close; its transport asks once it has, so the
// client receives the error rather than a plain completion.
func WithStreamEnd(ctx context.Context) (context.Context, func() error) {
	s := &streamEnd{}
	return context.WithValue(ctx, streamEndKey{}, s), func() error {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.err
	}
}

// EndStream records err as why the stream of ctx ends, before its channel
// closes; the first error recorded stands. Without WithStreamEnd it does
// nothing: the stream completes.
func EndStream(ctx context.Context, err error) {
	s, ok := ctx.Value(streamEndKey{}).(*streamEnd)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil {
		s.err = err
	}
}
