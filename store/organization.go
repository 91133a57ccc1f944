package store

import (
	"context"
	"strings"

	"github.com/google/uuid"

	pg "partnergraph"
)

var organizationCols = []string{"id", "uuid", "name", "created_at", "updated_at"}

var userCols = []string{"id", "uuid", "organization_id", "name", "email", "role", "created_at", "updated_at"}

// CreateOrganization creates an organization (bootstrap and demo data only:
// organizations are not created through the API).
func (db *DB) CreateOrganization(ctx context.Context, name string) (*pg.Organization, error) {
	if err := pg.ValidateName("name", name); err != nil {
		return nil, err
	}
	var o *pg.Organization
	err := db.inTx(ctx, func(tx *Tx) error {
		o = &pg.Organization{UUID: uuid.NewString(), Name: name, CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		o.ID, err = tx.insert(ctx, `INSERT INTO organizations (uuid, name, created_at, updated_at) VALUES (?, ?, ?, ?)`,
			o.UUID, o.Name, o.CreatedAt, o.UpdatedAt)
		return err
	})
	return o, err
}

// Organization returns an organization by id. Organizations' names are public
// to every caller (seed 002 lists company names), so this is not scoped.
func (db *DB) Organization(ctx context.Context, id int64) (*pg.Organization, error) {
	var o pg.Organization
	err := db.read().get(ctx, &o, `SELECT `+strings.Join(organizationCols, ", ")+` FROM organizations WHERE id = ?`, id)
	return &o, notFound(err, "Organization")
}

// KnownOrganization returns an organization by id among those a already
// knows (organizationScope: its own, and those its records name). Ids are
// a counter: an input naming a stranger by one would let a caller list every
// tenant, so a stranger is not found, exactly as a missing one is; a new
// organization is named by its UUID (OrganizationByUUID).
func (db *DB) KnownOrganization(ctx context.Context, a pg.Actor, id int64) (*pg.Organization, error) {
	var o pg.Organization
	scope := organizationScope(a)
	err := db.read().get(ctx, &o, `SELECT `+qualify("t", organizationCols)+` FROM organizations t WHERE t.id = ? AND `+scope.sql,
		append([]any{id}, scope.args...)...)
	return &o, notFound(err, "Organization")
}

// OrganizationByUUID returns an organization by its UUID, in any case.
func (db *DB) OrganizationByUUID(ctx context.Context, id string) (*pg.Organization, error) {
	var o pg.Organization
	err := db.read().get(ctx, &o, `SELECT `+strings.Join(organizationCols, ", ")+` FROM organizations WHERE uuid = ?`, canonicalUUID(id))
	return &o, notFound(err, "Organization")
}

// CreateUser adds a user to the organization a acts on.
func (db *DB) CreateUser(ctx context.Context, a pg.Actor, c pg.UserCreate) (*pg.User, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var u *pg.User
	err := db.inTx(ctx, func(tx *Tx) error {
		u = &pg.User{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, Name: c.Name, Email: c.Email, Role: c.Role, CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		u.ID, err = tx.insert(ctx, `INSERT INTO users (uuid, organization_id, name, email, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.UUID, u.OrganizationID, u.Name, u.Email, u.Role, u.CreatedAt, u.UpdatedAt)
		if pg.ErrorCode(err) == pg.Conflict {
			return &pg.Error{Code: pg.Conflict, Field: "email", Message: "A user with this email already exists.", Err: err}
		}
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "user.created", resourceType: "User", resourceID: u.ID, after: u})
	})
	return u, err
}

// User returns a user of the organization a acts on.
func (db *DB) User(ctx context.Context, a pg.Actor, id int64) (*pg.User, error) {
	var u pg.User
	err := db.read().get(ctx, &u, `SELECT `+strings.Join(userCols, ", ")+` FROM users WHERE id = ? AND organization_id = ?`, id, a.OrganizationID)
	return &u, notFound(err, "User")
}

// Users lists the users of the organization a acts on.
func (db *DB) Users(ctx context.Context, a pg.Actor, p pg.PageRequest) (pg.List[*pg.User], error) {
	return list(ctx, db.read(), listSpec[*pg.User]{
		table: "users", cols: userCols, where: []string{"t.organization_id = ?"}, args: []any{a.OrganizationID},
		order: byID[*pg.User](), id: func(u *pg.User) int64 { return u.ID },
	}, p)
}

// OrganizationByName returns the first organization with name.
func (db *DB) OrganizationByName(ctx context.Context, name string) (*pg.Organization, error) {
	var o pg.Organization
	err := db.read().get(ctx, &o, `SELECT `+strings.Join(organizationCols, ", ")+` FROM organizations WHERE name = ? ORDER BY id LIMIT 1`, name)
	return &o, notFound(err, "Organization")
}

// CountOrganizations counts the organizations in the database.
func (db *DB) CountOrganizations(ctx context.Context) (int, error) {
	var n int
	err := db.read().get(ctx, &n, `SELECT COUNT(*) FROM organizations`)
	return n, err
}

// FirstAdmin returns the earliest ADMIN of an organization.
func (db *DB) FirstAdmin(ctx context.Context, org int64) (*pg.User, error) {
	var u pg.User
	err := db.read().get(ctx, &u, `SELECT `+strings.Join(userCols, ", ")+` FROM users WHERE organization_id = ? AND role = ? ORDER BY id LIMIT 1`, org, pg.RoleAdmin)
	return &u, notFound(err, "User")
}
