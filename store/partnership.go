package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var partnershipCols = []string{"id", "uuid", "organization_id", "partner_id", "project_id", "is_default", "is_support",
	"tier_id", "category_id", "stage_id", "fallback_name", "fallback_logo_square_uuid", "fallback_website_url",
	"fallback_country_label", "created_at", "updated_at"}

const customFieldValueCols = "partnership_id, field_id, text_value, number_value, date_value, boolean_value, select_value, multi_select_value, updated_at"

// partnershipVisible is who sees a partnership: the organization that owns
// it, and the partner users of its partner (seed 000).
const partnershipVisible = "(t.organization_id = ? OR t.partner_id IN (SELECT id FROM partners WHERE guest_organization_id = ?))"

// ErrStageTransition is the business rule of seed 001's 422.
var ErrStageTransition = &pg.Error{Code: pg.BusinessRule, Field: "stageId", Message: "Stage change not allowed due to business rules."}

func partnershipSpec(a pg.Actor, f pg.PartnershipCriteria, o pg.Order[pg.PartnershipOrderField]) listSpec[*pg.Partnership] {
	s := listSpec[*pg.Partnership]{table: "partnerships", cols: partnershipCols,
		visible: []cond{{"t.organization_id = ?", []any{a.OrganizationID}},
			{"t.partner_id IN (SELECT id FROM partners WHERE guest_organization_id = ?)", []any{a.OrganizationID}}},
		id: func(p *pg.Partnership) int64 { return p.ID }}
	eq := func(col string, v *int64) {
		if v != nil {
			s.where, s.args = append(s.where, "t."+col+" = ?"), append(s.args, *v)
		}
	}
	eq("partner_id", f.PartnerID)
	eq("project_id", f.ProjectID)
	eq("tier_id", f.TierID)
	eq("category_id", f.CategoryID)
	eq("stage_id", f.StageID)
	if f.TagID != nil {
		s.where = append(s.where, "t.id IN (SELECT partnership_id FROM partnership_tags WHERE tag_id = ?)")
		s.args = append(s.args, *f.TagID)
	}
	if f.AssignedUserID != nil {
		s.where = append(s.where, "t.id IN (SELECT partnership_id FROM partnership_users WHERE user_id = ?)")
		s.args = append(s.args, *f.AssignedUserID)
	}
	if f.IsDefault != nil {
		s.where, s.args = append(s.where, "t.is_default = ?"), append(s.args, *f.IsDefault)
	}
	if f.UpdatedSince != nil {
		s.where, s.args = append(s.where, "t.updated_at >= ?"), append(s.args, f.UpdatedSince.UTC())
	}
	if o.Field == pg.PartnershipOrderUpdatedAt {
		s.order = byTime("updated_at", "updated_at", o.Desc, func(p *pg.Partnership) time.Time { return p.UpdatedAt })
	} else {
		s.order = byTime("created_at", "created_at", o.Desc, func(p *pg.Partnership) time.Time { return p.CreatedAt })
	}
	return s
}

// Partnerships lists the partnerships visible to a.
func (db *DB) Partnerships(ctx context.Context, a pg.Actor, f pg.PartnershipCriteria, o pg.Order[pg.PartnershipOrderField], p pg.PageRequest) (pg.List[*pg.Partnership], error) {
	return list(ctx, db.read(), partnershipSpec(a, f, o), p)
}

// PartnershipsByParent lists, for each parent at once, the partnerships
// visible to a whose parentCol ("partner_id" or "project_id") is that parent.
func (db *DB) PartnershipsByParent(ctx context.Context, a pg.Actor, parentCol string, parents []int64, f pg.PartnershipCriteria, o pg.Order[pg.PartnershipOrderField], p pg.PageRequest) (map[int64]pg.List[*pg.Partnership], error) {
	parent := func(ps *pg.Partnership) int64 { return ps.PartnerID }
	if parentCol == "project_id" {
		parent = func(ps *pg.Partnership) int64 { return *ps.ProjectID }
	}
	return listByParent(ctx, db.read(), partnershipSpec(a, f, o), parentCol, parent, parents, p)
}

