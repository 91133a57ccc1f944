package loaders

import (
	"context"

	"github.com/graph-gophers/dataloader/v7"

	pg "partnergraph"
	"partnergraph/store"
)

// refKind is the table of a partnership's reference.
type refKind uint8

const (
	refTier refKind = iota
	refStage
	refCategory
	refProject
)

type refKey struct {
	kind refKind
	id   int64
}

// newReferences returns the memo the Tier, Stage, Category and Project
// loaders share. Whichever of them fires first fetches the references of
// every partnership the request has seen, all four kinds at once, in one
// statement; the others then find their keys answered.
func newReferences(l *Loaders) *memo[refKey, any] {
	r := &l.registry
	kinds := []struct {
		kind refKind
		fk   func(*pg.Partnership) *int64
	}{
		{refTier, func(p *pg.Partnership) *int64 { return p.TierID }},
		{refStage, func(p *pg.Partnership) *int64 { return p.StageID }},
		{refCategory, func(p *pg.Partnership) *int64 { return p.CategoryID }},
		{refProject, func(p *pg.Partnership) *int64 { return p.ProjectID }},
	}
	expand := func([]refKey) []refKey {
		var out []refKey
		for _, k := range kinds {
			for _, id := range keys(r, r.partnerships, k.fk) {
				out = append(out, refKey{k.kind, id})
			}
		}
		return out
	}
	fetch := func(ctx context.Context, keys []refKey) (map[refKey]any, error) {
		var want store.ReferenceIDs
		for _, k := range keys {
			switch k.kind {
			case refTier:
				want.Tiers = append(want.Tiers, k.id)
			case refStage:
				want.Stages = append(want.Stages, k.id)
			case refCategory:
				want.Categories = append(want.Categories, k.id)
			case refProject:
				want.Projects = append(want.Projects, k.id)
			}
		}
		refs, err := l.Batches.References(ctx, want)
		if err != nil {
			return nil, err
		}
		l.RegisterStages(refs.Stages)
		l.RegisterProjects(refs.Projects)
		out := make(map[refKey]any, len(keys))
		for _, v := range refs.Tiers {
			out[refKey{refTier, v.ID}] = v
		}
		for _, v := range refs.Stages {
			out[refKey{refStage, v.ID}] = v
		}
		for _, v := range refs.Categories {
			out[refKey{refCategory, v.ID}] = v
		}
		for _, v := range refs.Projects {
			out[refKey{refProject, v.ID}] = v
		}
		return out, nil
	}
	return newMemo(fetch, expand)
}

// reference builds the loader of one kind of reference over the shared memo.
func reference[V any](m *memo[refKey, any], kind refKind, what string) *dataloader.Loader[int64, V] {
	batch := m.batch(func(refKey) error { return pg.NotFoundf("%s not found.", what) })
	return dataloader.NewBatchedLoader(func(ctx context.Context, ids []int64) []*dataloader.Result[V] {
		keys := make([]refKey, len(ids))
		for i, id := range ids {
			keys[i] = refKey{kind, id}
		}
		out := make([]*dataloader.Result[V], len(ids))
		for i, res := range batch(ctx, keys) {
			v, _ := res.Data.(V)
			out[i] = &dataloader.Result[V]{Data: v, Error: res.Error}
		}
		return out
	}, options[int64, V]()...)
}
