// Package auth turns a request's credentials into the Actor it acts as:
// the API key in Authorization, and seed 004's Requester-Organization-ID and
// Target-Organization-ID headers, applied to every transport alike.
package auth

import (
	"context"
	"net/http"
	"strings"

	"github.com/google/uuid"

	pg "partnergraph"
)

// Header names of seed 004's cross-organization model.
const (
	RequesterHeader = "Requester-Organization-ID"
	TargetHeader    = "Target-Organization-ID"
)

// Credentials are what a request presents.
type Credentials struct {
	// Authorization is the header's whole value ("Bearer <key>").
	Authorization string
	Requester     string
	Target        string
}

// FromRequest reads a request's credentials.
func FromRequest(r *http.Request) Credentials {
	return Credentials{
		Authorization: r.Header.Get("Authorization"),
		Requester:     strings.TrimSpace(r.Header.Get(RequesterHeader)),
		Target:        strings.TrimSpace(r.Header.Get(TargetHeader)),
	}
}

// Directory is what authentication reads: API keys, organizations and the
// connections between them (store.DB implements it).
type Directory interface {
	// Authenticate returns the live key of secret and its user, or
	// UNAUTHENTICATED.
	Authenticate(ctx context.Context, secret string) (*pg.APIKey, *pg.User, error)
	Organization(ctx context.Context, id int64) (*pg.Organization, error)
	// OrganizationByUUID returns NOT_FOUND for an unknown UUID.
	OrganizationByUUID(ctx context.Context, uuid string) (*pg.Organization, error)
	// ConnectionAccess is the access grantor gives grantee, FORBIDDEN when
	// no live connection exists.
	ConnectionAccess(ctx context.Context, grantor, grantee int64) (pg.Permission, error)
}

// Authenticator resolves credentials against a Directory.
type Authenticator struct {
	Directory Directory
}

// ErrUnauthenticated is every failure to identify the caller: the response
// does not say whether a key exists.
var ErrUnauthenticated = pg.Errorf(pg.Unauthenticated, "Invalid API key.")

// Actor returns who c acts as. A missing, unknown, revoked or expired key is
// UNAUTHENTICATED; a requester that is not the key's organization, or a
// target without a live connection, is FORBIDDEN.
func (au Authenticator) Actor(ctx context.Context, c Credentials) (pg.Actor, error) {
	scheme, secret, ok := strings.Cut(strings.TrimSpace(c.Authorization), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return pg.Actor{}, ErrUnauthenticated
	}
	key, user, err := au.Directory.Authenticate(ctx, strings.TrimSpace(secret))
	if err != nil {
		return pg.Actor{}, err
	}
	a := pg.Actor{
		OrganizationID: key.OrganizationID, KeyOrganizationID: key.OrganizationID,
		UserID: key.UserID, APIKeyID: key.ID, APIKeyPrefix: key.Prefix, Role: user.Role, Permission: key.Permission,
	}
	if c.Requester == "" && c.Target == "" {
		return a, nil
	}
	own, err := au.Directory.Organization(ctx, key.OrganizationID)
	if err != nil {
		return pg.Actor{}, err
	}
	if c.Requester != "" {
		if _, err := uuid.Parse(c.Requester); err != nil {
			return pg.Actor{}, pg.InvalidField(RequesterHeader, "%s must be a UUID.", RequesterHeader)
		}
		if !strings.EqualFold(c.Requester, own.UUID) {
			return pg.Actor{}, &pg.Error{Code: pg.Forbidden, Field: RequesterHeader,
				Message: RequesterHeader + " is not the organization of the API key."}
		}
	}
	if c.Target == "" || strings.EqualFold(c.Target, own.UUID) {
		return a, nil
	}
	if _, err := uuid.Parse(c.Target); err != nil {
		return pg.Actor{}, pg.InvalidField(TargetHeader, "%s must be a UUID.", TargetHeader)
	}
	noAccess := &pg.Error{Code: pg.Forbidden, Field: TargetHeader, Message: "No connection grants access to the target organization."}
	target, err := au.Directory.OrganizationByUUID(ctx, c.Target)
	if err != nil {
		if pg.ErrorCode(err) == pg.NotFound {
			// An unknown organization looks exactly like one without a connection.
			return pg.Actor{}, noAccess
		}
		return pg.Actor{}, err
	}
	access, err := au.Directory.ConnectionAccess(ctx, target.ID, key.OrganizationID)
	if err != nil {
		if pg.ErrorCode(err) == pg.Forbidden {
			return pg.Actor{}, noAccess
		}
		return pg.Actor{}, err
	}
	a.OrganizationID = target.ID
	if access == pg.PermissionRead {
		// A connection caps what the key may do on the target's data.
		a.Permission = pg.PermissionRead
	}
	return a, nil
}

type credentialsKey struct{}

// WithCredentials returns ctx carrying c, for the operation to authenticate.
func WithCredentials(ctx context.Context, c Credentials) context.Context {
	return context.WithValue(ctx, credentialsKey{}, c)
}

// CredentialsFrom returns the credentials ctx carries.
func CredentialsFrom(ctx context.Context) (Credentials, bool) {
	c, ok := ctx.Value(credentialsKey{}).(Credentials)
	return c, ok
}
