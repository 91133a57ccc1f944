package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	pg "partnergraph"
)

// references are the records a partnership change points at.
type references struct {
	tier, category, stage *int64
	users, tags           []int64
	// from, for a stage change, is the current stage: the move from it to
	// stage must be allowed.
	from *int64
}

// checkReferences verifies, in one statement, that every record refs names
// is owned by owner, and that a stage change is allowed: the current
// stage's allowedNextStages, when it lists any, must hold the new stage
// (staying put and leaving the pipeline are always allowed). The first
// failure, in the order of the input's fields, is the error.
func checkReferences(ctx context.Context, tx *Tx, owner pg.Actor, refs references) error {
	move := refs.from != nil && refs.stage != nil && *refs.from != *refs.stage
	from := sqlExpr{}
	if move {
		from = sqlExpr{"?", []any{*refs.from}}
	}
	c := countReferences(sqlExpr{"?", []any{owner.OrganizationID}}, from, refs)
	if len(c.cols) == 0 {
		return nil
	}
	counts := make([]int, len(c.cols))
	dest := make([]any, len(c.cols))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := tx.scan(ctx, dest, `SELECT `+strings.Join(c.cols, ", "), c.args...); err != nil {
		return err
	}
	return c.verify(counts, nil, move)
}

// sqlExpr is a piece of SQL with its arguments.
type sqlExpr struct {
	sql  string
	args []any
}

// referenceCounts are the columns that count the records a change names,
// and how to read their counts.
type referenceCounts struct {
	cols   []string
	args   []any
	checks []referenceCheck
	// moves, when set, means the last two columns count the moves out of
	// the current stage and those to the new one.
	moves bool
}

// referenceCheck is the check of one input field: want records, counted
// by column col, or elsewhere when col is -1.
type referenceCheck struct {
	field, what string
	want, col   int
}

// countReferences builds the columns counting, among the records refs
// names, those owned by org; when from is set (the current stage) and refs
// names a stage, two more count the moves out of from and those to the new
// stage. They can stand alone or beside the partnership the change reads.
// The fields of elsewhere are checked but counted by the caller.
func countReferences(org, from sqlExpr, refs references, elsewhere ...string) referenceCounts {
	var c referenceCounts
	owned := func(table, field, what string, ids []int64) {
		if ids = unique(ids); len(ids) == 0 {
			return
		}
		if slices.Contains(elsewhere, field) {
			c.checks = append(c.checks, referenceCheck{field, what, len(ids), -1})
			return
		}
		inList, idArgs := in(ids)
		c.checks = append(c.checks, referenceCheck{field, what, len(ids), len(c.cols)})
		c.cols = append(c.cols, `(SELECT COUNT(*) FROM `+table+` WHERE organization_id = `+org.sql+` AND id IN `+inList+`)`)
		c.args = append(append(c.args, org.args...), idArgs...)
	}
	one := func(id *int64) []int64 {
		if id == nil {
			return nil
		}
		return []int64{*id}
	}
	owned("tiers", "tierId", "Tier", one(refs.tier))
	owned("categories", "categoryId", "Category", one(refs.category))
	owned("stages", "stageId", "Stage", one(refs.stage))
	owned("tags", "tagIds", "Tag", refs.tags)
	owned("users", "assignedUserIds", "User", refs.users)
	if from.sql != "" && refs.stage != nil {
		c.moves = true
		c.cols = append(c.cols, `(SELECT COUNT(*) FROM stage_transitions WHERE from_stage_id = `+from.sql+`)`,
			`(SELECT COUNT(*) FROM stage_transitions WHERE from_stage_id = `+from.sql+` AND to_stage_id = ?)`)
		c.args = append(c.args, from.args...)
		c.args = append(append(c.args, from.args...), *refs.stage)
	}
	return c
}

// verify reads the counts of c's columns, and those counted elsewhere by
// field: the first record missing, in the order of the input's fields, is
// the error; then, when move (the stage changes), a move the current stage
// does not allow.
func (c referenceCounts) verify(counts []int, elsewhere map[string]int, move bool) error {
	for _, ch := range c.checks {
		n := elsewhere[ch.field]
		if ch.col >= 0 {
			n = counts[ch.col]
		}
		if n != ch.want {
			return &pg.Error{Code: pg.NotFound, Field: ch.field, Message: ch.what + " not found."}
		}
	}
	if n := len(c.cols); move && c.moves && counts[n-2] > 0 && counts[n-1] == 0 {
		return ErrStageTransition
	}
	return nil
}

