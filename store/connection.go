package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/google/uuid"

	pg "partnergraph"
)

var connectionCols = []string{"id", "uuid", "organization_id", "grantee_organization_id", "access", "revoked_at", "created_at", "updated_at"}

// GrantConnection lets grantee's keys act on the organization a acts on.
// Granting again to the same grantee replaces the access of the live grant;
// granting the access it has changes nothing.
func (db *DB) GrantConnection(ctx context.Context, a pg.Actor, c pg.ConnectionGrant) (*pg.Connection, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.GranteeOrganizationID == a.OrganizationID {
		return nil, pg.InvalidField("granteeOrganizationId", "An organization cannot grant a connection to itself.")
	}
	id, err := withTx(ctx, db, func(tx *Tx) (int64, error) { return grantConnection(ctx, tx, a, c) })
	if err != nil {
		return nil, err
	}
	return db.Connection(ctx, a, id)
}

func grantConnection(ctx context.Context, tx *Tx, a pg.Actor, c pg.ConnectionGrant) (int64, error) {
	var live pg.Connection
	err := tx.get(ctx, &live, `SELECT `+strings.Join(connectionCols, ", ")+` FROM connections
		WHERE organization_id = ? AND grantee_organization_id = ? AND revoked_at IS NULL`+tx.db.dialect.forUpdate(),
		a.OrganizationID, c.GranteeOrganizationID)
	id := live.ID
	switch {
	case err == nil && live.Access == c.Access:
		return id, nil
	case err == nil:
		_, err = tx.exec(ctx, `UPDATE connections SET access = ?, updated_at = ? WHERE id = ?`, c.Access, tx.now, id)
	case errors.Is(err, sql.ErrNoRows):
		id, err = tx.insert(ctx, `INSERT INTO connections (uuid, organization_id, grantee_organization_id, access, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			uuid.NewString(), a.OrganizationID, c.GranteeOrganizationID, c.Access, tx.now, tx.now)
		if pg.ErrorCode(err) == pg.BadUserInput {
			return 0, &pg.Error{Code: pg.NotFound, Field: "granteeOrganizationId", Message: "Organization not found.", Err: err}
		}
	}
	if err != nil {
		return 0, err
	}
	return id, tx.emit(ctx, a, change{org: a.OrganizationID, typ: "connection.granted", resourceType: "Connection", resourceID: id,
		after: map[string]any{"databaseId": id, "granteeOrganizationId": c.GranteeOrganizationID, "access": c.Access}})
}

// RevokeConnection ends a grant made by the organization a acts on;
// revoking it again changes nothing.
func (db *DB) RevokeConnection(ctx context.Context, a pg.Actor, id int64) (*pg.Connection, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		return revocableConnections.revoke(ctx, tx, a, id)
	})
	if err != nil {
		return nil, err
	}
	return db.Connection(ctx, a, id)
}

// revocable is a table of grants that end when revoked.
type revocable struct {
	table, what, resourceType, event string
}

var (
	revocableConnections = revocable{"connections", "Connection", "Connection", "connection.revoked"}
	revocableAPIKeys     = revocable{"api_keys", "API key", "ApiKey", "api_key.revoked"}
)

// revoke stamps revoked_at on a row owned by the organization a acts on
// and emits its event; a row revoked already is left as it is.
func (r revocable) revoke(ctx context.Context, tx *Tx, a pg.Actor, id int64) error {
	n, err := tx.exec(ctx, `UPDATE `+r.table+` SET revoked_at = ?, updated_at = ? WHERE id = ? AND organization_id = ? AND revoked_at IS NULL`,
		tx.now, tx.now, id, a.OrganizationID)
	if err != nil {
		return err
	}
	if n == 0 {
		var exists int
		if err := tx.get(ctx, &exists, `SELECT COUNT(*) FROM `+r.table+` WHERE id = ? AND organization_id = ?`, id, a.OrganizationID); err != nil {
			return err
		}
		if exists == 0 {
			return pg.NotFoundf("%s not found.", r.what)
		}
		return nil
	}
	return tx.emit(ctx, a, change{org: a.OrganizationID, typ: r.event, resourceType: r.resourceType, resourceID: id})
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
