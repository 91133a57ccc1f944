package resolvers

import (
	"context"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
)

type relationshipResolver struct{ *Resolver }

func (r *relationshipResolver) Partner(ctx context.Context, rel *pg.Relationship) (*pg.Partner, error) {
	return loaders.For(ctx).Partner().Load(ctx, rel.PartnerID)()
}

func (r *relationshipResolver) Company(ctx context.Context, rel *pg.Relationship) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, rel.CompanyID)()
}

func (r *queryResolver) Relationships(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.RelationshipFilter) (*relay.RelationshipConnection, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	var partner *int64
	if filter != nil {
		if partner, err = relay.DecodeOptionalID("filter.partnerId", pg.TypePartner, filter.PartnerID); err != nil {
			return nil, err
		}
	}
	l, err := r.DB.Relationships(ctx, a, partner, p)
	return fromList(l, err, loaders.For(ctx).RegisterRelationships)
}

func (r *mutationResolver) CreateRelationship(ctx context.Context, in model.CreateRelationshipInput) (*model.RelationshipPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	partner, err := relay.DecodeID("partnerId", pg.TypePartner, in.PartnerID)
	if err != nil {
		return nil, err
	}
	company, err := r.orgRef(ctx, a, "companyId", in.CompanyID)
	if err != nil {
		return nil, err
	}
	rel, err := r.DB.CreateRelationship(ctx, a, pg.RelationshipCreate{PartnerID: partner, CompanyID: company})
	if err != nil {
		return nil, err
	}
	return &model.RelationshipPayload{Relationship: rel, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) DeleteRelationship(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	return r.delete(ctx, in, pg.TypeRelationship, r.DB.DeleteRelationship)
}
