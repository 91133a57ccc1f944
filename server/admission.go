package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/sync/semaphore"
)

// admission bounds the summed cost of the operations executing at once.
// An operation's memory and CPU grow with the response it builds, which
// its cost estimates (a dashboard of 500 partnerships costs about 21,000
// points and holds some 15 MB while it runs), so a count of requests alone
// would either let a burst of large queries take all the memory or hold
// small ones back while there is room for them. Operations are admitted in
// the order they arrive: a small one runs beside a large one unless another
// large one is already waiting, which is never starved by a stream of
// small ones.
type admission struct {
	sem    *semaphore.Weighted
	budget int64
}

func newAdmission(budget int64) *admission {
	return &admission{sem: semaphore.NewWeighted(budget), budget: budget}
}

// enter waits until the operation of cost fits in the budget, or ctx ends.
// An operation costing more than the whole budget runs alone. It returns
// the function that gives the cost back.
func (a *admission) enter(ctx context.Context, cost int) (func(), bool) {
	w := min(max(int64(cost), 1), a.budget)
	// A free budget is taken even when ctx has ended, as with slots.
	if !a.sem.TryAcquire(w) {
		if err := a.sem.Acquire(ctx, w); err != nil {
			return nil, false
		}
	}
	return func() { a.sem.Release(w) }, true
}

// admit wraps the operation's response handler so it gives its cost back
// once it has answered. Subscriptions are not metered: they hold nothing
// while they wait for events.
func (s *Server) admit(ctx context.Context, next graphql.OperationHandler) (graphql.ResponseHandler, bool) {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation == ast.Subscription {
		return next(ctx), true
	}
	cost, _ := Cost(ctx)
	release, ok := s.admission.enter(ctx, cost)
	if !ok {
		return nil, false
	}
	h := next(ctx)
	done := false
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if !done {
			done = true
			release()
		}
		return resp
	}, true
}
