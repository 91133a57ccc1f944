package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var categories = named[pg.Category]{table: "categories", what: "Category",
	cols: []string{"id", "uuid", "organization_id", "name", "created_at", "updated_at"},
	kind: kind[pg.Category]{resourceType: "Category", event: "category", id: func(c *pg.Category) int64 { return c.ID },
		org: func(c *pg.Category) int64 { return c.OrganizationID }, updatedAt: func(c *pg.Category) *time.Time { return &c.UpdatedAt }}}

// CreateCategory creates a category of the organization a acts on.
func (db *DB) CreateCategory(ctx context.Context, a pg.Actor, c pg.CategoryCreate) (*pg.Category, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var cat *pg.Category
	err := db.inTx(ctx, func(tx *Tx) error {
		cat = &pg.Category{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, Name: c.Name, CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		cat.ID, err = tx.insert(ctx, `INSERT INTO categories (uuid, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			cat.UUID, cat.OrganizationID, cat.Name, cat.CreatedAt, cat.UpdatedAt)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "category.created", resourceType: "Category", resourceID: cat.ID, after: cat})
	})
	return cat, err
}

func (db *DB) Category(ctx context.Context, a pg.Actor, id int64) (*pg.Category, error) {
	return categories.get(ctx, db.read(), a, id)
}

func (db *DB) Categories(ctx context.Context, a pg.Actor, search *string, p pg.PageRequest) (pg.List[*pg.Category], error) {
	return categories.list(ctx, db.read(), a, search, db.dialect, p)
}

// UpdateCategory renames a category.
func (db *DB) UpdateCategory(ctx context.Context, a pg.Actor, id int64, u pg.CategoryUpdate) (*pg.Category, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	return withTx(ctx, db, func(tx *Tx) (*pg.Category, error) {
		return categories.update(ctx, tx, a, id, u.Apply, "name = ?", func(c *pg.Category) []any { return []any{c.Name} })
	})
}

// DeleteCategory deletes a category; partnerships in it are left without
// one, each with its partnership.updated event.
func (db *DB) DeleteCategory(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := categories.lock(ctx, tx, a, id); err != nil {
			return err
		}
		if err := unsetReference(ctx, tx, a, "category_id", id); err != nil {
			return err
		}
		return deleteOwned(ctx, tx, "categories", "Category", a, id)
	})
}
