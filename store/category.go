package store

import (
	"context"

	"github.com/google/uuid"

	pg "partnergraph"
)

var categories = named[pg.Category]{table: "categories", what: "Category",
	cols: []string{"id", "uuid", "organization_id", "name", "created_at", "updated_at"},
	id:   func(c *pg.Category) int64 { return c.ID }}

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

func (db *DB) CategoriesByIDs(ctx context.Context, ids []int64) ([]*pg.Category, error) {
	return categories.byIDs(ctx, db.read(), ids)
}

// UpdateCategory renames a category.
func (db *DB) UpdateCategory(ctx context.Context, a pg.Actor, id int64, u pg.CategoryUpdate) (*pg.Category, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	var c *pg.Category
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if c, err = categories.get(ctx, tx.runner, a, id); err != nil {
			return err
		}
		before := *c
		u.Apply(c)
		c.UpdatedAt = tx.now
		_, err = tx.exec(ctx, `UPDATE categories SET name = ?, updated_at = ? WHERE id = ?`, c.Name, c.UpdatedAt, c.ID)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "category.updated", resourceType: "Category", resourceID: c.ID, after: c, before: &before})
	})
	return c, err
}

// DeleteCategory deletes a category; partnerships in it are left without one.
func (db *DB) DeleteCategory(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error { return deleteOwned(ctx, tx, "categories", "Category", a, id) })
}
