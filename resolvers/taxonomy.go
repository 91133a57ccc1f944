package resolvers

// Tiers, categories and tags: the simple named records partnerships refer to.

import (
	"context"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/relay"
)

// namedList runs a root list field of a named record.
func namedList[T any](ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.NameFilter,
	fetch func(context.Context, pg.Actor, *string, pg.PageRequest) (pg.List[T], error), register func([]T)) (*relay.Connection[T], error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	l, err := fetch(ctx, a, search(filter), p)
	return fromList(l, err, register)
}

func (r *queryResolver) Tiers(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.NameFilter) (*relay.TierConnection, error) {
	return namedList(ctx, first, after, last, before, filter, r.DB.Tiers, nil)
}

func (r *queryResolver) Categories(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.NameFilter) (*relay.CategoryConnection, error) {
	return namedList(ctx, first, after, last, before, filter, r.DB.Categories, nil)
}

func (r *queryResolver) Tags(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.NameFilter) (*relay.TagConnection, error) {
	return namedList(ctx, first, after, last, before, filter, r.DB.Tags, nil)
}

func (r *mutationResolver) CreateTier(ctx context.Context, in model.CreateTierInput) (*model.TierPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	t, err := r.DB.CreateTier(ctx, a, pg.TierCreate{Name: in.Name, Rank: deref(in.Rank, 0)})
	if err != nil {
		return nil, err
	}
	return &model.TierPayload{Tier: t, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) UpdateTier(ctx context.Context, in model.UpdateTierInput) (*model.TierPayload, error) {
	a, id, err := r.target(ctx, in.ID, pg.TypeTier)
	if err != nil {
		return nil, err
	}
	t, err := r.DB.UpdateTier(ctx, a, id, pg.TierUpdate{Name: in.Name, Rank: in.Rank})
	if err != nil {
		return nil, err
	}
	return &model.TierPayload{Tier: t, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) DeleteTier(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	return r.delete(ctx, in, pg.TypeTier, r.DB.DeleteTier)
}

func (r *mutationResolver) CreateCategory(ctx context.Context, in model.CreateCategoryInput) (*model.CategoryPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	c, err := r.DB.CreateCategory(ctx, a, pg.CategoryCreate{Name: in.Name})
	if err != nil {
		return nil, err
	}
	return &model.CategoryPayload{Category: c, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) UpdateCategory(ctx context.Context, in model.UpdateCategoryInput) (*model.CategoryPayload, error) {
	a, id, err := r.target(ctx, in.ID, pg.TypeCategory)
	if err != nil {
		return nil, err
	}
	c, err := r.DB.UpdateCategory(ctx, a, id, pg.CategoryUpdate{Name: in.Name})
	if err != nil {
		return nil, err
	}
	return &model.CategoryPayload{Category: c, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) DeleteCategory(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	return r.delete(ctx, in, pg.TypeCategory, r.DB.DeleteCategory)
}

func (r *mutationResolver) CreateTag(ctx context.Context, in model.CreateTagInput) (*model.TagPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	t, err := r.DB.CreateTag(ctx, a, pg.TagCreate{Name: in.Name})
	if err != nil {
		return nil, err
	}
	return &model.TagPayload{Tag: t, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) UpdateTag(ctx context.Context, in model.UpdateTagInput) (*model.TagPayload, error) {
	a, id, err := r.target(ctx, in.ID, pg.TypeTag)
	if err != nil {
		return nil, err
	}
	t, err := r.DB.UpdateTag(ctx, a, id, pg.TagUpdate{Name: in.Name})
	if err != nil {
		return nil, err
	}
	return &model.TagPayload{Tag: t, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) DeleteTag(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	return r.delete(ctx, in, pg.TypeTag, r.DB.DeleteTag)
}

// target authorizes a change and decodes the ID of the record it changes.
func (r *mutationResolver) target(ctx context.Context, gid, typ string) (pg.Actor, int64, error) {
	a, err := writer(ctx)
	if err != nil {
		return a, 0, err
	}
	id, err := relay.DecodeID("id", typ, gid)
	return a, id, err
}
