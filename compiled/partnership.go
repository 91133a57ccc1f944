package compiled

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	pg "partnergraph"
	"partnergraph/loaders"
)

func partnershipSpec() *spec[*pg.Partnership] {
	return &spec[*pg.Partnership]{typename: pg.TypePartnership, implementors: []string{"Partnership", "Node"}, field: partnershipField}
}

func partnershipField(p *planner, o *object[*pg.Partnership], f graphql.CollectedField) (func(*exec, *pg.Partnership) error, error) {
	switch f.Name {
	case "isDefault":
		return boolean(func(v *pg.Partnership) bool { return v.IsDefault }), nil
	case "isSupport":
		return boolean(func(v *pg.Partnership) bool { return v.IsSupport }), nil
	case "viewerCanReadPipeline":
		return viewerCan(func(a pg.Actor, v *pg.Partnership) bool { return a.CanReadPipeline(v) }), nil
	case "viewerCanUpdatePipeline":
		return viewerCan(func(a pg.Actor, v *pg.Partnership) bool { return a.CanWrite() && a.OwnsPartnership(v) }), nil
	case "organization":
		return organization(p, o, f, func(v *pg.Partnership) *int64 { return &v.OrganizationID })
	case "partner":
		child, err := plan(p, partnerSpec(), f.Selections)
		if err != nil {
			return nil, err
		}
		ed := &one[*pg.Partnership, *pg.Partner]{slot: p.slot(), key: func(v *pg.Partnership) *int64 { return &v.PartnerID }, child: child,
			fetch: func(b loaders.Batches, ctx context.Context, ids []int64) (map[int64]*pg.Partner, error) {
				return b.Partners(ctx, ids)
			}}
		o.edges = append(o.edges, ed)
		return ed.write, nil
	case "tier", "category", "stage", "project":
		return reference(p, o, f)
	case "tags":
		return list(p, o, tagSpec(), f, func(b loaders.Batches, ctx context.Context, ids []int64) (map[int64][]*pg.Tag, error) {
			return b.Tags(ctx, ids)
		})
	case "assignedUsers":
		return list(p, o, userSpec(), f, func(b loaders.Batches, ctx context.Context, ids []int64) (map[int64][]*pg.User, error) {
			return b.AssignedUsers(ctx, ids)
		})
	case "customFieldValues":
		return list(p, o, valueSpec(), f, func(b loaders.Batches, ctx context.Context, ids []int64) (map[int64][]*pg.CustomFieldValue, error) {
			values, _, err := b.CustomValues(ctx, ids)
			return values, err
		})
	case "fallbackData":
		fd, err := plan(p, fallbackSpec(), f.Selections)
		if err != nil {
			return nil, err
		}
		return func(e *exec, v *pg.Partnership) error {
			if d := v.Fallback(); d != nil {
				return fd.write(e, d)
			}
			e.w.null()
			return nil
		}, nil
	}
	return common(f.Name, pg.TypePartnership, func(v *pg.Partnership) int64 { return v.ID }, func(v *pg.Partnership) string { return v.UUID },
		func(v *pg.Partnership) time.Time { return v.CreatedAt }, func(v *pg.Partnership) time.Time { return v.UpdatedAt }), nil
}

// viewerCan writes what the request's actor may do with a partnership, as
// the resolvers decide it; without an actor gqlgen answers.
func viewerCan(may func(pg.Actor, *pg.Partnership) bool) func(*exec, *pg.Partnership) error {
	return func(e *exec, v *pg.Partnership) error {
		a, ok := pg.ActorFrom(e.ctx)
		if !ok {
			return errFallback
		}
		e.w.bool(may(a, v))
		return nil
	}
}

// list plans a list edge of a partnership.
func list[C any](p *planner, o *object[*pg.Partnership], s *spec[C], f graphql.CollectedField,
	fetch func(b loaders.Batches, ctx context.Context, ids []int64) (map[int64][]C, error)) (func(*exec, *pg.Partnership) error, error) {
	child, err := plan(p, s, f.Selections)
	if err != nil {
		return nil, err
	}
	ed := &many[*pg.Partnership, C]{slot: p.slot(), id: func(v *pg.Partnership) int64 { return v.ID }, fetch: fetch, child: child}
	o.edges = append(o.edges, ed)
	return ed.write, nil
}

