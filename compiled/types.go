package compiled

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	pg "partnergraph"
	"partnergraph/loaders"
)

// The object types the planner writes, each with the fields it has a writer
// for. A field missing here (Partner.relationships, Event …) makes the root
// field fall back to gqlgen's executor.

func organizationSpec() *spec[*pg.Organization] {
	return &spec[*pg.Organization]{typename: pg.TypeOrganization, implementors: []string{"Organization", "Node"},
		field: func(_ *planner, _ *object[*pg.Organization], f graphql.CollectedField) (func(*exec, *pg.Organization) error, error) {
			if f.Name == "name" {
				return str(func(o *pg.Organization) string { return o.Name }), nil
			}
			return common(f.Name, pg.TypeOrganization, func(o *pg.Organization) int64 { return o.ID },
				func(o *pg.Organization) string { return o.UUID },
				func(o *pg.Organization) time.Time { return o.CreatedAt }, func(o *pg.Organization) time.Time { return o.UpdatedAt }), nil
		}}
}

// organization plans a record's organization field.
func organization[T any](p *planner, o *object[T], f graphql.CollectedField, key func(T) *int64) (func(*exec, T) error, error) {
	child, err := plan(p, organizationSpec(), f.Selections)
	if err != nil {
		return nil, err
	}
	ed := &one[T, *pg.Organization]{slot: p.slot(), key: key, child: child,
		fetch: func(b loaders.Batches, ctx context.Context, ids []int64) (map[int64]*pg.Organization, error) {
			return b.Organizations(ctx, ids)
		}}
	o.edges = append(o.edges, ed)
	return ed.write, nil
}

func userSpec() *spec[*pg.User] {
	return &spec[*pg.User]{typename: pg.TypeUser, implementors: []string{"User", "Node"},
		field: func(p *planner, o *object[*pg.User], f graphql.CollectedField) (func(*exec, *pg.User) error, error) {
			switch f.Name {
			case "name":
				return str(func(u *pg.User) string { return u.Name }), nil
			case "email":
				return str(func(u *pg.User) string { return u.Email }), nil
			case "role":
				return str(func(u *pg.User) string { return string(u.Role) }), nil
			case "organization":
				return organization(p, o, f, func(u *pg.User) *int64 { return &u.OrganizationID })
			}
			return common(f.Name, pg.TypeUser, func(u *pg.User) int64 { return u.ID }, func(u *pg.User) string { return u.UUID },
				func(u *pg.User) time.Time { return u.CreatedAt }, func(u *pg.User) time.Time { return u.UpdatedAt }), nil
		}}
}

func partnerSpec() *spec[*pg.Partner] {
	return &spec[*pg.Partner]{typename: pg.TypePartner, implementors: []string{"Partner", "Node"},
		field: func(p *planner, o *object[*pg.Partner], f graphql.CollectedField) (func(*exec, *pg.Partner) error, error) {
			switch f.Name {
			case "companyName":
				return str(func(v *pg.Partner) string { return v.CompanyName }), nil
			case "email":
				return str(func(v *pg.Partner) string { return v.Email }), nil
			case "partnerType":
				return str(func(v *pg.Partner) string { return string(v.PartnerType) }), nil
			case "salesAmount":
				return integer(func(v *pg.Partner) int64 { return v.SalesAmount }), nil
			case "frequency":
				return str(func(v *pg.Partner) string { return v.Frequency }), nil
			case "paymentTerms":
				return str(func(v *pg.Partner) string { return v.PaymentTerms }), nil
			case "websiteUrl":
				return optStr(func(v *pg.Partner) *string { return v.WebsiteURL }), nil
			case "logoSquareUuid":
				return optStr(func(v *pg.Partner) *string { return v.LogoSquareUUID }), nil
			case "countryLabel":
				return optStr(func(v *pg.Partner) *string { return v.CountryLabel }), nil
			case "invitationStatus":
				return optStr(func(v *pg.Partner) *string { return (*string)(v.InvitationStatus) }), nil
			case "organization":
				return organization(p, o, f, func(v *pg.Partner) *int64 { return &v.OrganizationID })
			case "guestOrganization":
				return organization(p, o, f, func(v *pg.Partner) *int64 { return v.GuestOrganizationID })
			case "partnerships":
				return nestedPartnerships(p, o, f, loaders.ByPartner, func(v *pg.Partner) int64 { return v.ID })
			}
			return common(f.Name, pg.TypePartner, func(v *pg.Partner) int64 { return v.ID }, func(v *pg.Partner) string { return v.UUID },
				func(v *pg.Partner) time.Time { return v.CreatedAt }, func(v *pg.Partner) time.Time { return v.UpdatedAt }), nil
		}}
}

