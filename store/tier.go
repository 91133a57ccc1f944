package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var tiers = named[pg.Tier]{table: "tiers", what: "Tier",
	cols: []string{"id", "uuid", "organization_id", "name", "rank", "created_at", "updated_at"},
	kind: kind[pg.Tier]{resourceType: "Tier", event: "tier", id: func(t *pg.Tier) int64 { return t.ID },
		org: func(t *pg.Tier) int64 { return t.OrganizationID }, updatedAt: func(t *pg.Tier) *time.Time { return &t.UpdatedAt }}}

// CreateTier creates a tier of the organization a acts on.
func (db *DB) CreateTier(ctx context.Context, a pg.Actor, c pg.TierCreate) (*pg.Tier, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var t *pg.Tier
	err := db.inTx(ctx, func(tx *Tx) error {
		t = &pg.Tier{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, Name: c.Name, Rank: c.Rank, CreatedAt: tx.now, UpdatedAt: tx.now}
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
func (db *DB) UpdateTier(ctx context.Context, a pg.Actor, id int64, u pg.TierUpdate) (*pg.Tier, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	return withTx(ctx, db, func(tx *Tx) (*pg.Tier, error) {
		return tiers.update(ctx, tx, a, id, u.Apply, "name = ?, rank = ?", func(t *pg.Tier) []any { return []any{t.Name, t.Rank} })
	})
}

// DeleteTier deletes a tier; partnerships in it are left without one,
// each with its partnership.updated event.
func (db *DB) DeleteTier(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tiers.lock(ctx, tx, a, id); err != nil {
			return err
		}
		if err := unsetReference(ctx, tx, a, "tier_id", id); err != nil {
			return err
		}
		return deleteOwned(ctx, tx, "tiers", "Tier", a, id)
	})
}