// reference plans a tier, category, stage or project field on the node's
// one references statement.
func reference(p *planner, o *object[*pg.Partnership], f graphql.CollectedField) (func(*exec, *pg.Partnership) error, error) {
	var r *refs
	for _, ed := range o.edges {
		if found, ok := ed.(*refs); ok {
			r = found
		}
	}
	if r == nil {
		r = &refs{slot: p.slot()}
		o.edges = append(o.edges, r)
	}
	switch f.Name {
	case "tier":
		child, err := plan(p, tierSpec(), f.Selections)
		if err != nil {
			return nil, err
		}
		r.tier = true
		return ref(r.slot, func(v *pg.Partnership) *int64 { return v.TierID }, func(m *refMaps) map[int64]*pg.Tier { return m.tiers }, child), nil
	case "category":
		child, err := plan(p, categorySpec(), f.Selections)
		if err != nil {
			return nil, err
		}
		r.cat = true
		return ref(r.slot, func(v *pg.Partnership) *int64 { return v.CategoryID }, func(m *refMaps) map[int64]*pg.Category { return m.categories }, child), nil
	case "stage":
		child, err := plan(p, stageSpec(), f.Selections)
		if err != nil {
			return nil, err
		}
		r.stage = true
		r.stages = append(r.stages, child)
		return ref(r.slot, func(v *pg.Partnership) *int64 { return v.StageID }, func(m *refMaps) map[int64]*pg.Stage { return m.stages }, child), nil
	default:
		child, err := plan(p, projectSpec(), f.Selections)
		if err != nil {
			return nil, err
		}
		r.proj = true
		r.projects = append(r.projects, child)
		return ref(r.slot, func(v *pg.Partnership) *int64 { return v.ProjectID }, func(m *refMaps) map[int64]*pg.Project { return m.projects }, child), nil
	}
}

func valueSpec() *spec[*pg.CustomFieldValue] {
	return &spec[*pg.CustomFieldValue]{typename: "CustomFieldValue", implementors: []string{"CustomFieldValue"}, field: valueField}
}

func valueField(p *planner, _ *object[*pg.CustomFieldValue], f graphql.CollectedField) (func(*exec, *pg.CustomFieldValue) error, error) {
	switch f.Name {
	case "field":
		field, err := plan(p, customFieldSpec(), f.Selections)
		if err != nil {
			return nil, err
		}
		return func(e *exec, v *pg.CustomFieldValue) error {
			if v.Field == nil {
				return errFallback
			}
			return field.write(e, v.Field)
		}, nil
	case "text":
		return optStr(func(v *pg.CustomFieldValue) *string { return v.Text }), nil
	case "number":
		return optFloat(func(v *pg.CustomFieldValue) *float64 { return v.Number }), nil
	case "date":
		return optStr(func(v *pg.CustomFieldValue) *string { return v.Date }), nil
	case "boolean":
		return optBool(func(v *pg.CustomFieldValue) *bool { return v.Boolean }), nil
	case "updatedAt":
		return timestamp(func(v *pg.CustomFieldValue) time.Time { return v.UpdatedAt }), nil
	case "select", "multiSelect":
		opt, err := plan(p, optionSpec(), f.Selections)
		if err != nil {
			return nil, err
		}
		if f.Name == "select" {
			return func(e *exec, v *pg.CustomFieldValue) error { return writeSelected(e, opt, v) }, nil
		}
		return func(e *exec, v *pg.CustomFieldValue) error { return writeMultiSelected(e, opt, v) }, nil
	}
	return nil, nil
}

// writeSelected writes a SELECT value's option as SelectedOption finds it,
// without copying it.
func writeSelected(e *exec, opt *object[*pg.CustomFieldOption], v *pg.CustomFieldValue) error {
	if v.Select != nil && v.Field != nil {
		for i := range v.Field.Options {
			if o := &v.Field.Options[i]; o.ID == *v.Select {
				return opt.write(e, o)
			}
		}
	}
	e.w.null()
	return nil
}

// writeMultiSelected writes a MULTI_SELECT value's options as
// SelectedOptions finds them.
func writeMultiSelected(e *exec, opt *object[*pg.CustomFieldOption], v *pg.CustomFieldValue) error {
	if v.MultiSelect == nil || v.Field == nil {
		e.w.null()
		return nil
	}
	e.w.open('[')
	for _, id := range v.MultiSelect {
		for i := range v.Field.Options {
			if o := &v.Field.Options[i]; o.ID == id {
				e.w.elem()
				if err := opt.write(e, o); err != nil {
					return err
				}
				break
			}
		}
	}
	e.w.close(']')
	return nil
}

func fallbackSpec() *spec[*pg.FallbackData] {
	return &spec[*pg.FallbackData]{typename: "FallbackData", implementors: []string{"FallbackData"},
		field: func(_ *planner, _ *object[*pg.FallbackData], f graphql.CollectedField) (func(*exec, *pg.FallbackData) error, error) {
			switch f.Name {
			case "name":
				return optStr(func(v *pg.FallbackData) *string { return v.Name }), nil
			case "logoSquareUuid":
				return optStr(func(v *pg.FallbackData) *string { return v.LogoSquareUUID }), nil
			case "websiteUrl":
				return optStr(func(v *pg.FallbackData) *string { return v.WebsiteURL }), nil
			case "countryLabel":
				return optStr(func(v *pg.FallbackData) *string { return v.CountryLabel }), nil
			}
			return nil, nil
		}}
}