func nestedPartnerships[T any](p *planner, o *object[T], f graphql.CollectedField, by loaders.Parent, id func(T) int64) (func(*exec, T) error, error) {
	c, err := planConn(p, partnershipSpec(), f.Selections)
	if err != nil {
		return nil, err
	}
	ed := &partnerships[T]{slot: p.slot(), by: by, id: id, field: f.Field, conn: c}
	o.edges = append(o.edges, ed)
	return ed.write, nil
}

func projectSpec() *spec[*pg.Project] {
	return &spec[*pg.Project]{typename: pg.TypeProject, implementors: []string{"Project", "Node"},
		field: func(p *planner, o *object[*pg.Project], f graphql.CollectedField) (func(*exec, *pg.Project) error, error) {
			switch f.Name {
			case "name":
				return str(func(v *pg.Project) string { return v.Name }), nil
			case "organization":
				return organization(p, o, f, func(v *pg.Project) *int64 { return &v.OrganizationID })
			case "partnerships":
				return nestedPartnerships(p, o, f, loaders.ByProject, func(v *pg.Project) int64 { return v.ID })
			}
			return common(f.Name, pg.TypeProject, func(v *pg.Project) int64 { return v.ID }, func(v *pg.Project) string { return v.UUID },
				func(v *pg.Project) time.Time { return v.CreatedAt }, func(v *pg.Project) time.Time { return v.UpdatedAt }), nil
		}}
}

func tierSpec() *spec[*pg.Tier] {
	return &spec[*pg.Tier]{typename: pg.TypeTier, implementors: []string{"Tier", "Node"},
		field: func(_ *planner, _ *object[*pg.Tier], f graphql.CollectedField) (func(*exec, *pg.Tier) error, error) {
			switch f.Name {
			case "name":
				return str(func(v *pg.Tier) string { return v.Name }), nil
			case "rank":
				return integer(func(v *pg.Tier) int64 { return int64(v.Rank) }), nil
			}
			return common(f.Name, pg.TypeTier, func(v *pg.Tier) int64 { return v.ID }, func(v *pg.Tier) string { return v.UUID },
				func(v *pg.Tier) time.Time { return v.CreatedAt }, func(v *pg.Tier) time.Time { return v.UpdatedAt }), nil
		}}
}

func categorySpec() *spec[*pg.Category] {
	return &spec[*pg.Category]{typename: pg.TypeCategory, implementors: []string{"Category", "Node"},
		field: func(_ *planner, _ *object[*pg.Category], f graphql.CollectedField) (func(*exec, *pg.Category) error, error) {
			if f.Name == "name" {
				return str(func(v *pg.Category) string { return v.Name }), nil
			}
			return common(f.Name, pg.TypeCategory, func(v *pg.Category) int64 { return v.ID }, func(v *pg.Category) string { return v.UUID },
				func(v *pg.Category) time.Time { return v.CreatedAt }, func(v *pg.Category) time.Time { return v.UpdatedAt }), nil
		}}
}

