package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
)

type partnerResolver struct{ *Resolver }

func (r *partnerResolver) Organization(ctx context.Context, p *pg.Partner) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, p.OrganizationID)()
}

func (r *partnerResolver) GuestOrganization(ctx context.Context, p *pg.Partner) (*pg.Organization, error) {
	if p.GuestOrganizationID == nil {
		return nil, nil
	}
	return loaders.For(ctx).Organization().Load(ctx, *p.GuestOrganizationID)()
}

func (r *partnerResolver) Partnerships(ctx context.Context, p *pg.Partner, first *int32, after *string, last *int32, before *string, filter *model.PartnershipFilter, orderBy *model.PartnershipOrder) (*relay.PartnershipConnection, error) {
	args, err := loaders.PartnershipArgs(first, after, last, before, filter, orderBy)
	if err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	return nested(ctx, l.PartnershipsByPartner(), l.PartnershipCountByPartner(), p.ID, args)
}

func (r *partnerResolver) Relationships(ctx context.Context, p *pg.Partner, first *int32, after *string, last *int32, before *string) (*relay.RelationshipConnection, error) {
	page, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	return nested(ctx, l.RelationshipsByPartner(), l.RelationshipCountByPartner(), p.ID, loaders.PageArgs{Page: page})
}

func (r *partnerResolver) Integrations(ctx context.Context, p *pg.Partner, first *int32, after *string, last *int32, before *string) (*relay.PartnerIntegrationConnection, error) {
	page, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	l := loaders.For(ctx)
	return nested(ctx, l.IntegrationsByPartner(), l.IntegrationCountByPartner(), p.ID, loaders.PageArgs{Page: page})
}

func (r *queryResolver) Partners(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *pg.PartnerFilter, orderBy *model.PartnerOrder) (*relay.PartnerConnection, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	var f pg.PartnerFilter
	if filter != nil {
		f = *filter
	}
	var o pg.Order[pg.PartnerOrderField]
	if orderBy != nil {
		o = pg.Order[pg.PartnerOrderField]{Field: orderBy.Field, Desc: orderBy.Direction == model.OrderDirectionDesc}
	}
	l, err := r.DB.Partners(ctx, a, f, o, p)
	return fromList(l, err, loaders.For(ctx).RegisterPartners)
}

func (r *queryResolver) Partner(ctx context.Context, id string) (*pg.Partner, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	dbID, err := relay.DecodeID("id", pg.TypePartner, id)
	if err != nil {
		return nil, err
	}
	return r.DB.Partner(ctx, a, dbID)
}

func (r *mutationResolver) CreatePartner(ctx context.Context, in model.CreatePartnerInput) (*model.PartnerPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	p, err := r.DB.CreatePartner(ctx, a, pg.PartnerCreate{
		CompanyName: in.CompanyName, Email: in.Email, PartnerType: in.PartnerType, SalesAmount: int64(in.SalesAmount),
		Frequency: in.Frequency, PaymentTerms: in.PaymentTerms, WebsiteURL: in.WebsiteURL,
		LogoSquareUUID: (*string)(in.LogoSquareUUID), CountryLabel: in.CountryLabel,
	})
	if err != nil {
		return nil, err
	}
	return &model.PartnerPayload{Partner: p, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) UpdatePartner(ctx context.Context, in model.UpdatePartnerInput) (*model.PartnerPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.DecodeID("id", pg.TypePartner, in.ID)
	if err != nil {
		return nil, err
	}
	u := pg.PartnerUpdate{CompanyName: in.CompanyName, Email: in.Email, PartnerType: in.PartnerType,
		Frequency: in.Frequency, PaymentTerms: in.PaymentTerms,
		WebsiteURL: optional(in.WebsiteURL), CountryLabel: optional(in.CountryLabel)}
	if in.SalesAmount != nil {
		v := int64(*in.SalesAmount)
		u.SalesAmount = &v
	}
	if v, ok := in.LogoSquareUUID.ValueOK(); ok {
		u.LogoSquareUUID = pg.Optional[string]{Set: true, Value: (*string)(v)}
	}
	p, err := r.DB.UpdatePartner(ctx, a, id, u)
	if err != nil {
		return nil, err
	}
	return &model.PartnerPayload{Partner: p, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) DeletePartner(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	return r.delete(ctx, in, pg.TypePartner, r.DB.DeletePartner)
}

func (r *mutationResolver) InvitePartner(ctx context.Context, in model.InvitePartnerInput) (*model.InvitePartnerPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.DecodeID("id", pg.TypePartner, in.ID)
	if err != nil {
		return nil, err
	}
	p, token, err := r.DB.InvitePartner(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return &model.InvitePartnerPayload{Partner: p, InvitationToken: token, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) AcceptPartnerInvitation(ctx context.Context, in model.AcceptPartnerInvitationInput) (*model.PartnerPayload, error) {
	a, err := admin(ctx, true)
	if err != nil {
		return nil, err
	}
	p, err := r.DB.AcceptPartnerInvitation(ctx, a, in.Token)
	if err != nil {
		return nil, err
	}
	return &model.PartnerPayload{Partner: p, ClientMutationID: in.ClientMutationID}, nil
}

// delete is every deleteX mutation: decode the ID, delete in the store.
func (r *mutationResolver) delete(ctx context.Context, in model.DeleteInput, typ string, del func(context.Context, pg.Actor, int64) error) (*model.DeletePayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.DecodeID("id", typ, in.ID)
	if err != nil {
		return nil, err
	}
	if err := del(ctx, a, id); err != nil {
		return nil, err
	}
	return &model.DeletePayload{DeletedID: in.ID, ClientMutationID: in.ClientMutationID}, nil
}

// optional converts gqlgen's Omittable to the domain's Optional.
func optional[T any](o graphql.Omittable[*T]) pg.Optional[T] {
	v, ok := o.ValueOK()
	return pg.Optional[T]{Set: ok, Value: v}
}
