package resolvers

import (
	"context"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
)

type userResolver struct{ *Resolver }
type apiKeyResolver struct{ *Resolver }
type connectionResolver struct{ *Resolver }
type viewerResolver struct{ *Resolver }

func (r *userResolver) Organization(ctx context.Context, u *pg.User) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, u.OrganizationID)()
}

func (r *apiKeyResolver) User(ctx context.Context, k *pg.APIKey) (*pg.User, error) {
	return loaders.For(ctx).User().Load(ctx, k.UserID)()
}

func (r *connectionResolver) Grantor(ctx context.Context, c *pg.Connection) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, c.OrganizationID)()
}

func (r *connectionResolver) Grantee(ctx context.Context, c *pg.Connection) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, c.GranteeOrganizationID)()
}

func (r *queryResolver) Viewer(ctx context.Context) (*pg.Actor, error) {
	a, err := reader(ctx)
	return &a, err
}

func (r *viewerResolver) User(ctx context.Context, a *pg.Actor) (*pg.User, error) {
	return loaders.For(ctx).User().Load(ctx, a.UserID)()
}

func (r *viewerResolver) Organization(ctx context.Context, a *pg.Actor) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, a.KeyOrganizationID)()
}

func (r *viewerResolver) ActingOrganization(ctx context.Context, a *pg.Actor) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, a.OrganizationID)()
}

func (r *viewerResolver) APIKey(ctx context.Context, a *pg.Actor) (*pg.APIKey, error) {
	// The key's own organization owns it, whichever organization is acted on.
	return r.DB.APIKey(ctx, pg.Actor{OrganizationID: a.KeyOrganizationID}, a.APIKeyID)
}

func (r *viewerResolver) Partners(ctx context.Context, a *pg.Actor) ([]*pg.Partner, error) {
	return r.DB.GuestPartners(ctx, *a)
}

func (r *queryResolver) Organization(ctx context.Context) (*pg.Organization, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	return loaders.For(ctx).Organization().Load(ctx, a.OrganizationID)()
}

func (r *queryResolver) Users(ctx context.Context, first *int32, after *string, last *int32, before *string) (*relay.UserConnection, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	l, err := r.DB.Users(ctx, a, p)
	return fromList(l, err, nil)
}

func (r *queryResolver) APIKeys(ctx context.Context, first *int32, after *string, last *int32, before *string) (*relay.APIKeyConnection, error) {
	a, err := admin(ctx, false)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	l, err := r.DB.APIKeys(ctx, a, p)
	return relay.FromList(l), err
}

func (r *queryResolver) Connections(ctx context.Context, first *int32, after *string, last *int32, before *string) (*relay.ConnectionConnection, error) {
	a, err := admin(ctx, false)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	l, err := r.DB.Connections(ctx, a, p)
	return relay.FromList(l), err
}

func (r *mutationResolver) CreateUser(ctx context.Context, in model.CreateUserInput) (*model.UserPayload, error) {
	a, err := admin(ctx, true)
	if err != nil {
		return nil, err
	}
	u, err := r.DB.CreateUser(ctx, a, pg.UserCreate{Name: in.Name, Email: in.Email, Role: in.Role})
	if err != nil {
		return nil, err
	}
	return &model.UserPayload{User: u, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) CreateAPIKey(ctx context.Context, in model.CreateAPIKeyInput) (*model.CreateAPIKeyPayload, error) {
	a, err := admin(ctx, true)
	if err != nil {
		return nil, err
	}
	c := pg.APIKeyCreate{UserID: a.UserID, Name: in.Name, Permission: in.Permission, ExpiresAt: in.ExpiresAt}
	if in.UserID != nil {
		if c.UserID, err = relay.DecodeID("userId", pg.TypeUser, *in.UserID); err != nil {
			return nil, err
		}
	}
	k, secret, err := r.DB.CreateAPIKey(ctx, a, c)
	if err != nil {
		return nil, err
	}
	return &model.CreateAPIKeyPayload{APIKey: k, Secret: secret, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) RevokeAPIKey(ctx context.Context, in model.RevokeAPIKeyInput) (*model.APIKeyPayload, error) {
	a, err := admin(ctx, true)
	if err != nil {
		return nil, err
	}
	id, err := relay.DecodeID("id", pg.TypeAPIKey, in.ID)
	if err != nil {
		return nil, err
	}
	k, err := r.DB.RevokeAPIKey(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return &model.APIKeyPayload{APIKey: k, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) GrantConnection(ctx context.Context, in model.GrantConnectionInput) (*model.ConnectionPayload, error) {
	a, err := admin(ctx, true)
	if err != nil {
		return nil, err
	}
	grantee, err := r.orgRef(ctx, a, "granteeOrganizationId", in.GranteeOrganizationID)
	if err != nil {
		return nil, err
	}
	c, err := r.DB.GrantConnection(ctx, a, pg.ConnectionGrant{GranteeOrganizationID: grantee, Access: in.Access})
	if err != nil {
		return nil, err
	}
	return &model.ConnectionPayload{Connection: c, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) RevokeConnection(ctx context.Context, in model.RevokeConnectionInput) (*model.ConnectionPayload, error) {
	a, err := admin(ctx, true)
	if err != nil {
		return nil, err
	}
	id, err := relay.DecodeID("id", pg.TypeConnection, in.ID)
	if err != nil {
		return nil, err
	}
	c, err := r.DB.RevokeConnection(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return &model.ConnectionPayload{Connection: c, ClientMutationID: in.ClientMutationID}, nil
}
