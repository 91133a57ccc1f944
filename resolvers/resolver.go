// Package resolvers implements the GraphQL schema. Resolvers are thin: they
// authorize, decode global IDs, and call the store (root fields and
// mutations) or a loader (edges); rules live in the store and the domain.
package resolvers

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	pg "partnergraph"
	"partnergraph/feed"
	"partnergraph/graph"
	"partnergraph/relay"
	"partnergraph/store"
	"partnergraph/webhook"
)

// Resolver is the root resolver; it holds the dependencies every resolver
// shares.
type Resolver struct {
	DB     *store.DB
	Logger *slog.Logger
	// Guard vets webhook endpoint URLs.
	Guard webhook.Guard
	// Feed streams committed events to subscriptions.
	Feed *feed.Broker
}

// NewSchema returns the executable schema with r's resolvers: the one
// place the GraphQL API is assembled. Its field resolvers expect each
// operation to carry its actor and loaders (loaders.Extension).
func NewSchema(r *Resolver) graphql.ExecutableSchema {
	return graph.NewExecutableSchema(graph.Config{Resolvers: r})
}

func (r *Resolver) Query() graph.QueryResolver               { return &queryResolver{r} }
func (r *Resolver) Mutation() graph.MutationResolver         { return &mutationResolver{r} }
func (r *Resolver) Viewer() graph.ViewerResolver             { return &viewerResolver{r} }
func (r *Resolver) User() graph.UserResolver                 { return &userResolver{r} }
func (r *Resolver) ApiKey() graph.ApiKeyResolver             { return &apiKeyResolver{r} }
func (r *Resolver) Connection() graph.ConnectionResolver     { return &connectionResolver{r} }
func (r *Resolver) Partner() graph.PartnerResolver           { return &partnerResolver{r} }
func (r *Resolver) Project() graph.ProjectResolver           { return &projectResolver{r} }
func (r *Resolver) Partnership() graph.PartnershipResolver   { return &partnershipResolver{r} }
func (r *Resolver) Stage() graph.StageResolver               { return &stageResolver{r} }
func (r *Resolver) CustomField() graph.CustomFieldResolver   { return &customFieldResolver{r} }
func (r *Resolver) Relationship() graph.RelationshipResolver { return &relationshipResolver{r} }
func (r *Resolver) PartnerIntegration() graph.PartnerIntegrationResolver {
	return &partnerIntegrationResolver{r}
}

type queryResolver struct{ *Resolver }
type mutationResolver struct{ *Resolver }

// ErrWriteRequired is seed 001's 403, the domain's one refusal of a change
// to a key that only reads.
var ErrWriteRequired = pg.ErrWriteRequired

// ErrAdminRequired refuses management operations to MEMBERs and to keys
// acting on another organization.
var ErrAdminRequired = pg.Errorf(pg.Forbidden, "An ADMIN of the organization is required for this operation.")

// reader returns the request's actor; the HTTP layer refuses requests
// without one, so its absence here is a wiring fault.
func reader(ctx context.Context) (pg.Actor, error) {
	a, ok := pg.ActorFrom(ctx)
	if !ok {
		return a, pg.Errorf(pg.Unauthenticated, "Invalid API key.")
	}
	return a, nil
}

// writer returns the actor of a request that may change data.
func writer(ctx context.Context) (pg.Actor, error) {
	a, err := reader(ctx)
	if err == nil && !a.CanWrite() {
		err = ErrWriteRequired
	}
	return a, err
}

// admin returns the actor of a request that may manage the organization.
func admin(ctx context.Context, write bool) (pg.Actor, error) {
	get := reader
	if write {
		get = writer
	}
	a, err := get(ctx)
	if err == nil && !a.IsAdmin() {
		err = ErrAdminRequired
	}
	return a, err
}

// orgRef resolves an input naming another organization by UUID (as seed
// 004's headers do: any organization), or by global ID: one a already
// knows, as ids are a counter anyone could walk.
func (r *Resolver) orgRef(ctx context.Context, a pg.Actor, field, ref string) (int64, error) {
	if typ, id, ok := pg.ParseGlobalID(ref); ok && typ == pg.TypeOrganization {
		if _, err := r.DB.KnownOrganization(ctx, a, id); err != nil {
			return 0, withField(err, field)
		}
		return id, nil
	}
	if _, err := uuid.Parse(ref); err != nil {
		return 0, pg.InvalidField(field, "%s must be an organization UUID or ID.", field)
	}
	o, err := r.DB.OrganizationByUUID(ctx, ref)
	if err != nil {
		return 0, withField(err, field)
	}
	return o.ID, nil
}

// partnerRef resolves an input naming a partner by global ID or by UUID
// (seed 003 and 004 clients know partners by UUID).
func (r *Resolver) partnerRef(ctx context.Context, a pg.Actor, field, ref string) (int64, error) {
	if _, err := uuid.Parse(ref); err != nil {
		return relay.DecodeID(field, pg.TypePartner, ref)
	}
	p, err := r.DB.PartnerByUUID(ctx, a, ref)
	if err != nil {
		return 0, withField(err, field)
	}
	return p.ID, nil
}

func withField(err error, field string) error {
	if e, ok := err.(*pg.Error); ok && e.Field == "" {
		c := *e
		c.Field = field
		return &c
	}
	return err
}

func deref[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}

func itoa(i int) string { return strconv.Itoa(i) }

func (r *Resolver) Event() graph.EventResolver { return &eventResolver{r} }
func (r *Resolver) WebhookEndpoint() graph.WebhookEndpointResolver {
	return &webhookEndpointResolver{r}
}
func (r *Resolver) WebhookAttempt() graph.WebhookAttemptResolver { return &webhookAttemptResolver{r} }
