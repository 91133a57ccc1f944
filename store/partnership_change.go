package store

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	pg "partnergraph"
)

// CreatePartnership creates a partnership of a partner visible to a. Partner
// users (seed 000) create them in their partner's owner's projects, without
// the owner's pipeline (pg.Actor.AuthorizePartnershipChange).
func (db *DB) CreatePartnership(ctx context.Context, a pg.Actor, c pg.PartnershipCreate) (*pg.Partnership, error) {
	p, err := withTx(ctx, db, func(tx *Tx) (*pg.Partnership, error) { return createPartnership(ctx, tx, a, c) })
	a.ScopePipeline(p)
	return p, err
}

func createPartnership(ctx context.Context, tx *Tx, a pg.Actor, c pg.PartnershipCreate) (*pg.Partnership, error) {
	owner, err := partnershipOwner(ctx, tx, a, c)
	if err != nil {
		return nil, err
	}
	if err := checkReferences(ctx, tx, owner, references{tier: c.TierID, category: c.CategoryID, stage: c.StageID,
		users: c.AssignedUserIDs, tags: c.TagIDs}); err != nil {
		return nil, err
	}
	ps := &pg.Partnership{UUID: uuid.NewString(), OrganizationID: owner.OrganizationID, PartnerID: c.PartnerID,
		ProjectID: c.ProjectID, IsDefault: c.IsDefault, IsSupport: c.IsSupport, TierID: c.TierID, CategoryID: c.CategoryID,
		StageID: c.StageID, CreatedAt: tx.now, UpdatedAt: tx.now}
	if c.FallbackData != nil {
		ps.FallbackData = *c.FallbackData
	}
	var changes []change
	if ps.IsDefault {
		if changes, err = clearDefault(ctx, tx, a, ps.ProjectID, 0); err != nil {
			return nil, err
		}
	}
	if ps.ID, err = tx.insert(ctx, `INSERT INTO partnerships (uuid, organization_id, partner_id, project_id, is_default, is_support,
		tier_id, category_id, stage_id, fallback_name, fallback_logo_square_uuid, fallback_website_url, fallback_country_label,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ps.UUID, ps.OrganizationID, ps.PartnerID, ps.ProjectID, ps.IsDefault, ps.IsSupport, ps.TierID, ps.CategoryID, ps.StageID,
		ps.Name, ps.LogoSquareUUID, ps.WebsiteURL, ps.CountryLabel, ps.CreatedAt, ps.UpdatedAt); pg.ErrorCode(err) == pg.Conflict {
		// partnerships_partner_project: one partnership per project.
		return nil, &pg.Error{Code: pg.Conflict, Field: "partnerId", Message: "The partner already has a partnership in this project.", Err: err}
	} else if err != nil {
		return nil, err
	}
	for _, l := range []struct {
		table, col string
		ids        []int64
	}{{"partnership_tags", "tag_id", c.TagIDs}, {"partnership_users", "user_id", c.AssignedUserIDs}} {
		if _, err := relink(ctx, tx, l.table, l.col, ps.ID, l.ids); err != nil {
			return nil, err
		}
	}
	if _, _, err := setCustomFields(ctx, tx, owner, ps.ID, c.CustomFields); err != nil {
		return nil, err
	}
	changes = append(changes, change{org: ps.OrganizationID, typ: "partnership.created", resourceType: "Partnership", resourceID: ps.ID,
		after: partnershipEvent{Partnership: ps, TagIDs: links(c.TagIDs), AssignedUserIDs: links(c.AssignedUserIDs)}})
	return ps, tx.emit(ctx, a, changes...)
}

// partnershipOwner checks the partner a new partnership names, whether a
// may create it (authorization before validation), the partnership's own
// fields, then the project it names, and returns the organization the
// partnership will belong to: its partner's owner, whose records alone it
// may reference.
func partnershipOwner(ctx context.Context, tx *Tx, a pg.Actor, c pg.PartnershipCreate) (pg.Actor, error) {
	partner, err := getPartner(ctx, tx.runner, a, c.PartnerID, false)
	if err != nil {
		return pg.Actor{}, withField(err, "partnerId")
	}
	owner := pg.Actor{OrganizationID: partner.OrganizationID}
	if err := a.AuthorizePartnershipChange(&pg.Partnership{OrganizationID: owner.OrganizationID, ProjectID: c.ProjectID},
		c.PipelineFields()); err != nil {
		return owner, err
	}
	if err := c.Validate(); err != nil {
		return owner, err
	}
	if c.ProjectID != nil {
		if _, err := projects.get(ctx, tx.runner, owner, *c.ProjectID); err != nil {
			return owner, withField(err, "projectId")
		}
	}
	return owner, nil
}

// partnershipEvent is a partnership as events show it: with its links,
// sorted, and its custom field values by field id. A list or a map left
// nil is left out (an update that did not touch it); an empty list is [].
type partnershipEvent struct {
	*pg.Partnership
	TagIDs            *[]int64       `json:"tagIds,omitempty"`
	AssignedUserIDs   *[]int64       `json:"assignedUserIds,omitempty"`
	CustomFieldValues map[string]any `json:"customFieldValues,omitempty"`
}

// links is a link list as events show it: each id once, in order.
func links(ids []int64) *[]int64 {
	out := append([]int64{}, unique(ids)...)
	slices.Sort(out)
	return &out
}

// UpdatePartnership applies u to a partnership visible to a, in one
// transaction; partner users set isDefault and isSupport only.
func (db *DB) UpdatePartnership(ctx context.Context, a pg.Actor, id int64, u pg.PartnershipUpdate) (*pg.Partnership, error) {
	p, err := withTx(ctx, db, func(tx *Tx) (*pg.Partnership, error) { return updatePartnership(ctx, tx, a, id, u) })
	a.ScopePipeline(p)
	return p, err
}

// updatePartnership writes what u changes of the partnership: its own
// fields, its links and its custom field values. When u changes nothing it
// writes nothing and returns the partnership as it is.
func updatePartnership(ctx context.Context, tx *Tx, a pg.Actor, id int64, u pg.PartnershipUpdate) (*pg.Partnership, error) {
	before, err := lockPartnership(ctx, tx, a, id)
	if err != nil {
		return nil, err
	}
	// Authorization before validation, then the records u names.
	if err := a.AuthorizePartnershipChange(before, u.PipelineFields()); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	owner := pg.Actor{OrganizationID: before.OrganizationID}
	if err := resolveStageUUID(ctx, tx, owner, &u); err != nil {
		return nil, err
	}
	if err := checkReferences(ctx, tx, owner, updateReferences(u, before.StageID)); err != nil {
		return nil, err
	}
	ps := *before
	u.Apply(&ps)
	ps.UpdatedAt = tx.now
	was, is := partnershipEvent{Partnership: before}, partnershipEvent{Partnership: &ps}
	if err := relinkPartnership(ctx, tx, ps.ID, u, &was, &is); err != nil {
		return nil, err
	}
	if was.CustomFieldValues, is.CustomFieldValues, err = setCustomFields(ctx, tx, owner, ps.ID, u.CustomFields); err != nil {
		return nil, err
	}
	ev, err := update{org: ps.OrganizationID, typ: "partnership.updated", resourceType: "Partnership", resourceID: ps.ID,
		before: was, after: is}.event()
	if err != nil {
		return nil, err
	}
	if ev == nil {
		return before, nil
	}
	changes, err := writePartnership(ctx, tx, a, before, &ps)
	if err != nil {
		return nil, err
	}
	changes = append(changes, *ev)
	if !sameID(before.StageID, ps.StageID) {
		moved := *ev
		moved.typ = "partnership.stage_changed"
		changes = append(changes, moved)
	}
	return &ps, tx.emit(ctx, a, changes...)
}

// lockPartnership reads a partnership visible to a in tx, locked until tx
// ends, for a change.
func lockPartnership(ctx context.Context, tx *Tx, a pg.Actor, id int64) (*pg.Partnership, error) {
	var p pg.Partnership
	err := tx.get(ctx, &p, `SELECT `+qualify("t", partnershipCols)+` FROM partnerships t WHERE t.id = ? AND `+partnershipVisible+
		tx.db.dialect.forUpdate(), id, a.OrganizationID, a.OrganizationID)
	return &p, notFound(err, "Partnership")
}

// resolveStageUUID turns a stage named by UUID (in any case) into u.StageID.
func resolveStageUUID(ctx context.Context, tx *Tx, owner pg.Actor, u *pg.PartnershipUpdate) error {
	if u.StageUUID == nil {
		return nil
	}
	var id int64
	err := tx.get(ctx, &id, `SELECT id FROM stages WHERE uuid = ? AND organization_id = ?`, canonicalUUID(*u.StageUUID), owner.OrganizationID)
	if err != nil {
		return withField(notFound(err, "Stage"), "stageUuid")
	}
	u.StageID = pg.Some(id)
	return nil
}

// updateReferences are the records u points a partnership at, whose stage
// is now from.
func updateReferences(u pg.PartnershipUpdate, from *int64) references {
	refs := references{tier: u.TierID.Value, category: u.CategoryID.Value, stage: u.StageID.Value}
	if u.AssignedUserIDs != nil {
		refs.users = *u.AssignedUserIDs
	}
	if u.TagIDs != nil {
		refs.tags = *u.TagIDs
	}
	if u.StageID.Set {
		refs.from = from
	}
	return refs
}

// relinkPartnership replaces the link lists u sets, and shows each in the
// event before and after.
func relinkPartnership(ctx context.Context, tx *Tx, partnership int64, u pg.PartnershipUpdate, was, is *partnershipEvent) error {
	for _, l := range []struct {
		table, col string
		ids        *[]int64
		was, is    **[]int64
	}{
		{"partnership_tags", "tag_id", u.TagIDs, &was.TagIDs, &is.TagIDs},
		{"partnership_users", "user_id", u.AssignedUserIDs, &was.AssignedUserIDs, &is.AssignedUserIDs},
	} {
		if l.ids == nil {
			continue
		}
		old, err := relink(ctx, tx, l.table, l.col, partnership, *l.ids)
		if err != nil {
			return err
		}
		*l.was, *l.is = links(old), links(*l.ids)
	}
	return nil
}

// writePartnership writes a partnership's own fields, changed from before;
// becoming its project's default clears the default of the others, whose
// events it returns.
func writePartnership(ctx context.Context, tx *Tx, a pg.Actor, before, ps *pg.Partnership) ([]change, error) {
	var cleared []change
	if ps.IsDefault && !before.IsDefault {
		var err error
		if cleared, err = clearDefault(ctx, tx, a, ps.ProjectID, ps.ID); err != nil {
			return nil, err
		}
	}
	_, err := tx.exec(ctx, `UPDATE partnerships SET is_default = ?, is_support = ?, tier_id = ?, category_id = ?, stage_id = ?,
		fallback_name = ?, fallback_logo_square_uuid = ?, fallback_website_url = ?, fallback_country_label = ?, updated_at = ? WHERE id = ?`,
		ps.IsDefault, ps.IsSupport, ps.TierID, ps.CategoryID, ps.StageID, ps.Name, ps.LogoSquareUUID, ps.WebsiteURL,
		ps.CountryLabel, ps.UpdatedAt, ps.ID)
	return cleared, err
}

func sameID(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// DeletePartnership deletes a partnership visible to a: its owner's, or a
// project partnership of a partner a's organization is the guest of.
func (db *DB) DeletePartnership(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		ps, err := lockPartnership(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := a.AuthorizePartnershipChange(ps, nil); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM partnerships WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.emit(ctx, a, partnershipDeleted(ps))
	})
}

// partnershipDeleted is the event of a deleted partnership: its id, and its
// partner and project, which subscribers follow it by.
func partnershipDeleted(ps *pg.Partnership) change {
	return change{org: ps.OrganizationID, typ: "partnership.deleted", resourceType: "Partnership", resourceID: ps.ID,
		after: map[string]any{"databaseId": ps.ID, "partnerId": ps.PartnerID, "projectId": ps.ProjectID}}
}

// clearDefault unsets the default flag of the project's partnerships other
// than keep (one default per project) and returns the partnership.updated
// event of each it changed: losing the default is a change like any other,
// which webhooks and subscriptions must hear of.
func clearDefault(ctx context.Context, tx *Tx, a pg.Actor, project *int64, keep int64) ([]change, error) {
	if project == nil {
		return nil, nil
	}
	// Two transactions each reading no other default would both write one,
	// and the second would break the one-default index: they take turns.
	if lock := tx.db.dialect.lockProjectDefault(); lock != "" {
		if _, err := tx.exec(ctx, lock, *project); err != nil {
			return nil, err
		}
	}
	var defaults []*pg.Partnership
	if err := tx.all(ctx, &defaults, `SELECT `+strings.Join(partnershipCols, ", ")+` FROM partnerships
		WHERE project_id = ? AND is_default = ? AND id <> ? ORDER BY id`+tx.db.dialect.forUpdate(), *project, true, keep); err != nil {
		return nil, err
	}
	changes := make([]change, 0, len(defaults))
	for _, before := range defaults {
		after := *before
		after.IsDefault, after.UpdatedAt = false, tx.now
		ev, err := update{org: before.OrganizationID, typ: "partnership.updated", resourceType: "Partnership", resourceID: before.ID,
			before: partnershipEvent{Partnership: before}, after: partnershipEvent{Partnership: &after}}.event()
		if err != nil {
			return nil, err
		}
		if ev == nil {
			return nil, pg.InternalError(fmt.Errorf("clear the default of partnership %d: no change", before.ID))
		}
		if _, err := tx.exec(ctx, `UPDATE partnerships SET is_default = ?, updated_at = ? WHERE id = ?`, false, tx.now, before.ID); err != nil {
			return nil, err
		}
		changes = append(changes, *ev)
	}
	return changes, nil
}

// withField names field on a NOT_FOUND error from a referenced record.
func withField(err error, field string) error {
	if e, ok := err.(*pg.Error); ok && e.Field == "" {
		c := *e
		c.Field = field
		return &c
	}
	return err
}
