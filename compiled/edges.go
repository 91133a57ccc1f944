package compiled

import (
	"context"

	pg "partnergraph"
	"partnergraph/loaders"
	"partnergraph/store"
)

// one is a field whose value is one record by id (a partnership's partner,
// a record's organization). key gives nil when the field is null.
type one[T, C any] struct {
	slot  int
	key   func(T) *int64
	fetch func(b loaders.Batches, ctx context.Context, ids []int64) (map[int64]C, error)
	child *object[C]
}

func (o *one[T, C]) load(e *exec, parents []T) error {
	ids := distinct(parents, o.key)
	if len(ids) == 0 {
		return nil
	}
	m, err := o.fetch(e.b, e.ctx, ids)
	if err != nil {
		return errFallback
	}
	e.slots[o.slot] = m
	children := make([]C, 0, len(m))
	for _, c := range m {
		children = append(children, c)
	}
	return o.child.load(e, children)
}

// write writes the field of v. A record the batch did not find is an error
// in gqlgen's executor (NOT_FOUND): it answers such a response itself.
func (o *one[T, C]) write(e *exec, v T) error {
	k := o.key(v)
	if k == nil {
		e.w.null()
		return nil
	}
	m, _ := e.slots[o.slot].(map[int64]C)
	c, ok := m[*k]
	if !ok {
		return errFallback
	}
	return o.child.write(e, c)
}

// many is a field whose value is a list of records per parent (a
// partnership's tags, a stage's next stages).
type many[T, C any] struct {
	slot  int
	id    func(T) int64
	fetch func(b loaders.Batches, ctx context.Context, ids []int64) (map[int64][]C, error)
	child *object[C]
}

func (m *many[T, C]) load(e *exec, parents []T) error {
	ids := make([]int64, len(parents))
	for i, p := range parents {
		ids[i] = m.id(p)
	}
	lists, err := m.fetch(e.b, e.ctx, ids)
	if err != nil {
		return errFallback
	}
	e.slots[m.slot] = lists
	var children []C
	for _, l := range lists {
		children = append(children, l...)
	}
	return m.child.load(e, children)
}

func (m *many[T, C]) write(e *exec, v T) error {
	lists, _ := e.slots[m.slot].(map[int64][]C)
	return m.child.list(e, lists[m.id(v)])
}

// distinct collects the non-nil keys of parents, each once.
func distinct[T any](parents []T, key func(T) *int64) []int64 {
	seen := make(map[int64]struct{}, 8)
	out := make([]int64, 0, 8)
	for _, p := range parents {
		if k := key(p); k != nil {
			if _, dup := seen[*k]; !dup {
				seen[*k] = struct{}{}
				out = append(out, *k)
			}
		}
	}
	return out
}

// refs loads a partnership node's tier, stage, category and project fields
// in one statement (loaders.Batches.References), however many of them the
// selection names.
type refs struct {
	slot                   int
	tier, stage, cat, proj bool
	// The child plans that load edges of their own.
	stages   []*object[*pg.Stage]
	projects []*object[*pg.Project]
}

type refMaps struct {
	tiers      map[int64]*pg.Tier
	stages     map[int64]*pg.Stage
	categories map[int64]*pg.Category
	projects   map[int64]*pg.Project
}

func (r *refs) load(e *exec, parents []*pg.Partnership) error {
	var want store.ReferenceIDs
	if r.tier {
		want.Tiers = distinct(parents, func(p *pg.Partnership) *int64 { return p.TierID })
	}
	if r.stage {
		want.Stages = distinct(parents, func(p *pg.Partnership) *int64 { return p.StageID })
	}
	if r.cat {
		want.Categories = distinct(parents, func(p *pg.Partnership) *int64 { return p.CategoryID })
	}
	if r.proj {
		want.Projects = distinct(parents, func(p *pg.Partnership) *int64 { return p.ProjectID })
	}
	got, err := e.b.References(e.ctx, want)
	if err != nil {
		return errFallback
	}
	m := &refMaps{tiers: index(got.Tiers, func(v *pg.Tier) int64 { return v.ID }),
		stages:     index(got.Stages, func(v *pg.Stage) int64 { return v.ID }),
		categories: index(got.Categories, func(v *pg.Category) int64 { return v.ID }),
		projects:   index(got.Projects, func(v *pg.Project) int64 { return v.ID })}
	e.slots[r.slot] = m
	for _, s := range r.stages {
		if err := s.load(e, got.Stages); err != nil {
			return err
		}
	}
	for _, p := range r.projects {
		if err := p.load(e, got.Projects); err != nil {
			return err
		}
	}
	return nil
}

func index[V any](vs []V, id func(V) int64) map[int64]V {
	m := make(map[int64]V, len(vs))
	for _, v := range vs {
		m[id(v)] = v
	}
	return m
}

// ref writes one reference field of a partnership from the node's refs.
func ref[C any](slot int, key func(*pg.Partnership) *int64, pick func(*refMaps) map[int64]C, child *object[C]) func(*exec, *pg.Partnership) error {
	return func(e *exec, p *pg.Partnership) error {
		k := key(p)
		if k == nil {
			e.w.null()
			return nil
		}
		m, ok := e.slots[slot].(*refMaps)
		if !ok {
			return errFallback
		}
		c, ok := pick(m)[*k]
		if !ok {
			return errFallback
		}
		return child.write(e, c)
	}
}
