package resolvers

import (
	"context"

	pg "partnergraph"
	"partnergraph/relay"
)

func (r *queryResolver) Node(ctx context.Context, id string) (relay.Node, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	typ, dbID, ok := pg.ParseGlobalID(id)
	if !ok {
		return nil, pg.InvalidField("id", "%q is not a valid ID.", id)
	}
	return r.node(ctx, a, typ, dbID)
}

func (r *queryResolver) Nodes(ctx context.Context, ids []string) ([]relay.Node, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if len(ids) > pg.MaxPageSize {
		return nil, pg.InvalidField("ids", "At most %d IDs at once.", pg.MaxPageSize)
	}
	out := make([]relay.Node, len(ids))
	for i, id := range ids {
		typ, dbID, ok := pg.ParseGlobalID(id)
		if !ok {
			continue
		}
		n, err := r.node(ctx, a, typ, dbID)
		if err != nil && pg.ErrorCode(err) != pg.NotFound && pg.ErrorCode(err) != pg.Forbidden {
			return nil, err
		}
		if err == nil {
			out[i] = n
		}
	}
	return out, nil
}

// node fetches an object by type and id with the same visibility as its
// root field.
func (r *queryResolver) node(ctx context.Context, a pg.Actor, typ string, id int64) (relay.Node, error) {
	switch typ {
	case pg.TypeOrganization:
		if id != a.OrganizationID && id != a.KeyOrganizationID {
			return nil, pg.NotFoundf("Organization not found.")
		}
		return r.DB.Organization(ctx, id)
	case pg.TypeUser:
		return r.DB.User(ctx, a, id)
	case pg.TypeAPIKey:
		if !a.IsAdmin() {
			return nil, pg.NotFoundf("API key not found.")
		}
		return r.DB.APIKey(ctx, a, id)
	case pg.TypeConnection:
		if !a.IsAdmin() {
			return nil, pg.NotFoundf("Connection not found.")
		}
		return r.DB.Connection(ctx, a, id)
	case pg.TypePartner:
		return r.DB.Partner(ctx, a, id)
	case pg.TypeProject:
		return r.DB.Project(ctx, a, id)
	case pg.TypePartnership:
		return r.DB.Partnership(ctx, a, id)
	case pg.TypeTier:
		return r.DB.Tier(ctx, a, id)
	case pg.TypeCategory:
		return r.DB.Category(ctx, a, id)
	case pg.TypeStage:
		return r.DB.Stage(ctx, a, id)
	case pg.TypeTag:
		return r.DB.Tag(ctx, a, id)
	case pg.TypeCustomField:
		return r.DB.CustomField(ctx, a, id)
	case pg.TypeRelationship:
		return r.DB.Relationship(ctx, a, id)
	case pg.TypePartnerIntegration:
		return r.DB.PartnerIntegration(ctx, a, id)
	case pg.TypeEvent:
		return r.DB.Event(ctx, a, id)
	case pg.TypeWebhookEndpoint:
		if !a.IsAdmin() {
			return nil, pg.NotFoundf("Webhook endpoint not found.")
		}
		return r.DB.WebhookEndpoint(ctx, a, id)
	}
	return nil, pg.NotFoundf("Object not found.")
}
