package server

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "partnergraph"
	"partnergraph/auth"
)

// recheckEvery is how stale a subscription's last check of its credentials
// may be when it sends an event.
const recheckEvery = time.Second

// errTooManyStreams refuses a subscription past its key's share.
var errTooManyStreams = pg.Errorf(pg.RateLimited, "This API key has the most subscriptions open it may; end one first.")

// streamGate bounds the subscriptions each API key holds open in this
// process. Each holds a goroutine and a buffer of events, while its rate
// limit cost is paid once, at the start: without a bound one key could open
// any number.
type streamGate struct {
	max  int
	mu   sync.Mutex
	open map[int64]int
}

// enter takes a place for one of key's subscriptions; the function it
// returns gives it back.
func (g *streamGate) enter(key int64) (func(), bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open[key] >= g.max {
		return nil, false
	}
	g.open[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.open[key]--; g.open[key] <= 0 {
				delete(g.open, key)
			}
		})
	}, true
}

// stream runs a subscription within its key's share of open ones, for as
// long as its credentials authenticate: before an event is sent, they are
// checked again (at most once per recheckEvery), so a key revoked or
// expired since, or a connection revoked, ends the stream with the error a
// new request would get rather than receive what follows.
func (a *admission) stream(ctx context.Context, actor pg.Actor, next graphql.OperationHandler) graphql.ResponseHandler {
	release, ok := a.streams.enter(actor.APIKeyID)
	if !ok {
		return a.refuse(ctx, errTooManyStreams, nil)
	}
	// The operation's context ends with the subscription, however it ends
	// (complete, a closed socket, a finished event stream, shutdown).
	context.AfterFunc(ctx, release)
	// The stream's source may end it early with an error (a subscription
	// fallen too far behind): the client receives it, then completion.
	ctx, why := pg.WithStreamEnd(ctx)
	h := next(ctx)
	creds, _ := auth.CredentialsFrom(ctx)
	checked, ended := time.Now(), false
	return func(ctx context.Context) *graphql.Response {
		if ended {
			return nil
		}
		resp := h(ctx)
		if resp == nil {
			if err := why(); err != nil {
				ended = true
				return &graphql.Response{Errors: gqlerror.List{a.present(ctx, pg.AsError(err))}}
			}
			return nil
		}
		if time.Since(checked) < recheckEvery {
			return resp
		}
		now, err := a.auth.Actor(ctx, creds)
		if err == nil && now.OrganizationID != actor.OrganizationID {
			err = pg.Errorf(pg.Forbidden, "The organization acted on changed.")
		}
		if err != nil {
			ended = true
			release()
			de := pg.AsError(err)
			a.metrics.Refused(de.HTTPStatus())
			return &graphql.Response{Errors: gqlerror.List{a.present(ctx, de)}}
		}
		checked = time.Now()
		return resp
	}
}
