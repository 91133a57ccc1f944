package resolvers

import (
	"context"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
)

type stageResolver struct{ *Resolver }

func (r *stageResolver) AllowedNextStages(ctx context.Context, s *pg.Stage) ([]*pg.Stage, error) {
	return loaders.For(ctx).NextStagesByStage().Load(ctx, s.ID)()
}

func (r *queryResolver) Stages(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.NameFilter) (*relay.StageConnection, error) {
	return namedList(ctx, first, after, last, before, filter, r.DB.Stages, loaders.For(ctx).RegisterStages)
}

func (r *mutationResolver) CreateStage(ctx context.Context, in model.CreateStageInput) (*model.StagePayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	next, err := relay.DecodeIDs("allowedNextStageIds", pg.TypeStage, in.AllowedNextStageIds)
	if err != nil {
		return nil, err
	}
	s, err := r.DB.CreateStage(ctx, a, pg.StageCreate{Name: in.Name, Position: deref(in.Position, 0), AllowedNextStageIDs: next})
	if err != nil {
		return nil, err
	}
	return &model.StagePayload{Stage: s, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) UpdateStage(ctx context.Context, in model.UpdateStageInput) (*model.StagePayload, error) {
	a, id, err := r.target(ctx, in.ID, pg.TypeStage)
	if err != nil {
		return nil, err
	}
	u := pg.StageUpdate{Name: in.Name, Position: in.Position}
	if gids, ok := in.AllowedNextStageIds.ValueOK(); ok {
		ids, err := relay.DecodeIDs("allowedNextStageIds", pg.TypeStage, gids)
		if err != nil {
			return nil, err
		}
		u.AllowedNextStageIDs = &ids
	}
	s, err := r.DB.UpdateStage(ctx, a, id, u)
	if err != nil {
		return nil, err
	}
	return &model.StagePayload{Stage: s, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) DeleteStage(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	return r.delete(ctx, in, pg.TypeStage, r.DB.DeleteStage)
}
