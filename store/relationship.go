package store

import (
	"context"

	"github.com/google/uuid"

	pg "partnergraph"
)

var relationshipCols = []string{"id", "uuid", "organization_id", "partner_id", "company_id", "created_at", "updated_at"}

// byPartnerVisible is who sees records hanging off a partner: the partner's
// owner and its partner users.
const byPartnerVisible = "(t.organization_id = ? OR t.partner_id IN (SELECT id FROM partners WHERE guest_organization_id = ?))"

func relationshipSpec(a pg.Actor) listSpec[*pg.Relationship] {
	return listSpec[*pg.Relationship]{table: "relationships", cols: relationshipCols,
		where: []string{byPartnerVisible}, args: []any{a.OrganizationID, a.OrganizationID},
		order: byID[*pg.Relationship](), id: func(r *pg.Relationship) int64 { return r.ID }}
}

// CreateRelationship records that company formed a relationship with a
// partner owned by the organization a acts on.
func (db *DB) CreateRelationship(ctx context.Context, a pg.Actor, c pg.RelationshipCreate) (*pg.Relationship, error) {
	var r *pg.Relationship
	err := db.inTx(ctx, func(tx *Tx) error {
		p, err := getPartner(ctx, tx.runner, a, c.PartnerID, true)
		if err != nil {
			return withField(err, "partnerId")
		}
		r = &pg.Relationship{UUID: uuid.NewString(), OrganizationID: p.OrganizationID, PartnerID: p.ID, CompanyID: c.CompanyID,
			CreatedAt: tx.now, UpdatedAt: tx.now}
		r.ID, err = tx.insert(ctx, `INSERT INTO relationships (uuid, organization_id, partner_id, company_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.UUID, r.OrganizationID, r.PartnerID, r.CompanyID, r.CreatedAt, r.UpdatedAt)
		switch pg.ErrorCode(err) {
		case pg.Conflict:
			return &pg.Error{Code: pg.Conflict, Field: "companyId", Message: "The company already has a relationship with this partner."}
		case pg.BadUserInput:
			return &pg.Error{Code: pg.NotFound, Field: "companyId", Message: "Company not found."}
		}
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: r.OrganizationID, typ: "relationship.created", resourceType: "Relationship", resourceID: r.ID, after: r})
	})
	return r, err
}

// Relationship returns a relationship visible to a.
func (db *DB) Relationship(ctx context.Context, a pg.Actor, id int64) (*pg.Relationship, error) {
	var r pg.Relationship
	err := db.read().get(ctx, &r, `SELECT `+qualify("t", relationshipCols)+` FROM relationships t WHERE t.id = ? AND `+byPartnerVisible,
		id, a.OrganizationID, a.OrganizationID)
	return &r, notFound(err, "Relationship")
}

// Relationships lists relationships visible to a, of one partner when given.
func (db *DB) Relationships(ctx context.Context, a pg.Actor, partnerID *int64, p pg.PageRequest) (pg.List[*pg.Relationship], error) {
	s := relationshipSpec(a)
	if partnerID != nil {
		s.where, s.args = append(s.where, "t.partner_id = ?"), append(s.args, *partnerID)
	}
	return list(ctx, db.read(), s, p)
}

// RelationshipsByPartner lists each partner's relationships at once.
func (db *DB) RelationshipsByPartner(ctx context.Context, a pg.Actor, partners []int64, p pg.PageRequest) (map[int64]pg.List[*pg.Relationship], error) {
	return listByParent(ctx, db.read(), relationshipSpec(a), "partner_id", func(r *pg.Relationship) int64 { return r.PartnerID }, partners, p)
}

// CountRelationshipsByPartner counts each partner's relationships.
func (db *DB) CountRelationshipsByPartner(ctx context.Context, a pg.Actor, partners []int64) (map[int64]int, error) {
	return countByParent(ctx, db.read(), relationshipSpec(a), "partner_id", partners)
}

// DeleteRelationship deletes a relationship owned by the organization a
// acts on; partner users, who read it, may not (ErrPartnerOwnerOnly).
func (db *DB) DeleteRelationship(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var org int64
		err := tx.get(ctx, &org, `SELECT t.organization_id FROM relationships t WHERE t.id = ? AND `+byPartnerVisible, id, a.OrganizationID, a.OrganizationID)
		if err != nil {
			return notFound(err, "Relationship")
		}
		if org != a.OrganizationID {
			return ErrPartnerOwnerOnly
		}
		return deleteOwned(ctx, tx, "relationships", "Relationship", a, id)
	})
}
