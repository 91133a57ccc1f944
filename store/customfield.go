package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var customFields = named[pg.CustomField]{table: "custom_fields", what: "Custom field",
	cols: []string{"id", "uuid", "organization_id", "name", "type", "options", "created_at", "updated_at"},
	kind: kind[pg.CustomField]{resourceType: "CustomField", event: "custom_field", id: func(f *pg.CustomField) int64 { return f.ID },
		org: func(f *pg.CustomField) int64 { return f.OrganizationID }, updatedAt: func(f *pg.CustomField) *time.Time { return &f.UpdatedAt }}}

// CreateCustomField creates a custom field of the organization a acts on.
func (db *DB) CreateCustomField(ctx context.Context, a pg.Actor, c pg.CustomFieldCreate) (*pg.CustomField, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var f *pg.CustomField
	err := db.inTx(ctx, func(tx *Tx) error {
		f = &pg.CustomField{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, Name: c.Name, Type: c.Type,
			Options: c.Options, CreatedAt: tx.now, UpdatedAt: tx.now}
		if f.Options == nil {
			f.Options = pg.CustomFieldOptions{}
		}
		var err error
		f.ID, err = tx.insert(ctx, `INSERT INTO custom_fields (uuid, organization_id, name, type, options, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			f.UUID, f.OrganizationID, f.Name, f.Type, f.Options, f.CreatedAt, f.UpdatedAt)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "custom_field.created", resourceType: "CustomField", resourceID: f.ID, after: f})
	})
	return f, err
}

func (db *DB) CustomField(ctx context.Context, a pg.Actor, id int64) (*pg.CustomField, error) {
	return customFields.get(ctx, db.read(), a, id)
}

func (db *DB) CustomFields(ctx context.Context, a pg.Actor, search *string, p pg.PageRequest) (pg.List[*pg.CustomField], error) {
	return customFields.list(ctx, db.read(), a, search, db.dialect, p)
}

// UpdateCustomField renames a field or replaces its options. Removing an
// option that values still use is refused: those values would dangle.
func (db *DB) UpdateCustomField(ctx context.Context, a pg.Actor, id int64, u pg.CustomFieldUpdate) (*pg.CustomField, error) {
	return withTx(ctx, db, func(tx *Tx) (*pg.CustomField, error) { return updateCustomField(ctx, tx, a, id, u) })
}

func updateCustomField(ctx context.Context, tx *Tx, a pg.Actor, id int64, u pg.CustomFieldUpdate) (*pg.CustomField, error) {
	before, err := customFields.lock(ctx, tx, a, id)
	if err != nil {
		return nil, err
	}
	if err := u.Validate(before.Type); err != nil {
		return nil, err
	}
	if u.Options != nil {
		if err := checkOptionsUnused(ctx, tx, before, *u.Options); err != nil {
			return nil, err
		}
	}
	f := *before
	u.Apply(&f)
	return save(ctx, tx, a, customFields.kind, edit[pg.CustomField]{before: before, after: &f}, func() error {
		_, err := tx.exec(ctx, `UPDATE custom_fields SET name = ?, options = ?, updated_at = ? WHERE id = ?`, f.Name, f.Options, f.UpdatedAt, f.ID)
		return err
	})
}

func checkOptionsUnused(ctx context.Context, tx *Tx, f *pg.CustomField, next pg.CustomFieldOptions) error {
	var values []*pg.CustomFieldValue
	if err := tx.all(ctx, &values, `SELECT `+customFieldValueCols+` FROM custom_field_values WHERE field_id = ?`, f.ID); err != nil {
		return err
	}
	for _, v := range values {
		used := append([]int64(v.MultiSelect), derefOr(v.Select)...)
		for _, id := range used {
			if _, ok := next.Option(id); !ok {
				return &pg.Error{Code: pg.Conflict, Field: "options", Message: "An option in use by partnerships cannot be removed."}
			}
		}
	}
	return nil
}

func derefOr(p *int64) []int64 {
	if p == nil {
		return nil
	}
	return []int64{*p}
}

// DeleteCustomField deletes a field and every value of it, each partnership
// that had one with its partnership.updated event.
func (db *DB) DeleteCustomField(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := customFields.lock(ctx, tx, a, id); err != nil {
			return err
		}
		if err := dropValues(ctx, tx, a, id); err != nil {
			return err
		}
		return deleteOwned(ctx, tx, "custom_fields", "Custom field", a, id)
	})
}
