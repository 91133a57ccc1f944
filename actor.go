package partnergraph

import "context"

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

// CanWrite reports whether the actor may change data.
func (a Actor) CanWrite() bool { return a.Permission == PermissionWrite }

// IsAdmin reports whether the actor may manage users, keys and connections of
// the organization acted on: an ADMIN of that very organization.
func (a Actor) IsAdmin() bool {
	return a.Role == RoleAdmin && a.OrganizationID == a.KeyOrganizationID
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
