package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

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
		if err := relink(ctx, tx, l.table, l.col, ps.ID, nil, l.ids); err != nil {
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
	c, err := db.ChangePartnership(ctx, a, id, u)
	if err != nil {
		return nil, err
	}
	return c.Partnership, nil
}

// PartnershipChange is a partnership as an update left it, with the
// records the update named that it read to check them: a caller about to
// show them (a mutation's payload) need not read them again.
type PartnershipChange struct {
	Partnership *pg.Partnership
	// Tags are its tags, in the order Partnership.tags lists them, when
	// the update set them; nil otherwise.
	Tags []*pg.Tag
	// Stage is its stage, when the update set one; nil otherwise.
	Stage *pg.Stage
}

// ChangePartnership is UpdatePartnership, answering with the records the
// update read.
func (db *DB) ChangePartnership(ctx context.Context, a pg.Actor, id int64, u pg.PartnershipUpdate) (*PartnershipChange, error) {
	c, err := withTx(ctx, db, func(tx *Tx) (*PartnershipChange, error) { return updatePartnership(ctx, tx, a, id, u) })
	if err != nil {
		return nil, err
	}
	if !a.CanReadPipeline(c.Partnership) {
		// A partner user sets no pipeline field, so the update read none;
		// what it answers is read as every read of partnerships is.
		a.ScopePipeline(c.Partnership)
		c.Tags, c.Stage = nil, nil
	}
	return c, nil
}

