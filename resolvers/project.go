package resolvers

import (
	"context"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
)

type projectResolver struct{ *Resolver }

func (r *projectResolver) Organization(ctx context.Context, p *pg.Project) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, p.OrganizationID)()
}

func (r *projectResolver) Partnerships(ctx context.Context, p *pg.Project, first *int32, after *string, last *int32, before *string, filter *model.PartnershipFilter, orderBy *model.PartnershipOrder) (*relay.PartnershipConnection, error) {
	args, err := loaders.PartnershipArgs(first, after, last, before, filter, orderBy)
	if err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	return nested(ctx, l.PartnershipsByProject(), l.PartnershipCountByProject(), p.ID, args)
}

func (r *queryResolver) Projects(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.NameFilter) (*relay.ProjectConnection, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	l, err := r.DB.Projects(ctx, a, search(filter), p)
	return fromList(l, err, loaders.For(ctx).RegisterProjects)
}

func (r *mutationResolver) CreateProject(ctx context.Context, in model.CreateProjectInput) (*model.ProjectPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	p, err := r.DB.CreateProject(ctx, a, pg.ProjectCreate{Name: in.Name})
	if err != nil {
		return nil, err
	}
	return &model.ProjectPayload{Project: p, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) UpdateProject(ctx context.Context, in model.UpdateProjectInput) (*model.ProjectPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.DecodeID("id", pg.TypeProject, in.ID)
	if err != nil {
		return nil, err
	}
	p, err := r.DB.UpdateProject(ctx, a, id, pg.ProjectUpdate{Name: in.Name})
	if err != nil {
		return nil, err
	}
	return &model.ProjectPayload{Project: p, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) DeleteProject(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	return r.delete(ctx, in, pg.TypeProject, r.DB.DeleteProject)
}
