package store

import (
	"context"
	"strings"

	"github.com/google/uuid"

	pg "partnergraph"
)

var connectionCols = []string{"id", "uuid", "organization_id", "grantee_organization_id", "access", "revoked_at", "created_at", "updated_at"}

// GrantConnection lets grantee's keys act on the organization a acts on.
// Granting again to the same grantee replaces the access of the live grant.
func (db *DB) GrantConnection(ctx context.Context, a pg.Actor, c pg.ConnectionGrant) (*pg.Connection, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	grantee, access := c.GranteeOrganizationID, c.Access
	if grantee == a.OrganizationID {
		return nil, pg.InvalidField("granteeOrganizationId", "An organization cannot grant a connection to itself.")
	}
	var id int64
	err := db.inTx(ctx, func(tx *Tx) error {
		err := tx.get(ctx, &id, `SELECT id FROM connections WHERE organization_id = ? AND grantee_organization_id = ? AND revoked_at IS NULL`,
			a.OrganizationID, grantee)
		if err == nil {
			if _, err = tx.exec(ctx, `UPDATE connections SET access = ?, updated_at = ? WHERE id = ?`, access, tx.now, id); err != nil {
				return err
			}
			return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "connection.granted", resourceType: "Connection", resourceID: id,
				after: map[string]any{"databaseId": id, "granteeOrganizationId": grantee, "access": access}})
		}
		if notFound(err, "") == err {
			return err
		}
		id, err = tx.insert(ctx, `INSERT INTO connections (uuid, organization_id, grantee_organization_id, access, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			uuid.NewString(), a.OrganizationID, grantee, access, tx.now, tx.now)
		if pg.ErrorCode(err) == pg.BadUserInput {
			return &pg.Error{Code: pg.NotFound, Field: "granteeOrganizationId", Message: "Organization not found.", Err: err}
		}
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "connection.granted", resourceType: "Connection", resourceID: id,
			after: map[string]any{"databaseId": id, "granteeOrganizationId": grantee, "access": access}})
	})
	if err != nil {
		return nil, err
	}
	return db.Connection(ctx, a, id)
}

// RevokeConnection ends a grant made by the organization a acts on.
func (db *DB) RevokeConnection(ctx context.Context, a pg.Actor, id int64) (*pg.Connection, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		n, err := tx.exec(ctx, `UPDATE connections SET revoked_at = COALESCE(revoked_at, ?), updated_at = ? WHERE id = ? AND organization_id = ?`,
			tx.now, tx.now, id, a.OrganizationID)
		if err == nil && n == 0 {
			return pg.NotFoundf("Connection not found.")
		}
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "connection.revoked", resourceType: "Connection", resourceID: id})
	})
	if err != nil {
		return nil, err
	}
	return db.Connection(ctx, a, id)
}

// Connection returns a connection granted by or to the organization a acts on.
func (db *DB) Connection(ctx context.Context, a pg.Actor, id int64) (*pg.Connection, error) {
	var c pg.Connection
	err := db.read().get(ctx, &c, `SELECT `+strings.Join(connectionCols, ", ")+` FROM connections
		WHERE id = ? AND (organization_id = ? OR grantee_organization_id = ?)`, id, a.OrganizationID, a.OrganizationID)
	return &c, notFound(err, "Connection")
}

// Connections lists connections granted by or to the organization a acts on.
func (db *DB) Connections(ctx context.Context, a pg.Actor, p pg.PageRequest) (pg.List[*pg.Connection], error) {
	return list(ctx, db.read(), listSpec[*pg.Connection]{
		table: "connections", cols: connectionCols,
		where: []string{"(t.organization_id = ? OR t.grantee_organization_id = ?)"}, args: []any{a.OrganizationID, a.OrganizationID},
		order: byID[*pg.Connection](), id: func(c *pg.Connection) int64 { return c.ID },
	}, p)
}

// ConnectionAccess returns the access grantor has granted grantee, or
// FORBIDDEN when there is no live connection.
func (db *DB) ConnectionAccess(ctx context.Context, grantor, grantee int64) (pg.Permission, error) {
	var access pg.Permission
	err := db.read().get(ctx, &access, `SELECT access FROM connections WHERE organization_id = ? AND grantee_organization_id = ? AND revoked_at IS NULL
		ORDER BY id DESC LIMIT 1`, grantor, grantee)
	if notFound(err, "") != err {
		return "", pg.Errorf(pg.Forbidden, "No connection with the target organization.")
	}
	return access, err
}
