package partnergraph

import (
	"context"
	"fmt"
	"slices"
)

// Actor is the authenticated principal of a request and the organization it
// acts on. Every store read of an organization's data and every change takes
// one and scopes its SQL to what the actor may see, the loaders' batch reads
// by id included, so no query of a request runs unscoped. The reads that come
// before there is an Actor (authentication, the organizations that headers
// name) or that serve the process itself (the event feed, webhook
// deliveries) take none.
type Actor struct {
	// OrganizationID is the organization acted on: the key's own, or the one
	// named by Target-Organization-ID when a connection allows it.
	OrganizationID int64
	// KeyOrganizationID is the organization of the API key's user.
	KeyOrganizationID int64
	UserID            int64
	APIKeyID          int64
	APIKeyPrefix      string
	Role              Role
	// Permission is what this request may do: the key's permission, capped by
	// the connection's access when acting on another organization.
	Permission Permission
}

// ErrWriteRequired refuses a change to a request whose key, or whose
// connection to the organization acted on, only reads (seed 001's 403).
var ErrWriteRequired = Errorf(Forbidden, "Write access required for this operation.")

// CanWrite reports whether the actor may change data.
func (a Actor) CanWrite() bool { return a.Permission == PermissionWrite }

// IsAdmin reports whether the actor may manage users, keys and connections of
// the organization acted on: an ADMIN of that very organization.
func (a Actor) IsAdmin() bool {
	return a.Role == RoleAdmin && a.OrganizationID == a.KeyOrganizationID
}

// AdminResourceTypes are the resources only an ADMIN of their organization
// reads (its API keys, connections and webhook endpoints), named as events
// name them.
func AdminResourceTypes() []string { return []string{TypeAPIKey, TypeConnection, TypeWebhookEndpoint} }

// MayReadEventsOf reports whether a may read the events about resources of
// resourceType: those of admin resources are for admins, as the resources
// are (their events name keys and connections and carry webhook URLs).
func (a Actor) MayReadEventsOf(resourceType string) bool {
	return a.IsAdmin() || !slices.Contains(AdminResourceTypes(), resourceType)
}

// OwnsPartnership reports whether a acts for the organization that owns p.
// Only it sets p's pipeline: tier, category, stage, assigned users, tags,
// custom fields and fallback data.
func (a Actor) OwnsPartnership(p *Partnership) bool { return a.OrganizationID == p.OrganizationID }

// CanReadPipeline reports whether a reads p's pipeline (tier, category,
// stage, assigned users, tags, custom field values, fallback data): the
// owner's alone, like setting it. Partner users, who see p through its
// partner, read it empty, as if it were unset, never as an error.
func (a Actor) CanReadPipeline(p *Partnership) bool { return a.OwnsPartnership(p) }

// ScopePipeline empties the pipeline of each partnership a may not read
// (CanReadPipeline), as every read of partnerships hands them out.
func (a Actor) ScopePipeline(ps ...*Partnership) {
	for _, p := range ps {
		if p != nil && !a.CanReadPipeline(p) {
			p.TierID, p.CategoryID, p.StageID, p.FallbackData = nil, nil, nil, FallbackData{}
		}
	}
}

// AuthorizePartnershipChange returns FORBIDDEN when a may not create,
// change or delete p setting the pipeline fields named (PipelineFields).
// Its owner may; partner users, who reach p through its partner, get what
// seed 000 gives them: the project partnerships of their partner, created
// and deleted, and their isDefault and isSupport set, never the pipeline.
func (a Actor) AuthorizePartnershipChange(p *Partnership, pipeline []string) error {
	switch {
	case a.OwnsPartnership(p):
		return nil
	case p.ProjectID == nil:
		return &Error{Code: Forbidden, Field: "projectId", Message: "Partner users manage the partnerships of projects only."}
	case len(pipeline) > 0:
		return &Error{Code: Forbidden, Field: pipeline[0], Message: fmt.Sprintf(
			"Only the organization that owns the partnership may set %s; partner users set isDefault and isSupport.", pipeline[0])}
	}
	return nil
}

type actorKey struct{}

// NewContext returns ctx carrying a.
func NewContext(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx, if the request was authenticated.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}
