package resolvers

import (
	"context"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
)

type partnerIntegrationResolver struct{ *Resolver }

func (r *partnerIntegrationResolver) Business(ctx context.Context, i *pg.PartnerIntegration) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, i.BusinessID)()
}

func (r *partnerIntegrationResolver) Partner(ctx context.Context, i *pg.PartnerIntegration) (*pg.Partner, error) {
	return loaders.For(ctx).Partner().Load(ctx, i.PartnerID)()
}

func (r *queryResolver) PartnerIntegrations(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.PartnerIntegrationFilter) (*relay.PartnerIntegrationConnection, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	var partner *int64
	var status *pg.IntegrationStatus
	if filter != nil {
		if partner, err = relay.DecodeOptionalID("filter.partnerId", pg.TypePartner, filter.PartnerID); err != nil {
			return nil, err
		}
		status = filter.Status
	}
	l, err := r.DB.PartnerIntegrations(ctx, a, partner, status, p)
	return fromList(l, err, loaders.For(ctx).RegisterIntegrations)
}

// integrationTarget decodes the partner and business an integration input names.
func (r *mutationResolver) integrationTarget(ctx context.Context, partnerID, businessID string) (pg.Actor, int64, int64, error) {
	a, err := writer(ctx)
	if err != nil {
		return a, 0, 0, err
	}
	partner, err := r.partnerRef(ctx, a, "partnerId", partnerID)
	if err != nil {
		return a, 0, 0, err
	}
	business, err := r.orgRef(ctx, a, "businessId", businessID)
	return a, partner, business, err
}

func (r *mutationResolver) ConnectPartnerIntegration(ctx context.Context, in model.ConnectPartnerIntegrationInput) (*model.ConnectPartnerIntegrationPayload, error) {
	a, partner, business, err := r.integrationTarget(ctx, in.PartnerID, in.BusinessID)
	if err != nil {
		return nil, err
	}
	i, created, err := r.DB.ConnectPartnerIntegration(ctx, a, pg.IntegrationConnect{PartnerID: partner, BusinessID: business, Login: in.Login, Password: in.Password})
	if err != nil {
		return nil, err
	}
	return &model.ConnectPartnerIntegrationPayload{PartnerIntegration: i, Created: created, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) DisconnectPartnerIntegration(ctx context.Context, in model.DisconnectPartnerIntegrationInput) (*model.PartnerIntegrationPayload, error) {
	a, partner, business, err := r.integrationTarget(ctx, in.PartnerID, in.BusinessID)
	if err != nil {
		return nil, err
	}
	i, err := r.DB.DisconnectPartnerIntegration(ctx, a, pg.IntegrationDisconnect{PartnerID: partner, BusinessID: business})
	if err != nil {
		return nil, err
	}
	return &model.PartnerIntegrationPayload{PartnerIntegration: i, ClientMutationID: in.ClientMutationID}, nil
}
