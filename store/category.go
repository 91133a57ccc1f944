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
func (db *DB) CreateCategory(ctx context.Context, a pg.Actor, name string) (*pg.Category, error) {
	if err := pg.ValidateName("name", name); err != nil {
		return nil, err
	}
	var c *pg.Category
	err := db.inTx(ctx, func(tx *Tx) error {
		c = &pg.Category{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, Name: name, CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		c.ID, err = tx.insert(ctx, `INSERT INTO categories (uuid, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			c.UUID, c.OrganizationID, c.Name, c.CreatedAt, c.UpdatedAt)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "category.created", resourceType: "Category", resourceID: c.ID, after: c})
	})
	return c, err
}

func (db *DB) Category(ctx context.Context, a pg.Actor, id int64) (*pg.Category, error) {
	return categories.get(ctx, db.read(), a, id)
}

func (db *DB) Categories(ctx context.Context, a pg.Actor, search *string, p pg.PageRequest) (pg.List[*pg.Category], error) {
	return categories.list(ctx, db.read(), a, search, db.dialect, p)
}

// UpdateCategory renames a category.
func (db *DB) UpdateCategory(ctx context.Context, a pg.Actor, id int64, name *string) (*pg.Category, error) {
	var c *pg.Category
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if c, err = categories.get(ctx, tx.runner, a, id); err != nil {
			return err
		}
		before := *c
		if name != nil {
			if err := pg.ValidateName("name", *name); err != nil {
				return err
			}
			c.Name = *name
		}
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
