// Package compiled answers read operations without gqlgen's executor: a plan
// per (document, operation, root field), built once and cached, loads what a
// root field's selection needs level by level, one batch read per edge per
// level (the loaders' Batches, the statements the resolvers' dataloaders
// send; the edges of one level run at once, a goroutine each), and writes
// the JSON straight into one pooled buffer, with no goroutine, context,
// closure allocation or marshaler per field.
//
// It plugs into gqlgen as a handler extension (Reads): gqlgen still parses,
// validates, applies the limits, authenticates and runs every root field's
// resolver; for a root field of a query the extension takes the resolver's
// value and returns the field's written subtree as a ready
// graphql.Marshaler, so gqlgen still builds the envelope, the errors and the
// extensions. What the planner has no writer for (introspection, mutations,
// subscriptions, @defer, a field not listed in types.go) falls back, per
// root field, to gqlgen's executor, and so does every subtree in which a
// field would fail (an edge not found, a bad nested argument, a database
// error): gqlgen then answers it from the same root value, with its own
// errors, paths, order and null propagation. Compiled answers carry no
// errors, so they cannot disagree with gqlgen's about them.
package compiled

import (
	"context"
	"io"
	"reflect"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"partnergraph/loaders"
	"partnergraph/relay"
)

// Reads is the compiled path, a gqlgen handler extension: install it with
// Use on the handler or executor, after loaders.Extension, which gives the
// operation the loaders whose Batches it reads through. Without loaders on
// the context, every root field falls back.
type Reads struct {
	// observe, if not nil, is told of every operation: served "compiled"
	// (every root field was) or "fallback", with the reason of its first
	// root field that was not (one of the Reason constants).
	observe func(outcome, reason string)
	plans   *lru.LRU[*cached]
}

// New returns the compiled path, caching the plans of up to size root fields.
func New(size int, observe func(outcome, reason string)) *Reads {
	return &Reads{observe: observe, plans: lru.New[*cached](size)}
}

var (
	_ graphql.HandlerExtension     = (*Reads)(nil)
	_ graphql.OperationInterceptor = (*Reads)(nil)
	_ graphql.FieldInterceptor     = (*Reads)(nil)
)

func (r *Reads) ExtensionName() string                   { return "CompiledReads" }
func (r *Reads) Validate(graphql.ExecutableSchema) error { return nil }

// cached is a root field's plan, or why it has none.
type cached struct {
	root   root
	slots  int
	reason string
}

// root writes a root field's value.
type root interface {
	run(e *exec, res any) error
}

// tally is what an operation's root fields did.
type tally struct {
	mu     sync.Mutex
	reason string
}

func (t *tally) fellBack(reason string) {
	t.mu.Lock()
	if t.reason == "" {
		t.reason = reason
	}
	t.mu.Unlock()
}

type tallyKey struct{}

// InterceptOperation counts each operation once, by what its root fields did.
func (r *Reads) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		r.count("fallback", ReasonNotQuery)
		return next(ctx)
	}
	t := &tally{}
	h := next(context.WithValue(ctx, tallyKey{}, t))
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		once.Do(func() {
			if t.reason == "" {
				r.count("compiled", "")
			} else {
				r.count("fallback", t.reason)
			}
		})
		return resp
	}
}

func (r *Reads) count(outcome, reason string) {
	if r.observe != nil {
		r.observe(outcome, reason)
	}
}

// InterceptField answers the root fields of queries it has a plan for.
func (r *Reads) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "Query" {
		return next(ctx)
	}
	t, _ := ctx.Value(tallyKey{}).(*tally)
	if t == nil {
		return next(ctx)
	}
	l := loaders.For(ctx)
	oc := graphql.GetOperationContext(ctx)
	c := r.plan(ctx, oc, fc.Field)
	if c.root == nil || l == nil {
		t.fellBack(c.reason)
		return next(ctx)
	}
	res, err := next(ctx)
	if err != nil || isNil(res) {
		// gqlgen reports the resolver's error, or writes its null.
		t.fellBack(ReasonRuntime)
		return res, err
	}
	out, ok := execute(ctx, c, l.Batches, oc.Variables, res)
	if !ok {
		t.fellBack(ReasonRuntime)
		return res, nil
	}
	return out, nil
}

