package compiled

import (
	"context"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"partnergraph/loaders"
)

// errFallback stops a compiled execution: gqlgen's executor answers the root
// field instead, from the same root value.
var errFallback = errors.New("compiled: answered by gqlgen's executor")

// unsupported is a planning refusal: the reason names what the planner has no
// writer for, from a small fixed set (it labels a metric).
type unsupported struct{ reason string }

func (u unsupported) Error() string { return "compiled: unsupported: " + u.reason }

// Reasons a root field falls back to gqlgen's executor.
const (
	ReasonNotQuery      = "not_query"
	ReasonRootField     = "root_field"
	ReasonField         = "field"
	ReasonDefer         = "defer"
	ReasonRuntime       = "runtime"
	ReasonIntrospection = "introspection"
)

// exec is one execution of a plan: the request's batch reads, its variables,
// what each edge loaded (slots, numbered by the planner) and the writer.
type exec struct {
	ctx   context.Context
	b     loaders.Batches
	vars  map[string]any
	slots []any
	w     writer
}

// object is the plan of a selection set on objects of Go type T.
type object[T any] struct {
	fields []member[T]
	// edges load, for every object of this node at once, what its fields
	// need beyond the object itself.
	edges []edge[T]
}

// member writes one response key of an object.
type member[T any] struct {
	key   string
	write func(e *exec, v T) error
}

// edge is a field whose value comes from a batch read: load fetches it for
// every parent of a node at once and recurses into the child plan; the
// field's member writes it from the slot load filled.
type edge[T any] interface {
	load(e *exec, parents []T) error
}

// planner builds plans for one operation, numbering slots as it goes.
type planner struct {
	oc    *graphql.OperationContext
	slots int
}

func (p *planner) slot() int { p.slots++; return p.slots - 1 }

// spec describes an object type to the planner: its name and the types its
// fragments may name, and a member builder per field name.
type spec[T any] struct {
	typename     string
	implementors []string
	// field returns the member of a field (and its edge, if it loads one);
	// nil when the field has no writer.
	field func(p *planner, o *object[T], f graphql.CollectedField) (func(e *exec, v T) error, error)
}

// plan builds the plan of sel on objects of s's type, collecting fields by
// gqlgen's own rules (fragments, type conditions, @skip/@include, response
// key order).
func plan[T any](p *planner, s *spec[T], sel ast.SelectionSet) (*object[T], error) {
	o := &object[T]{}
	for _, f := range graphql.CollectFields(p.oc, sel, s.implementors) {
		if f.IsDeferred() || len(f.Deferrables) > 0 {
			return nil, unsupported{ReasonDefer}
		}
		var write func(e *exec, v T) error
		if f.Name == "__typename" {
			name := s.typename
			write = func(e *exec, _ T) error { e.w.str(name); return nil }
		} else {
			var err error
			if write, err = s.field(p, o, f); err != nil {
				return nil, err
			}
			if write == nil {
				return nil, unsupported{ReasonField}
			}
		}
		o.fields = append(o.fields, member[T]{key: quotedKey(f.Alias), write: write})
	}
	return o, nil
}

// load runs the node's edges for objs, then theirs, level by level. The
// edges of one node are independent statements: they run at once, each on
// its own connection, so a level costs the slowest of its statements, not
// their sum. Each edge fills its own slot.
func (o *object[T]) load(e *exec, objs []T) error {
	switch {
	case len(objs) == 0 || len(o.edges) == 0:
		return nil
	case len(o.edges) == 1:
		return o.edges[0].load(e, objs)
	}
	errs := make(chan error, len(o.edges)-1)
	for _, ed := range o.edges[1:] {
		go func() {
			defer func() {
				// The goroutine's panic would end the process: the
				// response is gqlgen's instead.
				if recover() != nil {
					errs <- errFallback
				}
			}()
			errs <- ed.load(e, objs)
		}()
	}
	err := o.edges[0].load(e, objs)
	for range o.edges[1:] {
		if e := <-errs; e != nil && err == nil {
			err = e
		}
	}
	return err
}

// write writes v as a JSON object.
func (o *object[T]) write(e *exec, v T) error {
	e.w.open('{')
	for i := range o.fields {
		m := &o.fields[i]
		e.w.key(m.key)
		if err := m.write(e, v); err != nil {
			return err
		}
	}
	e.w.close('}')
	return nil
}

// list writes vs as a JSON list of objects.
func (o *object[T]) list(e *exec, vs []T) error {
	e.w.open('[')
	for _, v := range vs {
		e.w.elem()
		if err := o.write(e, v); err != nil {
			return err
		}
	}
	e.w.close(']')
	return nil
}
