package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/sync/semaphore"

	pg "partnergraph"
	"partnergraph/auth"
	"partnergraph/metrics"
	"partnergraph/ratelimit"
)

// admission is the one step every request passes before it runs, whatever
// its transport: GraphQL over HTTP, server-sent events, WebSocket and each
// REST route.
//
//   - A request is authenticated before any of it is read (Admit; a
//     WebSocket at connection_init), so a caller without a valid key learns
//     nothing about its request's shape, and it gets its deadline.
//   - Each operation it runs is then metered (InterceptOperation): its cost
//     is taken from the key's rate limit bucket, and it waits for an
//     execution slot and for room in the in-flight cost budget.
//
// The budget bounds the summed cost of the operations executing at once.
// An operation's memory and CPU grow with the response it builds, which its
// cost estimates (a dashboard of 500 partnerships costs about 21,000 points
// and holds some 15 MB while it runs), so a count of requests alone would
// either let a burst of large queries take all the memory or hold small ones
// back while there is room for them. Operations are admitted in the order
// they arrive: a small one runs beside a large one unless another large one
// is already waiting, which is never starved by a stream of small ones.
// Subscriptions are not metered by slot or budget: they hold nothing while
// they wait for events. Each key may hold a bounded number open (streams),
// and each stays open only while its credentials still authenticate.
type admission struct {
	auth    Authenticator
	limiter *ratelimit.Limiter
	timeout time.Duration
	logger  *slog.Logger
	present graphql.ErrorPresenterFunc
	// metrics counts the refusals.
	metrics *metrics.Metrics
	// maxTokens bounds the tokens read to tell a document's operation type.
	maxTokens int
	// slots holds a token per executing operation.
	slots chan struct{}
	// budget holds the cost of the executing operations, up to size.
	budget *semaphore.Weighted
	size   int64
	// streams counts the subscriptions each key holds open.
	streams *streamGate
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationInterceptor
} = (*admission)(nil)

func newAdmission(cfg Config, present graphql.ErrorPresenterFunc) *admission {
	return &admission{
		auth: cfg.Authenticator, limiter: cfg.RateLimit, timeout: cfg.RequestTimeout, logger: cfg.Logger, present: present,
		metrics: cfg.Metrics, maxTokens: cfg.Limits.MaxTokens,
		slots:  make(chan struct{}, cfg.MaxInFlight),
		budget: semaphore.NewWeighted(int64(cfg.MaxInFlightCost)), size: int64(cfg.MaxInFlightCost),
		streams: &streamGate{max: cfg.MaxSubscriptionsPerKey, open: map[int64]int{}},
	}
}

// Errors of admission.
var (
	errBusy    = pg.Errorf(pg.Unavailable, "The server is busy; retry shortly.")
	errTimeout = pg.Errorf(pg.Unavailable, "The request ran past the server's time limit before it could run; retry shortly.")
	// errNotAdmitted is an operation that reached execution without an
	// actor: a wiring fault, refused rather than run unscoped.
	errNotAdmitted = pg.Errorf(pg.Unauthenticated, "Authorization: Bearer <API key> is required.")
)

// Admit admits an HTTP request (GraphQL or REST) before any of it is read:
// it authenticates the request's credentials, and gives the request its
// deadline (an event stream lasts until the client or the server ends it).
// It returns the request carrying its Actor, and the function to call once
// it is answered. A refusal is UNAUTHENTICATED (with WWW-Authenticate set on
// w, RFC 6750), FORBIDDEN or BAD_USER_INPUT (an organization header that is
// not a UUID), for the caller to render in its format.
func (s *Server) Admit(w http.ResponseWriter, r *http.Request) (*http.Request, func(), *pg.Error) {
	creds := auth.FromRequest(r)
	ctx, err := s.admission.authenticate(r.Context(), creds)
	if err != nil {
		if err.Code == pg.Unauthenticated {
			challenge := `Bearer realm="partnergraph"`
			if creds.Authorization != "" {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
		}
		return r, nil, err
	}
	cancel := func() {}
	if acceptsEventStream(r) {
		ctx = s.untilShutdown(ctx)
	} else {
		ctx, cancel = context.WithTimeout(ctx, s.cfg.RequestTimeout)
		// Reading the body is part of the request's time: a client that
		// stops sending one must not hold its connection past it.
		deadline, _ := ctx.Deadline()
		http.NewResponseController(w).SetReadDeadline(deadline)
	}
	ctx, _ = ratelimit.NewContext(ctx)
	return r.WithContext(ctx), cancel, nil
}

// authenticate returns ctx carrying the Actor creds identify.
func (a *admission) authenticate(ctx context.Context, creds auth.Credentials) (context.Context, *pg.Error) {
	actor, err := a.auth.Actor(ctx, creds)
	if err != nil {
		de := pg.AsError(err)
		switch {
		case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
			de = errBusy
		case de.Code == pg.Internal:
			a.logger.ErrorContext(ctx, "authentication failed", "error", de.Err)
		}
		a.metrics.Refused(de.HTTPStatus())
		return ctx, de
	}
	logAttrs(ctx, slog.String("key_prefix", actor.APIKeyPrefix))
	// The credentials stay with the request: a subscription checks them
	// again while it streams.
	return pg.NewContext(auth.WithCredentials(ctx, creds), actor), nil
}

func (*admission) ExtensionName() string                   { return "Admission" }
func (*admission) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters refuses a mutation to a caller that may only
// read (a READ key, or a READ connection to the organization acted on)
// before the document is validated or its variables coerced: authorization
// comes before validation, so such a caller learns nothing about what is
// wrong with its request. The resolvers refuse it too; this decides which
// refusal is reported.
func (a *admission) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if actor, ok := pg.ActorFrom(ctx); !ok || actor.CanWrite() {
		return nil
	}
	if operationType(p.Query, p.OperationName, a.maxTokens) != ast.Mutation {
		return nil
	}
	return a.present(ctx, pg.ErrWriteRequired)
}

