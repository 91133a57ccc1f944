package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var integrationCols = []string{"id", "uuid", "organization_id", "business_id", "partner_id", "login", "password_encrypted",
	"status", "connected_at", "disconnected_at", "created_at", "updated_at"}

// passwordPurpose binds sealed passwords to this column.
const passwordPurpose = "partner_integrations.password"

func integrationSpec(a pg.Actor) listSpec[*pg.PartnerIntegration] {
	return listSpec[*pg.PartnerIntegration]{table: "partner_integrations", cols: integrationCols,
		where: []string{byPartnerVisible}, args: []any{a.OrganizationID, a.OrganizationID},
		order: byID[*pg.PartnerIntegration](), id: func(i *pg.PartnerIntegration) int64 { return i.ID }}
}

// ConnectPartnerIntegration stores a partner's credentials for a business's
// system, encrypted; connecting again replaces them, and connecting with the
// credentials it holds changes nothing. created reports whether the
// integration is new. Its event is integration.connected when the
// integration was not connected, integration.updated when it was and its
// credentials changed, and none when they did not: one connection has one
// connected event. The partner's owner connects; its partner users, who
// read the integration, may not (ErrPartnerOwnerOnly).
func (db *DB) ConnectPartnerIntegration(ctx context.Context, a pg.Actor, c pg.IntegrationConnect) (i *pg.PartnerIntegration, created bool, err error) {
	id, err := withTx(ctx, db, func(tx *Tx) (int64, error) {
		var id int64
		id, created, err = db.connectIntegration(ctx, tx, a, c)
		return id, err
	})
	if err != nil {
		return nil, false, err
	}
	i, err = db.PartnerIntegration(ctx, a, id)
	return i, created, err
}

func (db *DB) connectIntegration(ctx context.Context, tx *Tx, a pg.Actor, c pg.IntegrationConnect) (id int64, created bool, err error) {
	p, err := getPartner(ctx, tx.runner, a, c.PartnerID, true)
	if err != nil {
		return 0, false, withField(err, "partnerId")
	}
	// Authorization (the partner's owner only) before validation.
	if err := c.Validate(); err != nil {
		return 0, false, err
	}
	var cur pg.PartnerIntegration
	err = tx.get(ctx, &cur, `SELECT `+strings.Join(integrationCols, ", ")+` FROM partner_integrations WHERE partner_id = ? AND business_id = ?`+
		db.dialect.forUpdate(), p.ID, c.BusinessID)
	connected := err == nil && cur.Status == pg.IntegrationConnected
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return 0, false, err
	case connected && cur.Login == c.Login:
		if password, err := db.open(cur.PasswordEncrypted, passwordPurpose); err == nil && password == c.Password {
			return cur.ID, false, nil // connected with these credentials already
		}
	}
	sealed, err := db.seal(c.Password, passwordPurpose)
	if err != nil {
		return 0, false, pg.InternalError(err)
	}
	var row struct {
		ID        int64     `db:"id"`
		CreatedAt time.Time `db:"created_at"`
	}
	err = tx.get(ctx, &row, `INSERT INTO partner_integrations (uuid, organization_id, business_id, partner_id, login, password_encrypted,
		status, connected_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (partner_id, business_id) DO UPDATE SET login = excluded.login, password_encrypted = excluded.password_encrypted,
		status = excluded.status, connected_at = excluded.connected_at, disconnected_at = NULL, updated_at = excluded.updated_at
		RETURNING id, created_at`,
		uuid.NewString(), p.OrganizationID, c.BusinessID, p.ID, c.Login, sealed, pg.IntegrationConnected, tx.now, tx.now, tx.now)
	if pg.ErrorCode(err) == pg.BadUserInput {
		return 0, false, &pg.Error{Code: pg.NotFound, Field: "businessId", Message: "Business not found."}
	}
	if err != nil {
		return 0, false, err
	}
	// The row keeps its created_at on conflict: it is this insert's only
	// when the row is new. One a concurrent connect inserted after the
	// look-up above was connected by it.
	created = row.CreatedAt.Equal(tx.now)
	connected = connected || (!created && cur.ID == 0)
	ch := change{org: p.OrganizationID, typ: "integration.connected", resourceType: "PartnerIntegration", resourceID: row.ID,
		after: map[string]any{"databaseId": row.ID, "partnerId": p.ID, "businessId": c.BusinessID, "login": c.Login, "status": pg.IntegrationConnected}}
	if connected {
		// New credentials (the password is never in an event).
		ch.typ = "integration.updated"
		ch.before = map[string]any{"databaseId": row.ID, "partnerId": p.ID, "businessId": c.BusinessID, "login": cur.Login, "status": pg.IntegrationConnected}
	}
	return row.ID, created, tx.emit(ctx, a, ch)
}

