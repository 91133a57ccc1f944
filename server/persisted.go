package server

import (
	"context"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "partnergraph"
)

// operationCache is the automatic persisted query cache: documents clients
// sent recently, in this process, and every operation an operator
// registered (partnergraph operations add), from the database, so a hash
// alone works on any process from the first request.
type operationCache struct {
	operations Operations
	local      *lru.LRU[string]
}

func newOperationCache(ops Operations) *operationCache {
	return &operationCache{operations: ops, local: lru.New[string](1000)}
}

func (c *operationCache) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := c.local.Get(ctx, hash); ok {
		return q, true
	}
	if c.operations == nil {
		return "", false
	}
	op, err := c.operations.PersistedOperation(ctx, hash)
	if err != nil || op == nil {
		return "", false
	}
	c.local.Add(ctx, hash, op.Query)
	return op.Query, true
}

func (c *operationCache) Add(ctx context.Context, hash, query string) { c.local.Add(ctx, hash, query) }

// allowList refuses, in allow-list mode, every operation an operator did
// not register. It runs after automatic persisted queries resolved a hash
// into its document, so registered operations may be sent either way.
type allowList struct {
	operations Operations
	// ttl bounds how long a process trusts that an operation is still
	// registered after an operator removes it.
	ttl time.Duration

	mu    sync.Mutex
	known map[string]time.Time
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*allowList)(nil)

func (*allowList) ExtensionName() string                   { return "AllowList" }
func (*allowList) Validate(graphql.ExecutableSchema) error { return nil }

func (l *allowList) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash := pg.OperationHash(p.Query)
	now := time.Now()
	l.mu.Lock()
	until, ok := l.known[hash]
	l.mu.Unlock()
	if ok && now.Before(until) {
		return nil
	}
	op, err := l.operations.PersistedOperation(ctx, hash)
	if err != nil {
		return gqlerror.WrapPath(nil, pg.InternalError(err))
	}
	if op == nil {
		e := gqlerror.Errorf("This gateway runs only registered operations, and this one (sha256 %s) is not registered.", hash)
		e.Extensions = map[string]any{"code": string(pg.Forbidden), "reason": "OPERATION_NOT_ALLOWED"}
		return e
	}
	l.mu.Lock()
	if l.known == nil || len(l.known) > 10000 {
		l.known = map[string]time.Time{}
	}
	l.known[hash] = now.Add(l.ttl)
	l.mu.Unlock()
	return nil
}