// CountPartnershipsByParent counts, for each parent, what PartnershipsByParent lists.
func (db *DB) CountPartnershipsByParent(ctx context.Context, a pg.Actor, parentCol string, parents []int64, f pg.PartnershipCriteria) (map[int64]int, error) {
	return countByParent(ctx, db.read(), partnershipSpec(a, f, pg.Order[pg.PartnershipOrderField]{}), parentCol, parents)
}

// Partnership returns a partnership visible to a.
func (db *DB) Partnership(ctx context.Context, a pg.Actor, id int64) (*pg.Partnership, error) {
	return getPartnership(ctx, db.read(), a, id)
}

// PartnershipByUUID returns a partnership visible to a by its UUID.
func (db *DB) PartnershipByUUID(ctx context.Context, a pg.Actor, id string) (*pg.Partnership, error) {
	var p pg.Partnership
	err := db.read().get(ctx, &p, `SELECT `+qualify("t", partnershipCols)+` FROM partnerships t WHERE t.uuid = ? AND `+partnershipVisible, id, a.OrganizationID, a.OrganizationID)
	return &p, notFound(err, "Partnership")
}

func getPartnership(ctx context.Context, r runner, a pg.Actor, id int64) (*pg.Partnership, error) {
	var p pg.Partnership
	err := r.get(ctx, &p, `SELECT `+qualify("t", partnershipCols)+` FROM partnerships t WHERE t.id = ? AND `+partnershipVisible, id, a.OrganizationID, a.OrganizationID)
	return &p, notFound(err, "Partnership")
}