// DisconnectPartnerIntegration marks an integration DISCONNECTED and erases
// its stored credentials; disconnecting it again changes nothing. Partner
// users, who read it, may not (ErrPartnerOwnerOnly).
func (db *DB) DisconnectPartnerIntegration(ctx context.Context, a pg.Actor, d pg.IntegrationDisconnect) (*pg.PartnerIntegration, error) {
	id, err := withTx(ctx, db, func(tx *Tx) (int64, error) { return db.disconnectIntegration(ctx, tx, a, d) })
	if err != nil {
		return nil, err
	}
	return db.PartnerIntegration(ctx, a, id)
}

func (db *DB) disconnectIntegration(ctx context.Context, tx *Tx, a pg.Actor, d pg.IntegrationDisconnect) (int64, error) {
	var cur pg.PartnerIntegration
	err := tx.get(ctx, &cur, `SELECT `+qualify("t", integrationCols)+` FROM partner_integrations t
		WHERE t.partner_id = ? AND t.business_id = ? AND `+byPartnerVisible+db.dialect.forUpdate(),
		d.PartnerID, d.BusinessID, a.OrganizationID, a.OrganizationID)
	if err != nil {
		return 0, notFound(err, "Partner integration")
	}
	if cur.OrganizationID != a.OrganizationID {
		return 0, ErrPartnerOwnerOnly
	}
	if cur.Status == pg.IntegrationDisconnected {
		return cur.ID, nil
	}
	if _, err = tx.exec(ctx, `UPDATE partner_integrations SET status = ?, password_encrypted = ?, disconnected_at = ?, updated_at = ? WHERE id = ?`,
		pg.IntegrationDisconnected, []byte{}, tx.now, tx.now, cur.ID); err != nil {
		return 0, err
	}
	return cur.ID, tx.emit(ctx, a, change{org: cur.OrganizationID, typ: "integration.disconnected", resourceType: "PartnerIntegration", resourceID: cur.ID,
		after: map[string]any{"databaseId": cur.ID, "partnerId": d.PartnerID, "businessId": d.BusinessID, "status": pg.IntegrationDisconnected}})
}

// PartnerIntegration returns an integration visible to a.
func (db *DB) PartnerIntegration(ctx context.Context, a pg.Actor, id int64) (*pg.PartnerIntegration, error) {
	var i pg.PartnerIntegration
	err := db.read().get(ctx, &i, `SELECT `+qualify("t", integrationCols)+` FROM partner_integrations t WHERE t.id = ? AND `+byPartnerVisible,
		id, a.OrganizationID, a.OrganizationID)
	return &i, notFound(err, "Partner integration")
}

// IntegrationPassword decrypts an integration's password, for the code that
// calls the business's system on the partner's behalf.
func (db *DB) IntegrationPassword(i *pg.PartnerIntegration) (string, error) {
	return db.open(i.PasswordEncrypted, passwordPurpose)
}

// PartnerIntegrations lists integrations visible to a.
func (db *DB) PartnerIntegrations(ctx context.Context, a pg.Actor, partnerID *int64, status *pg.IntegrationStatus, p pg.PageRequest) (pg.List[*pg.PartnerIntegration], error) {
	s := integrationSpec(a)
	if partnerID != nil {
		s.where, s.args = append(s.where, "t.partner_id = ?"), append(s.args, *partnerID)
	}
	if status != nil {
		s.where, s.args = append(s.where, "t.status = ?"), append(s.args, *status)
	}
	return list(ctx, db.read(), s, p)
}

// PartnerIntegrationsByPartner lists each partner's integrations at once.
func (db *DB) PartnerIntegrationsByPartner(ctx context.Context, a pg.Actor, partners []int64, p pg.PageRequest) (map[int64]pg.List[*pg.PartnerIntegration], error) {
	return listByParent(ctx, db.read(), integrationSpec(a), "partner_id", func(i *pg.PartnerIntegration) int64 { return i.PartnerID }, partners, p)
}

// CountPartnerIntegrationsByPartner counts each partner's integrations.
func (db *DB) CountPartnerIntegrationsByPartner(ctx context.Context, a pg.Actor, partners []int64) (map[int64]int, error) {
	return countByParent(ctx, db.read(), integrationSpec(a), "partner_id", partners)
}