func tagSpec() *spec[*pg.Tag] {
	return &spec[*pg.Tag]{typename: pg.TypeTag, implementors: []string{"Tag", "Node"},
		field: func(_ *planner, _ *object[*pg.Tag], f graphql.CollectedField) (func(*exec, *pg.Tag) error, error) {
			if f.Name == "name" {
				return str(func(v *pg.Tag) string { return v.Name }), nil
			}
			return common(f.Name, pg.TypeTag, func(v *pg.Tag) int64 { return v.ID }, func(v *pg.Tag) string { return v.UUID },
				func(v *pg.Tag) time.Time { return v.CreatedAt }, func(v *pg.Tag) time.Time { return v.UpdatedAt }), nil
		}}
}

func stageSpec() *spec[*pg.Stage] {
	return &spec[*pg.Stage]{typename: pg.TypeStage, implementors: []string{"Stage", "Node"},
		field: func(p *planner, o *object[*pg.Stage], f graphql.CollectedField) (func(*exec, *pg.Stage) error, error) {
			switch f.Name {
			case "name":
				return str(func(v *pg.Stage) string { return v.Name }), nil
			case "position":
				return integer(func(v *pg.Stage) int64 { return int64(v.Position) }), nil
			case "allowedNextStages":
				child, err := plan(p, stageSpec(), f.Selections)
				if err != nil {
					return nil, err
				}
				ed := &many[*pg.Stage, *pg.Stage]{slot: p.slot(), id: func(v *pg.Stage) int64 { return v.ID }, child: child,
					fetch: func(b loaders.Batches, ctx context.Context, ids []int64) (map[int64][]*pg.Stage, error) {
						return b.NextStages(ctx, ids)
					}}
				o.edges = append(o.edges, ed)
				return ed.write, nil
			}
			return common(f.Name, pg.TypeStage, func(v *pg.Stage) int64 { return v.ID }, func(v *pg.Stage) string { return v.UUID },
				func(v *pg.Stage) time.Time { return v.CreatedAt }, func(v *pg.Stage) time.Time { return v.UpdatedAt }), nil
		}}
}

func customFieldSpec() *spec[*pg.CustomField] {
	return &spec[*pg.CustomField]{typename: pg.TypeCustomField, implementors: []string{"CustomField", "Node"},
		field: func(p *planner, _ *object[*pg.CustomField], f graphql.CollectedField) (func(*exec, *pg.CustomField) error, error) {
			switch f.Name {
			case "name":
				return str(func(v *pg.CustomField) string { return v.Name }), nil
			case "type":
				return str(func(v *pg.CustomField) string { return string(v.Type) }), nil
			case "options":
				opt, err := plan(p, optionSpec(), f.Selections)
				if err != nil {
					return nil, err
				}
				return func(e *exec, v *pg.CustomField) error {
					e.w.open('[')
					for i := range v.Options {
						e.w.elem()
						if err := opt.write(e, &v.Options[i]); err != nil {
							return err
						}
					}
					e.w.close(']')
					return nil
				}, nil
			}
			return common(f.Name, pg.TypeCustomField, func(v *pg.CustomField) int64 { return v.ID }, func(v *pg.CustomField) string { return v.UUID },
				func(v *pg.CustomField) time.Time { return v.CreatedAt }, func(v *pg.CustomField) time.Time { return v.UpdatedAt }), nil
		}}
}

func optionSpec() *spec[*pg.CustomFieldOption] {
	return &spec[*pg.CustomFieldOption]{typename: "CustomFieldOption", implementors: []string{"CustomFieldOption"},
		field: func(_ *planner, _ *object[*pg.CustomFieldOption], f graphql.CollectedField) (func(*exec, *pg.CustomFieldOption) error, error) {
			switch f.Name {
			case "id":
				return integer(func(v *pg.CustomFieldOption) int64 { return v.ID }), nil
			case "label":
				return str(func(v *pg.CustomFieldOption) string { return v.Label }), nil
			}
			return nil, nil
		}}
}
