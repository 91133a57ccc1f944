package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var tags = named[pg.Tag]{table: "tags", what: "Tag",
	cols: []string{"id", "uuid", "organization_id", "name", "created_at", "updated_at"},
	kind: kind[pg.Tag]{resourceType: "Tag", event: "tag", id: func(t *pg.Tag) int64 { return t.ID },
		org: func(t *pg.Tag) int64 { return t.OrganizationID }, updatedAt: func(t *pg.Tag) *time.Time { return &t.UpdatedAt }}}

var errTagExists = &pg.Error{Code: pg.Conflict, Field: "name", Message: "A tag with this name already exists."}

// CreateTag creates a tag; names are unique per organization.
func (db *DB) CreateTag(ctx context.Context, a pg.Actor, c pg.TagCreate) (*pg.Tag, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var t *pg.Tag
	err := db.inTx(ctx, func(tx *Tx) error {
		t = &pg.Tag{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, Name: c.Name, CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		t.ID, err = tx.insert(ctx, `INSERT INTO tags (uuid, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			t.UUID, t.OrganizationID, t.Name, t.CreatedAt, t.UpdatedAt)
		if pg.ErrorCode(err) == pg.Conflict {
			return errTagExists
		}
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "tag.created", resourceType: "Tag", resourceID: t.ID, after: t})
	})
	return t, err
}

func (db *DB) Tag(ctx context.Context, a pg.Actor, id int64) (*pg.Tag, error) {
	return tags.get(ctx, db.read(), a, id)
}

func (db *DB) Tags(ctx context.Context, a pg.Actor, search *string, p pg.PageRequest) (pg.List[*pg.Tag], error) {
	return tags.list(ctx, db.read(), a, search, db.dialect, p)
}

// UpdateTag renames a tag.
func (db *DB) UpdateTag(ctx context.Context, a pg.Actor, id int64, u pg.TagUpdate) (*pg.Tag, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	t, err := withTx(ctx, db, func(tx *Tx) (*pg.Tag, error) {
		return tags.update(ctx, tx, a, id, u.Apply, "name = ?", func(t *pg.Tag) []any { return []any{t.Name} })
	})
	if pg.ErrorCode(err) == pg.Conflict {
		return nil, errTagExists
	}
	return t, err
}

// DeleteTag deletes a tag and removes it from every partnership, each with
// its partnership.updated event.
func (db *DB) DeleteTag(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tags.lock(ctx, tx, a, id); err != nil {
			return err
		}
		if err := untag(ctx, tx, a, id); err != nil {
			return err
		}
		return deleteOwned(ctx, tx, "tags", "Tag", a, id)
	})
}