// InterceptOperation meters one operation of an admitted request: rate
// limit, then an execution slot and room in the cost budget, each waited
// for until the request's deadline. The slot and the cost are given back
// once the operation has answered.
func (a *admission) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	actor, ok := pg.ActorFrom(ctx)
	if !ok {
		return a.refuse(ctx, errNotAdmitted, nil)
	}
	cost, _ := Cost(ctx)
	if err, ext := a.rateLimit(ctx, oc, actor, cost); err != nil {
		return a.refuse(ctx, err, ext)
	}
	if oc.Operation == nil {
		return next(ctx)
	}
	if oc.Operation.Operation == ast.Subscription {
		return a.stream(ctx, actor, next)
	}
	cancel := func() {}
	if _, bounded := ctx.Deadline(); !bounded {
		// An operation sent over a WebSocket: its request is the socket.
		ctx, cancel = context.WithTimeout(ctx, a.timeout)
	}
	release, ok := a.enter(ctx, cost)
	if !ok {
		cancel()
		return a.refuse(ctx, errBusy, nil)
	}
	h := next(ctx)
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		once.Do(func() { release(); cancel() })
		return resp
	}
}

// rateLimit takes the operation's cost from the key's bucket, recording the
// decision for the response's headers and extensions.
func (a *admission) rateLimit(ctx context.Context, oc *graphql.OperationContext, actor pg.Actor, cost int) (*pg.Error, map[string]any) {
	if !a.limiter.Enabled() {
		return nil, nil
	}
	d, err := a.limiter.Take(ctx, "key:"+strconv.FormatInt(actor.APIKeyID, 10), cost)
	if err != nil {
		return pg.InternalError(err), nil
	}
	ratelimit.Record(ctx, d)
	oc.Stats.SetExtension("throttle", d)
	if d.Allowed {
		return nil, nil
	}
	points := "points"
	if cost == 1 {
		points = "point" // a look-up of a persisted operation (lookupCost)
	}
	return pg.Errorf(pg.RateLimited, "This operation costs %d %s and the key has %d left; retry in %s.",
		cost, points, d.Remaining, d.RetryAfter.Round(time.Millisecond)), map[string]any{"retryAfter": d.RetryAfter.Seconds()}
}

// enter waits for an execution slot, then until the operation's cost fits
// in the budget, or until ctx ends. An operation costing more than the
// whole budget runs alone. A free slot or budget is taken even when ctx has
// already ended (a select would pick at random), so only a server that is
// really full answers "busy". It returns the function that gives both back.
func (a *admission) enter(ctx context.Context, cost int) (func(), bool) {
	select {
	case a.slots <- struct{}{}:
	default:
		select {
		case a.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, false
		}
	}
	w := min(max(int64(cost), 1), a.size)
	if !a.budget.TryAcquire(w) {
		if err := a.budget.Acquire(ctx, w); err != nil {
			<-a.slots
			return nil, false
		}
	}
	return func() {
		a.budget.Release(w)
		<-a.slots
	}, true
}

// lookupCost is what a look-up of a persisted operation takes from the
// key's bucket: as much as the cheapest operation, so a stream of hashes
// the server does not hold is limited as a stream of requests is.
const lookupCost = 1

// lookup runs f, a look-up of a persisted operation in the database for
// the request in ctx, metered as an operation is: its point is taken from
// the key's bucket first, then it waits for an execution slot. A refused
// look-up does not run f, and returns the refusal.
func (a *admission) lookup(ctx context.Context, f func()) *gqlerror.Error {
	actor, ok := pg.ActorFrom(ctx)
	if !ok {
		return a.refusal(ctx, errNotAdmitted, nil)
	}
	if err, ext := a.rateLimit(ctx, graphql.GetOperationContext(ctx), actor, lookupCost); err != nil {
		return a.refusal(ctx, err, ext)
	}
	if _, bounded := ctx.Deadline(); !bounded {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, a.timeout)
		defer cancel()
	}
	release, ok := a.enter(ctx, lookupCost)
	if !ok {
		return a.refusal(ctx, errBusy, nil)
	}
	defer release()
	f()
	return nil
}

// refuse answers an operation that will not run: no data, one error.
func (a *admission) refuse(ctx context.Context, err *pg.Error, ext map[string]any) graphql.ResponseHandler {
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{a.refusal(ctx, err, ext)}})
}

// refusal counts and presents err, with the extensions ext.
func (a *admission) refusal(ctx context.Context, err *pg.Error, ext map[string]any) *gqlerror.Error {
	a.metrics.Refused(err.HTTPStatus())
	ge := a.present(ctx, err)
	for k, v := range ext {
		ge.Extensions[k] = v
	}
	return ge
}