// relink makes ids a partnership's rows in a link table, which now holds
// old: it deletes the rows no longer wanted and inserts the new ones, and
// writes nothing when the two lists hold the same ids.
func relink(ctx context.Context, tx *Tx, table, col string, partnership int64, old, ids []int64) error {
	var removed, added []int64
	for _, id := range old {
		if !slices.Contains(ids, id) {
			removed = append(removed, id)
		}
	}
	for _, id := range unique(ids) {
		if !slices.Contains(old, id) {
			added = append(added, id)
		}
	}
	if n := min(len(removed), len(added)); n > 0 {
		// A row that goes and a row that comes are one row rewritten: one
		// statement, where deleting and inserting are two. No new id is
		// among the old ones, so no row ever holds another's key.
		var cases strings.Builder
		args := make([]any, 0, 3*n+1)
		for i := range n {
			cases.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			args = append(args, removed[i], added[i])
		}
		inList, idArgs := in(removed[:n])
		args = append(append(args, partnership), idArgs...)
		rewritten, err := tx.exec(ctx, `UPDATE `+table+` SET `+col+` = CASE `+col+cases.String()+` END
			WHERE partnership_id = ? AND `+col+` IN `+inList, args...)
		if err != nil {
			return err
		}
		if rewritten != int64(n) {
			// The links read under the partnership's lock changed without
			// it: an added link would be lost in silence.
			return pg.InternalError(fmt.Errorf("relink %s of partnership %d: rewrote %d rows of %d", table, partnership, rewritten, n))
		}
		removed, added = removed[n:], added[n:]
	}
	if len(removed) > 0 {
		inList, args := in(removed)
		if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE partnership_id = ? AND `+col+` IN `+inList,
			append([]any{partnership}, args...)...); err != nil {
			return err
		}
	}
	if len(added) > 0 {
		values := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(added)), ", ")
		args := make([]any, 0, 2*len(added))
		for _, id := range added {
			args = append(args, partnership, id)
		}
		if _, err := tx.exec(ctx, `INSERT INTO `+table+` (partnership_id, `+col+`) VALUES `+values, args...); err != nil {
			return err
		}
	}
	return nil
}

// fieldValue is a custom field and a partnership's value of it (nil for
// none).
type fieldValue struct {
	field *pg.CustomField
	value *pg.CustomFieldValue
}

// setCustomFields type-checks each input against its field and stores or
// removes the value, writing only values that differ from those stored. It
// returns the values of the fields it was given, before and after, by field
// id, as events show them.
func setCustomFields(ctx context.Context, tx *Tx, owner pg.Actor, partnership int64, inputs []pg.CustomFieldInput) (was, is map[string]any, err error) {
	if len(inputs) == 0 {
		return nil, nil, nil
	}
	stored, err := storedValues(ctx, tx, owner, partnership, inputs)
	if err != nil {
		return nil, nil, err
	}
	was, is = map[string]any{}, map[string]any{}
	for _, input := range inputs {
		fv, ok := stored[input.FieldID]
		if !ok {
			return nil, nil, &pg.Error{Code: pg.NotFound, Field: input.Path + ".customFieldId", Message: "Custom field not found."}
		}
		v, err := input.Check(fv.field)
		if err != nil {
			return nil, nil, err
		}
		key := itoa(fv.field.ID)
		if _, seen := was[key]; !seen {
			was[key] = valueOf(fv.value)
		}
		if is[key] = valueOf(v); reflect.DeepEqual(valueOf(fv.value), is[key]) {
			continue
		}
		if err := writeValue(ctx, tx, partnership, fv.field.ID, v); err != nil {
			return nil, nil, err
		}
		fv.value = v
	}
	return was, is, nil
}

// storedValues reads the fields inputs name, owned by owner, each with the
// partnership's value of it, in one statement.
func storedValues(ctx context.Context, tx *Tx, owner pg.Actor, partnership int64, inputs []pg.CustomFieldInput) (map[int64]*fieldValue, error) {
	ids := make([]int64, len(inputs))
	for i, in := range inputs {
		ids[i] = in.FieldID
	}
	inList, args := in(unique(ids))
	var rows []struct {
		pg.CustomField
		ValueOf     *int64    `db:"value_field_id"`
		Text        *string   `db:"text_value"`
		Number      *float64  `db:"number_value"`
		Date        *string   `db:"date_value"`
		Boolean     *bool     `db:"boolean_value"`
		Select      *int64    `db:"select_value"`
		MultiSelect pg.IDList `db:"multi_select_value"`
	}
	if err := tx.all(ctx, &rows, `SELECT `+qualify("f", customFields.cols)+`, v.field_id AS value_field_id, v.text_value, v.number_value,
		v.date_value, v.boolean_value, v.select_value, v.multi_select_value
		FROM custom_fields f LEFT JOIN custom_field_values v ON v.field_id = f.id AND v.partnership_id = ?
		WHERE f.organization_id = ? AND f.id IN `+inList, append([]any{partnership, owner.OrganizationID}, args...)...); err != nil {
		return nil, err
	}
	out := make(map[int64]*fieldValue, len(rows))
	for i := range rows {
		r := &rows[i]
		fv := &fieldValue{field: &r.CustomField}
		if r.ValueOf != nil {
			fv.value = &pg.CustomFieldValue{PartnershipID: partnership, FieldID: r.CustomField.ID, Text: r.Text, Number: r.Number,
				Date: r.Date, Boolean: r.Boolean, Select: r.Select, MultiSelect: r.MultiSelect}
		}
		out[r.CustomField.ID] = fv
	}
	return out, nil
}

// valueOf is a custom field value as events show it: the one member set,
// nil for no value.
func valueOf(v *pg.CustomFieldValue) any {
	switch {
	case v == nil:
		return nil
	case v.Text != nil:
		return *v.Text
	case v.Number != nil:
		return *v.Number
	case v.Date != nil:
		return *v.Date
	case v.Boolean != nil:
		return *v.Boolean
	case v.Select != nil:
		return *v.Select
	}
	return []int64(v.MultiSelect)
}

// writeValue stores a partnership's value of a field, or removes it when v
// is nil.
func writeValue(ctx context.Context, tx *Tx, partnership, field int64, v *pg.CustomFieldValue) error {
	if v == nil {
		_, err := tx.exec(ctx, `DELETE FROM custom_field_values WHERE partnership_id = ? AND field_id = ?`, partnership, field)
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO custom_field_values (`+customFieldValueCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (partnership_id, field_id) DO UPDATE SET text_value = excluded.text_value, number_value = excluded.number_value,
		date_value = excluded.date_value, boolean_value = excluded.boolean_value, select_value = excluded.select_value,
		multi_select_value = excluded.multi_select_value, updated_at = excluded.updated_at`,
		partnership, field, v.Text, v.Number, v.Date, v.Boolean, v.Select, v.MultiSelect, tx.now)
	return err
}
