package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	pg "partnergraph"
)

// Deleting a record the database cascades from changes partnerships too:
// deleting a partner or a project deletes its partnerships, deleting a
// tier, category or stage unsets it on the partnerships in it, deleting a
// tag or a custom field takes it (or its values) off them. Every change
// has its event, so each of these emits the events of the partnerships it
// changes, in the deletion's transaction and before the record's own. The
// caller locks the record first: a partnership can then not take it up
// between the listing of those it changes and the cascade (its foreign key
// waits for the lock, and then finds the record gone), and each
// partnership is locked as it is listed, so a change of it in progress
// commits, with its event, before the cascade's is written.

// cascadePartnerships emits the partnership.deleted event of every
// partnership whose col (partner_id or project_id) is parent, which the
// cascade is about to delete.
func cascadePartnerships(ctx context.Context, tx *Tx, a pg.Actor, col string, parent int64) error {
	doomed, err := lockPartnerships(ctx, tx, col+" = ?", parent)
	if err != nil {
		return err
	}
	changes := make([]change, len(doomed))
	for i, ps := range doomed {
		changes[i] = partnershipDeleted(ps)
	}
	return emitAll(ctx, tx, a, changes)
}

// unsetReference unsets the tier, category or stage (col: tier_id,
// category_id, stage_id) id on the partnerships in it, with their
// partnership.updated events (and partnership.stage_changed for a stage),
// where the foreign key's SET NULL would change them silently.
func unsetReference(ctx context.Context, tx *Tx, a pg.Actor, col string, id int64) error {
	pointing, err := lockPartnerships(ctx, tx, col+" = ?", id)
	if err != nil || len(pointing) == 0 {
		return err
	}
	var changes []change
	for _, before := range pointing {
		after := *before
		after.UpdatedAt = tx.now
		switch col {
		case "tier_id":
			after.TierID = nil
		case "category_id":
			after.CategoryID = nil
		default:
			after.StageID = nil
		}
		ev, err := partnershipUpdated(before, &after, partnershipEvent{Partnership: before}, partnershipEvent{Partnership: &after})
		if err != nil {
			return err
		}
		changes = append(changes, *ev)
		if col == "stage_id" {
			moved := *ev
			moved.typ = "partnership.stage_changed"
			changes = append(changes, moved)
		}
	}
	if _, err := tx.exec(ctx, `UPDATE partnerships SET `+col+` = NULL, updated_at = ? WHERE `+col+` = ?`, tx.now, id); err != nil {
		return err
	}
	return emitAll(ctx, tx, a, changes)
}

// untag emits the partnership.updated event of every partnership the tag
// being deleted is taken off, its tagIds before and after, and sets their
// updated_at; the cascade deletes the links.
func untag(ctx context.Context, tx *Tx, a pg.Actor, tag int64) error {
	const tagged = `id IN (SELECT partnership_id FROM partnership_tags WHERE tag_id = ?)`
	pointing, err := lockPartnerships(ctx, tx, tagged, tag)
	if err != nil || len(pointing) == 0 {
		return err
	}
	var rows []struct {
		Partnership int64 `db:"partnership_id"`
		Tag         int64 `db:"tag_id"`
	}
	if err := tx.all(ctx, &rows, `SELECT partnership_id, tag_id FROM partnership_tags
		WHERE partnership_id IN (SELECT partnership_id FROM partnership_tags WHERE tag_id = ?)`, tag); err != nil {
		return err
	}
	tagsOf := map[int64][]int64{}
	for _, r := range rows {
		tagsOf[r.Partnership] = append(tagsOf[r.Partnership], r.Tag)
	}
	changes := make([]change, 0, len(pointing))
	for _, before := range pointing {
		after := *before
		after.UpdatedAt = tx.now
		left := slices.DeleteFunc(slices.Clone(tagsOf[before.ID]), func(t int64) bool { return t == tag })
		ev, err := partnershipUpdated(before, &after, partnershipEvent{Partnership: before, TagIDs: links(tagsOf[before.ID])},
			partnershipEvent{Partnership: &after, TagIDs: links(left)})
		if err != nil {
			return err
		}
		changes = append(changes, *ev)
	}
	if _, err := tx.exec(ctx, `UPDATE partnerships SET updated_at = ? WHERE `+tagged, tx.now, tag); err != nil {
		return err
	}
	return emitAll(ctx, tx, a, changes)
}

// dropValues emits the partnership.updated event of every partnership
// that has a value of the custom field being deleted, the value before and
// none after, and sets their updated_at; the cascade deletes the values.
func dropValues(ctx context.Context, tx *Tx, a pg.Actor, field int64) error {
	const valued = `id IN (SELECT partnership_id FROM custom_field_values WHERE field_id = ?)`
	pointing, err := lockPartnerships(ctx, tx, valued, field)
	if err != nil || len(pointing) == 0 {
		return err
	}
	var values []*pg.CustomFieldValue
	if err := tx.all(ctx, &values, `SELECT `+customFieldValueCols+` FROM custom_field_values WHERE field_id = ?`, field); err != nil {
		return err
	}
	valueOfPartnership := map[int64]*pg.CustomFieldValue{}
	for _, v := range values {
		valueOfPartnership[v.PartnershipID] = v
	}
	key := itoa(field)
	changes := make([]change, 0, len(pointing))
	for _, before := range pointing {
		after := *before
		after.UpdatedAt = tx.now
		ev, err := partnershipUpdated(before, &after,
			partnershipEvent{Partnership: before, CustomFieldValues: map[string]any{key: valueOf(valueOfPartnership[before.ID])}},
			partnershipEvent{Partnership: &after, CustomFieldValues: map[string]any{key: nil}})
		if err != nil {
			return err
		}
		changes = append(changes, *ev)
	}
	if _, err := tx.exec(ctx, `UPDATE partnerships SET updated_at = ? WHERE `+valued, tx.now, field); err != nil {
		return err
	}
	return emitAll(ctx, tx, a, changes)
}