// CreatePartnership creates a partnership of a partner visible to a. Partner
// users (seed 000) create them in their partner's owner's projects.
func (db *DB) CreatePartnership(ctx context.Context, a pg.Actor, c pg.PartnershipCreate) (*pg.Partnership, error) {
	var ps *pg.Partnership
	err := db.inTx(ctx, func(tx *Tx) error {
		partner, err := getPartner(ctx, tx.runner, a, c.PartnerID, false)
		if err != nil {
			return withField(err, "partnerId")
		}
		// The partnership belongs to the partner's owner; every record it
		// references must too.
		owner := pg.Actor{OrganizationID: partner.OrganizationID}
		if c.ProjectID != nil {
			if _, err := projects.get(ctx, tx.runner, owner, *c.ProjectID); err != nil {
				return withField(err, "projectId")
			}
		} else if partner.OrganizationID != a.OrganizationID {
			return pg.InvalidField("projectId", "Partner users create partnerships in a project.")
		}
		if err := checkReferences(ctx, tx, owner, references{tier: c.TierID, category: c.CategoryID, stage: c.StageID,
			users: c.AssignedUserIDs, tags: c.TagIDs}); err != nil {
			return err
		}
		ps = &pg.Partnership{UUID: uuid.NewString(), OrganizationID: partner.OrganizationID, PartnerID: partner.ID,
			ProjectID: c.ProjectID, IsDefault: c.IsDefault, IsSupport: c.IsSupport, TierID: c.TierID, CategoryID: c.CategoryID,
			StageID: c.StageID, CreatedAt: tx.now, UpdatedAt: tx.now}
		if c.FallbackData != nil {
			if err := c.FallbackData.Validate("fallbackData"); err != nil {
				return err
			}
			ps.FallbackData = *c.FallbackData
		}
		if ps.IsDefault {
			if err := clearDefault(ctx, tx, ps.ProjectID, 0); err != nil {
				return err
			}
		}
		ps.ID, err = tx.insert(ctx, `INSERT INTO partnerships (uuid, organization_id, partner_id, project_id, is_default, is_support,
			tier_id, category_id, stage_id, fallback_name, fallback_logo_square_uuid, fallback_website_url, fallback_country_label,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			ps.UUID, ps.OrganizationID, ps.PartnerID, ps.ProjectID, ps.IsDefault, ps.IsSupport, ps.TierID, ps.CategoryID, ps.StageID,
			ps.Name, ps.LogoSquareUUID, ps.WebsiteURL, ps.CountryLabel, ps.CreatedAt, ps.UpdatedAt)
		if err != nil {
			return err
		}
		if _, err := replaceLinks(ctx, tx, "partnership_tags", "tag_id", ps.ID, c.TagIDs); err != nil {
			return err
		}
		if _, err := replaceLinks(ctx, tx, "partnership_users", "user_id", ps.ID, c.AssignedUserIDs); err != nil {
			return err
		}
		if err := setCustomFields(ctx, tx, owner, ps.ID, c.CustomFields); err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: ps.OrganizationID, typ: "partnership.created", resourceType: "Partnership", resourceID: ps.ID,
			after: partnershipEvent{ps, links(c.TagIDs), links(c.AssignedUserIDs)}})
	})
	return ps, err
}

// partnershipEvent is a partnership as events show it: with its links,
// sorted. A nil list is left out (an update that did not touch it), an
// empty one is [].
type partnershipEvent struct {
	*pg.Partnership
	TagIDs          *[]int64 `json:"tagIds,omitempty"`
	AssignedUserIDs *[]int64 `json:"assignedUserIds,omitempty"`
}

// links is a link list as events show it: each id once, in order.
func links(ids []int64) *[]int64 {
	out := append([]int64{}, unique(ids)...)
	slices.Sort(out)
	return &out
}

// UpdatePartnership applies u to a partnership visible to a, in one transaction.
func (db *DB) UpdatePartnership(ctx context.Context, a pg.Actor, id int64, u pg.PartnershipUpdate) (*pg.Partnership, error) {
	var ps *pg.Partnership
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if ps, err = getPartnership(ctx, tx.runner, a, id); err != nil {
			return err
		}
		before := *ps
		owner := pg.Actor{OrganizationID: ps.OrganizationID}
		if u.StageUUID != nil {
			var id int64
			err := tx.get(ctx, &id, `SELECT id FROM stages WHERE uuid = ? AND organization_id = ?`, *u.StageUUID, owner.OrganizationID)
			if err != nil {
				return withField(notFound(err, "Stage"), "stageUuid")
			}
			u.StageID = pg.Some(id)
		}
		var users, tagIDs []int64
		if u.AssignedUserIDs != nil {
			users = *u.AssignedUserIDs
		}
		if u.TagIDs != nil {
			tagIDs = *u.TagIDs
		}
		refs := references{tier: u.TierID.Value, category: u.CategoryID.Value, stage: u.StageID.Value, users: users, tags: tagIDs}
		if u.StageID.Set {
			refs.from = ps.StageID
		}
		if err := checkReferences(ctx, tx, owner, refs); err != nil {
			return err
		}
		if u.StageID.Set {
			ps.StageID = u.StageID.Value
		}
		if u.TierID.Set {
			ps.TierID = u.TierID.Value
		}
		if u.CategoryID.Set {
			ps.CategoryID = u.CategoryID.Value
		}
		if u.IsSupport != nil {
			ps.IsSupport = *u.IsSupport
		}
		if u.IsDefault != nil {
			if *u.IsDefault && !ps.IsDefault {
				if err := clearDefault(ctx, tx, ps.ProjectID, ps.ID); err != nil {
					return err
				}
			}
			ps.IsDefault = *u.IsDefault
		}
		if u.FallbackData.Set {
			ps.FallbackData = pg.FallbackData{}
			if u.FallbackData.Value != nil {
				if err := u.FallbackData.Value.Validate("fallbackData"); err != nil {
					return err
				}
				ps.FallbackData = *u.FallbackData.Value
			}
		}
		ps.UpdatedAt = tx.now
		if _, err := tx.exec(ctx, `UPDATE partnerships SET is_default = ?, is_support = ?, tier_id = ?, category_id = ?, stage_id = ?,
			fallback_name = ?, fallback_logo_square_uuid = ?, fallback_website_url = ?, fallback_country_label = ?, updated_at = ? WHERE id = ?`,
			ps.IsDefault, ps.IsSupport, ps.TierID, ps.CategoryID, ps.StageID, ps.Name, ps.LogoSquareUUID, ps.WebsiteURL,
			ps.CountryLabel, ps.UpdatedAt, ps.ID); err != nil {
			return err
		}
		// The event shows a link list an update replaced, before and after.
		was, is := partnershipEvent{Partnership: &before}, partnershipEvent{Partnership: ps}
		if u.TagIDs != nil {
			old, err := replaceLinks(ctx, tx, "partnership_tags", "tag_id", ps.ID, tagIDs)
			if err != nil {
				return err
			}
			was.TagIDs, is.TagIDs = links(old), links(tagIDs)
		}
		if u.AssignedUserIDs != nil {
			old, err := replaceLinks(ctx, tx, "partnership_users", "user_id", ps.ID, users)
			if err != nil {
				return err
			}
			was.AssignedUserIDs, is.AssignedUserIDs = links(old), links(users)
		}
		if err := setCustomFields(ctx, tx, owner, ps.ID, u.CustomFields); err != nil {
			return err
		}
		payload, err := eventPayload(is, was, ps.ID)
		if err != nil {
			return pg.InternalError(fmt.Errorf("event partnership.updated: %w", err))
		}
		changes := []change{{org: ps.OrganizationID, typ: "partnership.updated", resourceType: "Partnership", resourceID: ps.ID, payload: payload}}
		if !sameID(before.StageID, ps.StageID) {
			changes = append(changes, change{org: ps.OrganizationID, typ: "partnership.stage_changed", resourceType: "Partnership",
				resourceID: ps.ID, payload: payload})
		}
		return tx.emit(ctx, a, changes...)
	})
	return ps, err
}

func sameID(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

// DeletePartnership deletes a partnership visible to a.
func (db *DB) DeletePartnership(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		ps, err := getPartnership(ctx, tx.runner, a, id)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM partnerships WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: ps.OrganizationID, typ: "partnership.deleted", resourceType: "Partnership", resourceID: id,
			after: map[string]any{"databaseId": id, "partnerId": ps.PartnerID, "projectId": ps.ProjectID}})
	})
}

// clearDefault unsets the default flag of the project's partnerships other
// than keep: one default per project.
func clearDefault(ctx context.Context, tx *Tx, project *int64, keep int64) error {
	if project == nil {
		return nil
	}
	_, err := tx.exec(ctx, `UPDATE partnerships SET is_default = ?, updated_at = ? WHERE project_id = ? AND is_default = ? AND id <> ?`,
		false, tx.now, *project, true, keep)
	return err
}

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
	type check struct {
		field, what string
		want        int
	}
	var checks []check
	var cols []string
	var args []any
	owned := func(table, field, what string, ids []int64) {
		if ids = unique(ids); len(ids) == 0 {
			return
		}
		inList, idArgs := in(ids)
		checks = append(checks, check{field, what, len(ids)})
		cols = append(cols, `(SELECT COUNT(*) FROM `+table+` WHERE organization_id = ? AND id IN `+inList+`)`)
		args = append(append(args, owner.OrganizationID), idArgs...)
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
	move := refs.from != nil && refs.stage != nil && *refs.from != *refs.stage
	if move {
		cols = append(cols, `(SELECT COUNT(*) FROM stage_transitions WHERE from_stage_id = ?)`,
			`(SELECT COUNT(*) FROM stage_transitions WHERE from_stage_id = ? AND to_stage_id = ?)`)
		args = append(args, *refs.from, *refs.from, *refs.stage)
	}
	if len(cols) == 0 {
		return nil
	}
	counts := make([]int, len(cols))
	dest := make([]any, len(cols))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := tx.scan(ctx, dest, `SELECT `+strings.Join(cols, ", "), args...); err != nil {
		return err
	}
	for i, c := range checks {
		if counts[i] != c.want {
			return &pg.Error{Code: pg.NotFound, Field: c.field, Message: c.what + " not found."}
		}
	}
	if move && counts[len(checks)] > 0 && counts[len(checks)+1] == 0 {
		return ErrStageTransition
	}
	return nil
}

// replaceLinks replaces a partnership's rows in a link table and returns
// the ids it held before.
func replaceLinks(ctx context.Context, tx *Tx, table, col string, partnership int64, ids []int64) (old []int64, err error) {
	if err := tx.all(ctx, &old, `DELETE FROM `+table+` WHERE partnership_id = ? RETURNING `+col, partnership); err != nil {
		return nil, err
	}
	ids = unique(ids)
	if len(ids) == 0 {
		return old, nil
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?), ", len(ids)), ", ")
	args := make([]any, 0, 2*len(ids))
	for _, id := range ids {
		args = append(args, partnership, id)
	}
	_, err = tx.exec(ctx, `INSERT INTO `+table+` (partnership_id, `+col+`) VALUES `+values, args...)
	return old, err
}

// setCustomFields type-checks each input against its field and stores or
// removes the value.
func setCustomFields(ctx context.Context, tx *Tx, owner pg.Actor, partnership int64, inputs []pg.CustomFieldInput) error {
	if len(inputs) == 0 {
		return nil
	}
	ids := make([]int64, len(inputs))
	for i, in := range inputs {
		ids[i] = in.FieldID
	}
	inList, args := in(unique(ids))
	var fields []*pg.CustomField
	if err := tx.all(ctx, &fields, `SELECT `+strings.Join(customFields.cols, ", ")+` FROM custom_fields WHERE organization_id = ? AND id IN `+inList,
		append([]any{owner.OrganizationID}, args...)...); err != nil {
		return err
	}
	byID := make(map[int64]*pg.CustomField, len(fields))
	for _, f := range fields {
		byID[f.ID] = f
	}
	for _, input := range inputs {
		f, ok := byID[input.FieldID]
		if !ok {
			return &pg.Error{Code: pg.NotFound, Field: input.Path + ".customFieldId", Message: "Custom field not found."}
		}
		v, err := input.Check(f)
		if err != nil {
			return err
		}
		if v == nil {
			if _, err := tx.exec(ctx, `DELETE FROM custom_field_values WHERE partnership_id = ? AND field_id = ?`, partnership, f.ID); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.exec(ctx, `INSERT INTO custom_field_values (`+customFieldValueCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (partnership_id, field_id) DO UPDATE SET text_value = excluded.text_value, number_value = excluded.number_value,
			date_value = excluded.date_value, boolean_value = excluded.boolean_value, select_value = excluded.select_value,
			multi_select_value = excluded.multi_select_value, updated_at = excluded.updated_at`,
			partnership, f.ID, v.Text, v.Number, v.Date, v.Boolean, v.Select, v.MultiSelect, tx.now); err != nil {
			return err
		}
	}
	return nil
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

// TagsByPartnerships loads each partnership's tags, sorted by name, of the
// organizations whose partnerships a reads.
func (db *DB) TagsByPartnerships(ctx context.Context, a pg.Actor, ids []int64) (map[int64][]*pg.Tag, error) {
	inList, args := in(ids)
	scope := readableOrgs("t.organization_id", a)
	out := make(map[int64][]*pg.Tag, len(ids))
	err := db.read().each(ctx, `SELECT l.partnership_id, `+qualify("t", tags.cols)+` FROM partnership_tags l
		JOIN tags t ON t.id = l.tag_id WHERE l.partnership_id IN `+inList+` AND `+scope.sql+` ORDER BY t.name, t.id`, append(args, scope.args...),
		func(scan func(...any) error) error {
			var p int64
			t := &pg.Tag{}
			if err := scan(&p, &t.ID, &t.UUID, &t.OrganizationID, &t.Name, &t.CreatedAt, &t.UpdatedAt); err != nil {
				return err
			}
			out[p] = append(out[p], t)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("load partnership tags: %w", err)
	}
	return out, nil
}

// UsersByPartnerships loads each partnership's assigned users, sorted by
// name, of the organizations whose partnerships a reads.
func (db *DB) UsersByPartnerships(ctx context.Context, a pg.Actor, ids []int64) (map[int64][]*pg.User, error) {
	inList, args := in(ids)
	scope := readableOrgs("t.organization_id", a)
	out := make(map[int64][]*pg.User, len(ids))
	err := db.read().each(ctx, `SELECT l.partnership_id, `+qualify("t", userCols)+` FROM partnership_users l
		JOIN users t ON t.id = l.user_id WHERE l.partnership_id IN `+inList+` AND `+scope.sql+` ORDER BY t.name, t.id`, append(args, scope.args...),
		func(scan func(...any) error) error {
			var p int64
			u := &pg.User{}
			if err := scan(&p, &u.ID, &u.UUID, &u.OrganizationID, &u.Name, &u.Email, (*string)(&u.Role), &u.CreatedAt, &u.UpdatedAt); err != nil {
				return err
			}
			out[p] = append(out[p], u)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("load assigned users: %w", err)
	}
	return out, nil
}

// CustomFieldValuesByPartnerships loads each partnership's custom field
// values, each with the field it is a value of (also returned once each),
// in one statement: a value is never shown without its field. Only fields of
// the organizations whose partnerships a reads are read. Each row carries
// its field's columns, but a field is built, and its options (JSON)
// decoded, once.
func (db *DB) CustomFieldValuesByPartnerships(ctx context.Context, a pg.Actor, ids []int64) (map[int64][]*pg.CustomFieldValue, []*pg.CustomField, error) {
	inList, args := in(ids)
	scope := readableOrgs("f.organization_id", a)
	out := make(map[int64][]*pg.CustomFieldValue, len(ids))
	byID := map[int64]*pg.CustomField{}
	var fields []*pg.CustomField
	var f pg.CustomField
	var options []byte
	err := db.read().each(ctx, `SELECT v.`+strings.ReplaceAll(customFieldValueCols, ", ", ", v.")+`, `+qualify("f", customFields.cols[1:])+`
		FROM custom_field_values v JOIN custom_fields f ON f.id = v.field_id
		WHERE v.partnership_id IN `+inList+` AND `+scope.sql+` ORDER BY v.partnership_id, v.field_id`, append(args, scope.args...),
		func(scan func(...any) error) error {
			v := &pg.CustomFieldValue{}
			if err := scan(&v.PartnershipID, &v.FieldID, &v.Text, &v.Number, &v.Date, &v.Boolean, &v.Select, &v.MultiSelect, &v.UpdatedAt,
				&f.UUID, &f.OrganizationID, &f.Name, (*string)(&f.Type), &options, &f.CreatedAt, &f.UpdatedAt); err != nil {
				return err
			}
			if v.Field = byID[v.FieldID]; v.Field == nil {
				field := f
				field.ID = v.FieldID
				if len(options) > 0 {
					if err := field.Options.Scan(options); err != nil {
						return fmt.Errorf("options of field %d: %w", field.ID, err)
					}
				}
				v.Field, byID[field.ID] = &field, &field
				fields = append(fields, &field)
			}
			out[v.PartnershipID] = append(out[v.PartnershipID], v)
			return nil
		})
	if err != nil {
		return nil, nil, fmt.Errorf("load custom field values: %w", err)
	}
	return out, fields, nil
}
