package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"

	pg "partnergraph"
	"partnergraph/metrics"
)

// operationCache is the automatic persisted query cache: documents clients
// sent recently, in this process, and every operation an operator
// registered (partnergraph operations add), from the database, so a hash
// alone works on any process from the first request.
type operationCache struct {
	operations Operations
	registry   *registry
	local      *lru.LRU[string]
}

func newOperationCache(ops Operations, reg *registry) *operationCache {
	return &operationCache{operations: ops, registry: reg, local: lru.New[string](1000)}
}

func (c *operationCache) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := c.local.Get(ctx, hash); ok {
		return q, true
	}
	if c.operations == nil || !isOperationHash(hash) {
		return "", false
	}
	op, err := c.operations.PersistedOperation(ctx, hash)
	if err != nil || op == nil {
		return "", false
	}
	c.registry.remember(hash)
	c.local.Add(ctx, hash, op.Query)
	return op.Query, true
}

func (c *operationCache) Add(ctx context.Context, hash, query string) { c.local.Add(ctx, hash, query) }

// isOperationHash tells whether hash can be an operation's (its SHA-256 in
// lower-case hex, as partnergraph.OperationHash writes it): any other is
// not looked up.
func isOperationHash(hash string) bool {
	if len(hash) != 64 {
		return false
	}
	for _, c := range []byte(hash) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// persistedQueries is automatic persisted queries (gqlgen's extension)
// metered: a hash the process does not hold in memory is a request for a
// look-up in the database, which the caller's key pays for first, as it
// pays for any operation (admission.lookup), whether the hash is found or
// not. Otherwise a stream of made-up hashes would read the database
// without limit.
type persistedQueries struct {
	extension.AutomaticPersistedQuery
	cache *operationCache
	meter func(ctx context.Context, f func()) *gqlerror.Error
}

func newPersistedQueries(cache *operationCache, meter func(context.Context, func()) *gqlerror.Error) persistedQueries {
	return persistedQueries{AutomaticPersistedQuery: extension.AutomaticPersistedQuery{Cache: cache}, cache: cache, meter: meter}
}

func (p persistedQueries) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	pq, _ := params.Extensions["persistedQuery"].(map[string]any)
	hash, _ := pq["sha256Hash"].(string)
	if params.Query != "" || hash == "" {
		return p.AutomaticPersistedQuery.MutateOperationParameters(ctx, params)
	}
	if _, ok := p.cache.local.Get(ctx, hash); ok {
		return p.AutomaticPersistedQuery.MutateOperationParameters(ctx, params)
	}
	var err *gqlerror.Error
	if refused := p.meter(ctx, func() { err = p.AutomaticPersistedQuery.MutateOperationParameters(ctx, params) }); refused != nil {
		return refused
	}
	return err
}

// registry answers whether a document is an operation an operator
// registered, remembering each answer for ttl: how long a process trusts
// that an operation is still registered after an operator removes it, or
// still unknown after one adds it. It also keeps, with no expiry, the
// documents this process has seen to be registered (by the allow-list, or
// resolving a hash): their operations' names are metrics labels.
type registry struct {
	operations Operations
	ttl        time.Duration

	mu    sync.Mutex
	known map[string]registration
	// seen are registered documents' hashes, learnt from lookups that
	// happen anyway: labelling an operation sends no statement.
	seen map[string]bool
}

type registration struct {
	registered bool
	until      time.Time
}

func newRegistry(ops Operations) *registry {
	return &registry{operations: ops, ttl: 30 * time.Second}
}

// cached returns the answer remembered for hash, if it is fresh.
func (r *registry) cached(hash string) (registered, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := r.known[hash]
	if !ok || time.Now().After(k.until) {
		return false, false
	}
	return k.registered, true
}

// lookup asks the database whether hash is registered, and remembers it.
func (r *registry) lookup(ctx context.Context, hash string) (bool, error) {
	if r.operations == nil {
		return false, nil
	}
	op, err := r.operations.PersistedOperation(ctx, hash)
	if err != nil {
		return false, err
	}
	r.mu.Lock()
	if r.known == nil || len(r.known) > 10000 {
		r.known = map[string]registration{}
	}
	r.known[hash] = registration{registered: op != nil, until: time.Now().Add(r.ttl)}
	r.mu.Unlock()
	if op != nil {
		r.remember(hash)
	}
	return op != nil, nil
}

// remember records that hash is a registered document's.
func (r *registry) remember(hash string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil || len(r.seen) > 10000 {
		r.seen = map[string]bool{}
	}
	r.seen[hash] = true
}

// operationLabel is the operation name that metrics may carry: the
// operation's own name when its document is one this process has seen to
// be registered (sent by its hash, or let through by the allow-list), else
// a fixed value (metrics.OtherOperation), since a client may choose any
// name.
func (r *registry) operationLabel(oc *graphql.OperationContext) string {
	switch {
	case oc.Operation == nil && oc.OperationName != "":
		return metrics.OtherOperation // a document that did not parse or validate
	case oc.Operation == nil, oc.Operation.Name == "":
		return metrics.AnonymousOperation
	}
	r.mu.Lock()
	none := len(r.seen) == 0
	r.mu.Unlock()
	if none {
		return metrics.OtherOperation // no need to hash the document
	}
	hash := ""
	if apq, ok := oc.Stats.GetExtension("APQ").(*extension.ApqStats); ok {
		hash = apq.Hash
	} else {
		hash = pg.OperationHash(oc.RawQuery)
	}
	r.mu.Lock()
	seen := r.seen[hash]
	r.mu.Unlock()
	if !seen {
		return metrics.OtherOperation
	}
	return oc.Operation.Name
}

// allowList refuses, in allow-list mode, every operation an operator did
// not register. It runs after automatic persisted queries resolved a hash
// into its document, so registered operations may be sent either way.
type allowList struct {
	*registry
	metrics *metrics.Metrics
	// meter charges a look-up to the caller before it runs
	// (admission.lookup).
	meter func(ctx context.Context, f func()) *gqlerror.Error
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = allowList{}

func (allowList) ExtensionName() string                   { return "AllowList" }
func (allowList) Validate(graphql.ExecutableSchema) error { return nil }

func (l allowList) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	hash := pg.OperationHash(p.Query)
	if reg, ok := l.cached(hash); ok && reg {
		return nil
	}
	// An unknown operation is looked up again: one an operator has just
	// registered runs at once. The caller pays for the look-up first.
	var reg bool
	var err error
	if refused := l.meter(ctx, func() { reg, err = l.lookup(ctx, hash) }); refused != nil {
		return refused
	}
	if err != nil {
		return gqlerror.WrapPath(nil, pg.InternalError(err))
	}
	if !reg {
		e := gqlerror.Errorf("This gateway runs only registered operations, and this one (sha256 %s) is not registered.", hash)
		e.Extensions = map[string]any{"code": string(pg.Forbidden), "reason": "OPERATION_NOT_ALLOWED"}
		l.metrics.Refused(http.StatusForbidden)
		return e
	}
	return nil
}
