package store

import (
	"context"

	"github.com/google/uuid"

	pg "partnergraph"
)

var tiers = named[pg.Tier]{table: "tiers", what: "Tier",
	cols: []string{"id", "uuid", "organization_id", "name", "rank", "created_at", "updated_at"},
	id:   func(t *pg.Tier) int64 { return t.ID }}

// CreateTier creates a tier of the organization a acts on.
func (db *DB) CreateTier(ctx context.Context, a pg.Actor, name string, rank int32) (*pg.Tier, error) {
	if err := pg.ValidateName("name", name); err != nil {
		return nil, err
	}
	var t *pg.Tier
	err := db.inTx(ctx, func(tx *Tx) error {
		t = &pg.Tier{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, Name: name, Rank: rank, CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		t.ID, err = tx.insert(ctx, `INSERT INTO tiers (uuid, organization_id, name, rank, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.UUID, t.OrganizationID, t.Name, t.Rank, t.CreatedAt, t.UpdatedAt)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "tier.created", resourceType: "Tier", resourceID: t.ID, after: t})
	})
	return t, err
}

func (db *DB) Tier(ctx context.Context, a pg.Actor, id int64) (*pg.Tier, error) {
	return tiers.get(ctx, db.read(), a, id)
}

func (db *DB) Tiers(ctx context.Context, a pg.Actor, search *string, p pg.PageRequest) (pg.List[*pg.Tier], error) {
	return tiers.list(ctx, db.read(), a, search, db.dialect, p)
}

// UpdateTier changes a tier's name or rank.
func (db *DB) UpdateTier(ctx context.Context, a pg.Actor, id int64, name *string, rank *int32) (*pg.Tier, error) {
	var t *pg.Tier
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if t, err = tiers.get(ctx, tx.runner, a, id); err != nil {
			return err
		}
		before := *t
		if name != nil {
			if err := pg.ValidateName("name", *name); err != nil {
				return err
			}
			t.Name = *name
		}
		if rank != nil {
			t.Rank = *rank
		}
		t.UpdatedAt = tx.now
		_, err = tx.exec(ctx, `UPDATE tiers SET name = ?, rank = ?, updated_at = ? WHERE id = ?`, t.Name, t.Rank, t.UpdatedAt, t.ID)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "tier.updated", resourceType: "Tier", resourceID: t.ID, after: t, before: &before})
	})
	return t, err
}

// DeleteTier deletes a tier; partnerships in it are left without one.
func (db *DB) DeleteTier(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error { return deleteOwned(ctx, tx, "tiers", "Tier", a, id) })
}