// updatePartnership writes what u changes of the partnership: its own
// fields, its links and its custom field values. When u changes nothing it
// writes nothing and returns the partnership as it is.
func updatePartnership(ctx context.Context, tx *Tx, a pg.Actor, id int64, u pg.PartnershipUpdate) (*PartnershipChange, error) {
	locked, err := lockPartnership(ctx, tx, a, id, u)
	if err != nil {
		return nil, err
	}
	before := &locked.Partnership
	// Authorization before validation, then the records u names.
	if err := a.AuthorizePartnershipChange(before, u.PipelineFields()); err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	owner := pg.Actor{OrganizationID: before.OrganizationID}
	if err := locked.checkReferences(ctx, tx, owner, &u); err != nil {
		return nil, err
	}
	ps := *before
	u.Apply(&ps)
	ps.UpdatedAt = tx.now
	was, is := partnershipEvent{Partnership: before}, partnershipEvent{Partnership: &ps}
	if err := relinkPartnership(ctx, tx, locked, u, &was, &is); err != nil {
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
		return locked.change(before), nil
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
	return locked.change(&ps), tx.emit(ctx, a, changes...)
}

// lockedPartnership is a partnership read for a change, with what the
// change needs to know of its rows: its links, and the counts that check
// the records the change names.
type lockedPartnership struct {
	pg.Partnership
	// tags and users are the partnership's links, when the change sets them.
	tags, users []int64
	// refs, when set, counted the records the change names in counts.
	refs   *referenceCounts
	counts []int
	// tagRows and stage are the tags and the stage the change names, when
	// it names them and they were read (see readNamed).
	tagRows []*pg.Tag
	stage   *pg.Stage
}

// change is the answer of an update that left the partnership as ps.
func (l *lockedPartnership) change(ps *pg.Partnership) *PartnershipChange {
	return &PartnershipChange{Partnership: ps, Tags: l.tagRows, Stage: l.stage}
}

// lockPartnership reads a partnership visible to a in tx, locked until tx
// ends, for the change u. What u needs of its rows is read with it: in the
// same statement behind a single writer, where nothing else writes between
// two statements anyway; elsewhere in a second one once the row is locked,
// so it is read as the transaction that held the lock last left it.
func lockPartnership(ctx context.Context, tx *Tx, a pg.Actor, id int64, u pg.PartnershipUpdate) (*lockedPartnership, error) {
	l := &lockedPartnership{}
	var cols []string
	var args, dest []any
	if u.StageUUID == nil {
		// A stage named by UUID is resolved first: its check waits for it.
		// The stage and the tags u names are read whole later (readNamed).
		c := countReferences(sqlExpr{sql: "t.organization_id"}, sqlExpr{sql: "t.stage_id"}, updateReferences(u, nil), "stageId", "tagIds")
		l.refs, l.counts = &c, make([]int, len(c.cols))
		cols, args = c.cols, c.args
		for i := range l.counts {
			dest = append(dest, &l.counts[i])
		}
	}
	var tags, users sql.NullString
	for _, link := range []struct {
		set        bool
		table, col string
		dest       *sql.NullString
	}{{u.TagIDs != nil, "partnership_tags", "tag_id", &tags}, {u.AssignedUserIDs != nil, "partnership_users", "user_id", &users}} {
		if link.set {
			cols = append(cols, `(SELECT `+tx.db.dialect.idList(link.col)+` FROM `+link.table+` WHERE partnership_id = t.id)`)
			dest = append(dest, link.dest)
		}
	}
	row := `SELECT ` + qualify("t", partnershipCols)
	where := ` FROM partnerships t WHERE t.id = ? AND ` + partnershipVisible
	fields := partnershipFields(&l.Partnership)
	var err error
	switch {
	case len(cols) > 0 && tx.db.dialect.singleWriter():
		err = tx.scan(ctx, append(fields, dest...), row+`, `+strings.Join(cols, ", ")+where,
			append(args, id, a.OrganizationID, a.OrganizationID)...)
	default:
		err = tx.scan(ctx, fields, row+where+tx.db.dialect.forUpdate(), id, a.OrganizationID, a.OrganizationID)
		if err == nil && len(cols) > 0 {
			err = tx.scan(ctx, dest, `SELECT `+strings.Join(cols, ", ")+` FROM partnerships t WHERE t.id = ?`, append(args, id)...)
		}
	}
	if err != nil {
		return nil, notFound(err, "Partnership")
	}
	if l.tags, err = parseIDList(tags); err == nil {
		l.users, err = parseIDList(users)
	}
	return l, err
}

// checkReferences checks the records u names (see checkReferences), from
// the counts read with the partnership when they were.
func (l *lockedPartnership) checkReferences(ctx context.Context, tx *Tx, owner pg.Actor, u *pg.PartnershipUpdate) error {
	if l.refs == nil {
		if err := resolveStageUUID(ctx, tx, owner, u); err != nil {
			return err
		}
		return checkReferences(ctx, tx, owner, updateReferences(*u, l.StageID))
	}
	found, err := l.readNamed(ctx, tx, owner, *u)
	if err != nil {
		return err
	}
	to := u.StageID.Value
	move := u.StageID.Set && l.StageID != nil && to != nil && *l.StageID != *to
	return l.refs.verify(l.counts, found, move)
}

// readNamed reads the stage and the tags u names, owned by owner, in one
// statement: the rows are the check that they exist, and the change's
// answer (a payload shows them). It returns how many of each it found.
func (l *lockedPartnership) readNamed(ctx context.Context, tx *Tx, owner pg.Actor, u pg.PartnershipUpdate) (map[string]int, error) {
	var parts []string
	var args []any
	if to := u.StageID.Value; to != nil {
		parts = append(parts, `SELECT 'stage' AS kind, id, uuid, organization_id, name, position AS ord, created_at, updated_at
			FROM stages WHERE id = ? AND +organization_id = ?`)
		args = append(args, *to, owner.OrganizationID)
	}
	if u.TagIDs != nil {
		l.tagRows = []*pg.Tag{}
		if ids := unique(*u.TagIDs); len(ids) > 0 {
			inList, idArgs := in(ids)
			// +organization_id: each id is found by its key, rather than
			// every tag of the organization scanned for a few.
			parts = append(parts, `SELECT 'tag' AS kind, id, uuid, organization_id, name, 0 AS ord, created_at, updated_at
				FROM tags WHERE id IN `+inList+` AND +organization_id = ?`)
			args = append(append(args, idArgs...), owner.OrganizationID)
		}
	}
	found := map[string]int{}
	if len(parts) == 0 {
		return found, nil
	}
	// Tags in the order the partnership's tags are listed in.
	err := tx.each(ctx, strings.Join(parts, " UNION ALL ")+` ORDER BY 1, 5, 2`, args, func(scan func(...any) error) error {
		var kind string
		var id, org int64
		var uuid, name string
		var ord int32
		var created, updated time.Time
		if err := scan(&kind, &id, &uuid, &org, &name, &ord, &created, &updated); err != nil {
			return err
		}
		if kind == "stage" {
			l.stage = &pg.Stage{ID: id, UUID: uuid, OrganizationID: org, Name: name, Position: ord, CreatedAt: created, UpdatedAt: updated}
			found["stageId"]++
			return nil
		}
		l.tagRows = append(l.tagRows, &pg.Tag{ID: id, UUID: uuid, OrganizationID: org, Name: name, CreatedAt: created, UpdatedAt: updated})
		found["tagIds"]++
		return nil
	})
	return found, err
}

// parseIDList reads a list of ids aggregated by dialect.idList.
func parseIDList(s sql.NullString) ([]int64, error) {
	if !s.Valid || s.String == "" {
		return nil, nil
	}
	parts := strings.Split(s.String, ",")
	ids := make([]int64, len(parts))
	for i, p := range parts {
		id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			return nil, pg.InternalError(fmt.Errorf("read link ids %q: %w", s.String, err))
		}
		ids[i] = id
	}
	return ids, nil
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

// relinkPartnership replaces the link lists u sets, writing only the rows
// that differ, and shows each in the event before and after.
func relinkPartnership(ctx context.Context, tx *Tx, l *lockedPartnership, u pg.PartnershipUpdate, was, is *partnershipEvent) error {
	for _, link := range []struct {
		table, col string
		old        []int64
		ids        *[]int64
		was, is    **[]int64
	}{
		{"partnership_tags", "tag_id", l.tags, u.TagIDs, &was.TagIDs, &is.TagIDs},
		{"partnership_users", "user_id", l.users, u.AssignedUserIDs, &was.AssignedUserIDs, &is.AssignedUserIDs},
	} {
		if link.ids == nil {
			continue
		}
		if err := relink(ctx, tx, link.table, link.col, l.ID, link.old, *link.ids); err != nil {
			return err
		}
		*link.was, *link.is = links(link.old), links(*link.ids)
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
	// Only the columns that change are set: a column set to its own value
	// still costs its foreign key's check and its indexes' rewrite.
	var set []string
	var args []any
	for _, c := range []struct {
		col     string
		changed bool
		value   any
	}{
		{"is_default", ps.IsDefault != before.IsDefault, ps.IsDefault},
		{"is_support", ps.IsSupport != before.IsSupport, ps.IsSupport},
		{"tier_id", !sameID(ps.TierID, before.TierID), ps.TierID},
		{"category_id", !sameID(ps.CategoryID, before.CategoryID), ps.CategoryID},
		{"stage_id", !sameID(ps.StageID, before.StageID), ps.StageID},
		{"fallback_name", !sameText(ps.Name, before.Name), ps.Name},
		{"fallback_logo_square_uuid", !sameText(ps.LogoSquareUUID, before.LogoSquareUUID), ps.LogoSquareUUID},
		{"fallback_website_url", !sameText(ps.WebsiteURL, before.WebsiteURL), ps.WebsiteURL},
		{"fallback_country_label", !sameText(ps.CountryLabel, before.CountryLabel), ps.CountryLabel},
		{"updated_at", true, ps.UpdatedAt},
	} {
		if c.changed {
			set, args = append(set, c.col+" = ?"), append(args, c.value)
		}
	}
	_, err := tx.exec(ctx, `UPDATE partnerships SET `+strings.Join(set, ", ")+` WHERE id = ?`, append(args, ps.ID)...)
	return cleared, err
}

func sameText(a, b *string) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func sameID(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// DeletePartnership deletes a partnership visible to a: its owner's, or a
// project partnership of a partner a's organization is the guest of.
func (db *DB) DeletePartnership(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		locked, err := lockPartnership(ctx, tx, a, id, pg.PartnershipUpdate{})
		if err != nil {
			return err
		}
		ps := &locked.Partnership
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