func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Invalid:
		return true
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// plan returns the cached plan of a root field, building it on a miss. The
// key is the document, the operation, the field's response key and the
// values of the operation's Boolean variables (which @skip and @include
// may read).
func (r *Reads) plan(ctx context.Context, oc *graphql.OperationContext, f graphql.CollectedField) *cached {
	var key strings.Builder
	key.Grow(len(oc.RawQuery) + len(oc.OperationName) + len(f.Alias) + 8)
	key.WriteString(oc.RawQuery)
	key.WriteByte(0)
	key.WriteString(oc.OperationName)
	key.WriteByte(0)
	key.WriteString(f.Alias)
	key.WriteByte(0)
	for _, v := range oc.Operation.VariableDefinitions {
		if v.Type.Name() != "Boolean" {
			continue
		}
		switch b, _ := oc.Variables[v.Variable].(bool); {
		case oc.Variables[v.Variable] == nil:
			key.WriteByte('n')
		case b:
			key.WriteByte('t')
		default:
			key.WriteByte('f')
		}
	}
	k := key.String()
	if c, ok := r.plans.Get(ctx, k); ok {
		return c
	}
	p := &planner{oc: oc}
	c := &cached{}
	rt, err := planRoot(p, f)
	if u, ok := err.(unsupported); ok {
		c.reason = u.reason
	} else if err != nil {
		c.reason = ReasonField
	} else {
		c.root, c.slots = rt, p.slots
	}
	r.plans.Add(ctx, k, c)
	return c
}

// execute runs a plan on a root value; ok is false when gqlgen must answer.
func execute(ctx context.Context, c *cached, b loaders.Batches, vars map[string]any, res any) (m graphql.Marshaler, ok bool) {
	buf := buffers.Get().(*[]byte)
	e := &exec{ctx: ctx, b: b, vars: vars, slots: make([]any, c.slots), w: writer{b: (*buf)[:0]}}
	defer func() {
		if recover() != nil {
			// A plan that panics is a defect; gqlgen still answers.
			m, ok = nil, false
		}
		if !ok {
			*buf = e.w.b
			buffers.Put(buf)
		}
	}()
	if err := c.root.run(e, res); err != nil {
		return nil, false
	}
	*buf = e.w.b
	return written{buf}, true
}

// written is a compiled subtree, ready for gqlgen to copy into the response.
type written struct{ buf *[]byte }

func (w written) MarshalGQL(out io.Writer) {
	out.Write(*w.buf)
	buffers.Put(w.buf)
}

// planRoot plans the root fields the compiled path answers.
func planRoot(p *planner, f graphql.CollectedField) (root, error) {
	if f.IsDeferred() || len(f.Deferrables) > 0 {
		return nil, unsupported{ReasonDefer}
	}
	switch f.Name {
	case "partners":
		return connRoot(p, partnerSpec(), f)
	case "partnerships":
		return connRoot(p, partnershipSpec(), f)
	case "projects":
		return connRoot(p, projectSpec(), f)
	case "tiers":
		return connRoot(p, tierSpec(), f)
	case "categories":
		return connRoot(p, categorySpec(), f)
	case "stages":
		return connRoot(p, stageSpec(), f)
	case "tags":
		return connRoot(p, tagSpec(), f)
	case "customFields":
		return connRoot(p, customFieldSpec(), f)
	case "partner":
		return objectRoot(p, partnerSpec(), f)
	case "partnership":
		return objectRoot(p, partnershipSpec(), f)
	case "__schema", "__type":
		return nil, unsupported{ReasonIntrospection}
	}
	return nil, unsupported{ReasonRootField}
}

type connection[C any] struct{ c *conn[C] }

func connRoot[C any](p *planner, s *spec[C], f graphql.CollectedField) (root, error) {
	c, err := planConn(p, s, f.Selections)
	if err != nil {
		return nil, err
	}
	return connection[C]{c}, nil
}

func (r connection[C]) run(e *exec, res any) error {
	rc, ok := res.(*relay.Connection[C])
	if !ok {
		return errFallback
	}
	pp, err := r.c.fromRoot(e, rc)
	if err != nil {
		return err
	}
	return r.c.write(e, pp)
}

type single[C any] struct{ o *object[C] }

func objectRoot[C any](p *planner, s *spec[C], f graphql.CollectedField) (root, error) {
	o, err := plan(p, s, f.Selections)
	if err != nil {
		return nil, err
	}
	return single[C]{o}, nil
}

func (r single[C]) run(e *exec, res any) error {
	v, ok := res.(C)
	if !ok {
		return errFallback
	}
	if err := r.o.load(e, []C{v}); err != nil {
		return err
	}
	return r.o.write(e, v)
}
