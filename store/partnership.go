package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	pg "partnergraph"
)

var partnershipCols = []string{"id", "uuid", "organization_id", "partner_id", "project_id", "is_default", "is_support",
	"tier_id", "category_id", "stage_id", "fallback_name", "fallback_logo_square_uuid", "fallback_website_url",
	"fallback_country_label", "created_at", "updated_at"}

// partnershipFields are the destinations of partnershipCols, in their
// order, for a scan without reflection.
func partnershipFields(p *pg.Partnership) []any {
	return []any{&p.ID, &p.UUID, &p.OrganizationID, &p.PartnerID, &p.ProjectID, &p.IsDefault, &p.IsSupport, &p.TierID,
		&p.CategoryID, &p.StageID, &p.Name, &p.LogoSquareUUID, &p.WebsiteURL, &p.CountryLabel, &p.CreatedAt, &p.UpdatedAt}
}

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
	if f.FiltersPipeline() {
		// A filter matches the pipeline as a reads it: a partner user reads
		// the owner's as unset, so it matches none of the owner's
		// partnerships, and nobody learns which are in a stage by asking.
		s.where, s.args = append(s.where, "t.organization_id = ?"), append(s.args, a.OrganizationID)
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
	l, err := list(ctx, db.read(), partnershipSpec(a, f, o), p)
	a.ScopePipeline(l.Items...)
	return l, err
}

// PartnershipsByParent lists, for each parent at once, the partnerships
// visible to a whose parentCol ("partner_id" or "project_id") is that parent.
func (db *DB) PartnershipsByParent(ctx context.Context, a pg.Actor, parentCol string, parents []int64, f pg.PartnershipCriteria, o pg.Order[pg.PartnershipOrderField], p pg.PageRequest) (map[int64]pg.List[*pg.Partnership], error) {
	parent := func(ps *pg.Partnership) int64 { return ps.PartnerID }
	if parentCol == "project_id" {
		parent = func(ps *pg.Partnership) int64 { return *ps.ProjectID }
	}
	lists, err := listByParent(ctx, db.read(), partnershipSpec(a, f, o), parentCol, parent, parents, p)
	for _, l := range lists {
		a.ScopePipeline(l.Items...)
	}
	return lists, err
}

// CountPartnershipsByParent counts, for each parent, what PartnershipsByParent lists.
func (db *DB) CountPartnershipsByParent(ctx context.Context, a pg.Actor, parentCol string, parents []int64, f pg.PartnershipCriteria) (map[int64]int, error) {
	return countByParent(ctx, db.read(), partnershipSpec(a, f, pg.Order[pg.PartnershipOrderField]{}), parentCol, parents)
}

// Partnership returns a partnership visible to a.
func (db *DB) Partnership(ctx context.Context, a pg.Actor, id int64) (*pg.Partnership, error) {
	p, err := getPartnership(ctx, db.read(), a, id)
	a.ScopePipeline(p)
	return p, err
}

// PartnershipByUUID returns a partnership visible to a by its UUID, in any case.
func (db *DB) PartnershipByUUID(ctx context.Context, a pg.Actor, id string) (*pg.Partnership, error) {
	var p pg.Partnership
	err := db.read().get(ctx, &p, `SELECT `+qualify("t", partnershipCols)+` FROM partnerships t WHERE t.uuid = ? AND `+partnershipVisible,
		canonicalUUID(id), a.OrganizationID, a.OrganizationID)
	a.ScopePipeline(&p)
	return &p, notFound(err, "Partnership")
}

func getPartnership(ctx context.Context, r runner, a pg.Actor, id int64) (*pg.Partnership, error) {
	var p pg.Partnership
	err := r.get(ctx, &p, `SELECT `+qualify("t", partnershipCols)+` FROM partnerships t WHERE t.id = ? AND `+partnershipVisible, id, a.OrganizationID, a.OrganizationID)
	return &p, notFound(err, "Partnership")
}

// TagsByPartnerships loads each partnership's tags, sorted by name, of the
// partnerships whose pipeline a reads (ownScope).
func (db *DB) TagsByPartnerships(ctx context.Context, a pg.Actor, ids []int64) (map[int64][]*pg.Tag, error) {
	inList, args := in(ids)
	scope := linkedScope(db.dialect, "t.organization_id", a)
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
// name, of the partnerships whose pipeline a reads (ownScope).
func (db *DB) UsersByPartnerships(ctx context.Context, a pg.Actor, ids []int64) (map[int64][]*pg.User, error) {
	inList, args := in(ids)
	scope := linkedScope(db.dialect, "t.organization_id", a)
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
// in one statement: a value is never shown without its field. Only values of
// the partnerships whose pipeline a reads (ownScope) are read. Each row carries
// its field's columns, but a field is built, and its options (JSON)
// decoded, once.
func (db *DB) CustomFieldValuesByPartnerships(ctx context.Context, a pg.Actor, ids []int64) (map[int64][]*pg.CustomFieldValue, []*pg.CustomField, error) {
	inList, args := in(ids)
	scope := ownScope("f.organization_id", a)
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
