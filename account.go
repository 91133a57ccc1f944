package partnergraph

import "time"

// UserCreate is a new user of an organization.
type UserCreate struct {
	Name  string
	Email string
	Role  Role
}

// Validate checks every field, reporting every one at fault (Error.Fields).
func (c UserCreate) Validate() error {
	var role error
	if c.Role != RoleAdmin && c.Role != RoleMember {
		role = badField("role", ReasonInvalidChoice, nil, "role must be ADMIN or MEMBER.")
	}
	return allFields(validName("name", c.Name), validEmail("email", c.Email), role)
}

// APIKeyCreate is a new API key of a user. ExpiresAt, when set, must be in
// the future (the store checks it against its clock).
type APIKeyCreate struct {
	UserID     int64
	Name       string
	Permission Permission
	ExpiresAt  *time.Time
}

// Validate checks the name and the permission.
func (c APIKeyCreate) Validate() error {
	if err := validName("name", c.Name); err != nil {
		return err
	}
	return validPermission("permission", c.Permission)
}

// ConnectionGrant lets another organization's keys act on the granting
// organization (seed 004's Target-Organization-ID) with Access.
type ConnectionGrant struct {
	GranteeOrganizationID int64
	Access                Permission
}

// Validate checks the access.
func (c ConnectionGrant) Validate() error { return validPermission("access", c.Access) }

func validPermission(field string, p Permission) error {
	if p != PermissionRead && p != PermissionWrite {
		return InvalidField(field, "%s must be READ or WRITE.", field)
	}
	return nil
}
