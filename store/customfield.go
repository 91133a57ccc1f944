package store

import (
	"context"

	"github.com/google/uuid"

	pg "partnergraph"
)

var customFields = named[pg.CustomField]{table: "custom_fields", what: "Custom field",
	cols: []string{"id", "uuid", "organization_id", "name", "type", "options", "created_at", "updated_at"},
	id:   func(f *pg.CustomField) int64 { return f.ID }}

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
func (db *DB) UpdateCustomField(ctx context.Context, a pg.Actor, id int64, name *string, options *pg.CustomFieldOptions) (*pg.CustomField, error) {
	var f *pg.CustomField
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if f, err = customFields.get(ctx, tx.runner, a, id); err != nil {
			return err
		}
		before := *f
		if name != nil {
			if err := pg.ValidateName("name", *name); err != nil {
				return err
			}
			f.Name = *name
		}
		if options != nil {
			if err := pg.ValidateOptions(f.Type, *options); err != nil {
				return err
			}
			if err := checkOptionsUnused(ctx, tx, f, *options); err != nil {
				return err
			}
			f.Options = *options
		}
		f.UpdatedAt = tx.now
		_, err = tx.exec(ctx, `UPDATE custom_fields SET name = ?, options = ?, updated_at = ? WHERE id = ?`, f.Name, f.Options, f.UpdatedAt, f.ID)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "custom_field.updated", resourceType: "CustomField", resourceID: f.ID, after: f, before: &before})
	})
	return f, err
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

// DeleteCustomField deletes a field and every value of it.
func (db *DB) DeleteCustomField(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error { return deleteOwned(ctx, tx, "custom_fields", "Custom field", a, id) })
}