// lockPartnerships reads the partnerships where holds (a condition on
// partnerships with one argument), in id order, locked until tx ends.
func lockPartnerships(ctx context.Context, tx *Tx, where string, arg int64) ([]*pg.Partnership, error) {
	var out []*pg.Partnership
	err := tx.all(ctx, &out, `SELECT `+strings.Join(partnershipCols, ", ")+` FROM partnerships WHERE `+where+` ORDER BY id`+
		tx.db.dialect.forUpdate(), arg)
	return out, err
}

// partnershipUpdated is the partnership.updated event of a change a
// cascade makes to a partnership, which always changes something.
func partnershipUpdated(before, after *pg.Partnership, was, is partnershipEvent) (*change, error) {
	ev, err := update{org: before.OrganizationID, typ: "partnership.updated", resourceType: "Partnership", resourceID: before.ID,
		before: was, after: is}.event()
	if err == nil && ev == nil {
		err = pg.InternalError(fmt.Errorf("cascade to partnership %d: no change", after.ID))
	}
	return ev, err
}

// emitAll emits changes a statement's worth at a time: a parameter per
// column per event stays within both engines' limits.
func emitAll(ctx context.Context, tx *Tx, a pg.Actor, changes []change) error {
	for chunk := range slices.Chunk(changes, 1000) {
		if err := tx.emit(ctx, a, chunk...); err != nil {
			return err
		}
	}
	return nil
}

// cascadePartnerRecords emits the relationship.deleted and
// integration.deleted events of the relationships and integrations of a
// partner the cascade is about to delete with it, each locked as it is
// listed, as cascadePartnerships does for its partnerships.
func cascadePartnerRecords(ctx context.Context, tx *Tx, a pg.Actor, partner int64) error {
	var rels []*pg.Relationship
	if err := tx.all(ctx, &rels, `SELECT `+strings.Join(relationshipCols, ", ")+` FROM relationships WHERE partner_id = ? ORDER BY id`+
		tx.db.dialect.forUpdate(), partner); err != nil {
		return err
	}
	var ints []struct {
		ID       int64 `db:"id"`
		Org      int64 `db:"organization_id"`
		Business int64 `db:"business_id"`
	}
	if err := tx.all(ctx, &ints, `SELECT id, organization_id, business_id FROM partner_integrations WHERE partner_id = ? ORDER BY id`+
		tx.db.dialect.forUpdate(), partner); err != nil {
		return err
	}
	changes := make([]change, 0, len(rels)+len(ints))
	for _, r := range rels {
		changes = append(changes, change{org: r.OrganizationID, typ: "relationship.deleted", resourceType: "Relationship", resourceID: r.ID,
			after: map[string]any{"databaseId": r.ID, "partnerId": r.PartnerID, "companyId": r.CompanyID}})
	}
	for _, i := range ints {
		changes = append(changes, change{org: i.Org, typ: "integration.deleted", resourceType: "PartnerIntegration", resourceID: i.ID,
			after: map[string]any{"databaseId": i.ID, "partnerId": partner, "businessId": i.Business}})
	}
	return emitAll(ctx, tx, a, changes)
}

// untransition emits the stage.updated event of every other stage that
// allows moving to the stage being deleted, its allowedNextStageIds before
// and after, and sets their updated_at; the cascade deletes the
// transitions. A stage left allowing none allows any, as one created so.
func untransition(ctx context.Context, tx *Tx, a pg.Actor, stage int64) error {
	var rows []struct {
		From int64 `db:"from_stage_id"`
		To   int64 `db:"to_stage_id"`
	}
	// Locked through their stages, so no transition to the stage is added
	// between this listing and the cascade.
	var leading []*pg.Stage
	if err := tx.all(ctx, &leading, `SELECT `+strings.Join(stages.cols, ", ")+` FROM stages
		WHERE id <> ? AND id IN (SELECT from_stage_id FROM stage_transitions WHERE to_stage_id = ?) ORDER BY id`+
		tx.db.dialect.forUpdate(), stage, stage); err != nil || len(leading) == 0 {
		return err
	}
	if err := tx.all(ctx, &rows, `SELECT from_stage_id, to_stage_id FROM stage_transitions
		WHERE from_stage_id IN (SELECT from_stage_id FROM stage_transitions WHERE to_stage_id = ?)`, stage); err != nil {
		return err
	}
	nextOf := map[int64][]int64{}
	for _, r := range rows {
		nextOf[r.From] = append(nextOf[r.From], r.To)
	}
	changes := make([]change, 0, len(leading))
	for _, before := range leading {
		after := *before
		after.UpdatedAt = tx.now
		left := slices.DeleteFunc(slices.Clone(nextOf[before.ID]), func(s int64) bool { return s == stage })
		ev, err := update{org: before.OrganizationID, typ: "stage.updated", resourceType: "Stage", resourceID: before.ID,
			before: stageEvent{before, links(nextOf[before.ID])}, after: stageEvent{&after, links(left)}}.event()
		if err == nil && ev == nil {
			err = pg.InternalError(fmt.Errorf("cascade to stage %d: no change", before.ID))
		}
		if err != nil {
			return err
		}
		changes = append(changes, *ev)
	}
	if _, err := tx.exec(ctx, `UPDATE stages SET updated_at = ? WHERE id <> ? AND id IN (SELECT from_stage_id FROM stage_transitions WHERE to_stage_id = ?)`,
		tx.now, stage, stage); err != nil {
		return err
	}
	return emitAll(ctx, tx, a, changes)
}
