package resolvers

import (
	"context"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/relay"
)

type customFieldResolver struct{ *Resolver }

func (r *customFieldResolver) Options(_ context.Context, f *pg.CustomField) ([]*pg.CustomFieldOption, error) {
	out := make([]*pg.CustomFieldOption, len(f.Options))
	for i := range f.Options {
		out[i] = &f.Options[i]
	}
	return out, nil
}

func (r *queryResolver) CustomFields(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.NameFilter) (*relay.CustomFieldConnection, error) {
	return namedList(ctx, first, after, last, before, filter, r.DB.CustomFields, nil)
}

func (r *mutationResolver) CreateCustomField(ctx context.Context, in model.CreateCustomFieldInput) (*model.CustomFieldPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	f, err := r.DB.CreateCustomField(ctx, a, pg.CustomFieldCreate{Name: in.Name, Type: in.Type, Options: options(in.Options)})
	if err != nil {
		return nil, err
	}
	return &model.CustomFieldPayload{CustomField: f, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) UpdateCustomField(ctx context.Context, in model.UpdateCustomFieldInput) (*model.CustomFieldPayload, error) {
	a, id, err := r.target(ctx, in.ID, pg.TypeCustomField)
	if err != nil {
		return nil, err
	}
	u := pg.CustomFieldUpdate{Name: in.Name}
	if in.Options != nil {
		o := options(in.Options)
		u.Options = &o
	}
	f, err := r.DB.UpdateCustomField(ctx, a, id, u)
	if err != nil {
		return nil, err
	}
	return &model.CustomFieldPayload{CustomField: f, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) DeleteCustomField(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	return r.delete(ctx, in, pg.TypeCustomField, r.DB.DeleteCustomField)
}

func options(in []*model.CustomFieldOptionInput) pg.CustomFieldOptions {
	if in == nil {
		return nil
	}
	out := make(pg.CustomFieldOptions, len(in))
	for i, o := range in {
		out[i] = pg.CustomFieldOption{ID: int64(o.ID), Label: o.Label}
	}
	return out
}
