package resolvers_test

import (
	"context"
	"fmt"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// world is one organization's reference data, made through the store.
type world struct {
	org                         *pgtest.Org
	tier, tier2                 *pg.Tier
	category                    *pg.Category
	lead, qualified, won, lost  *pg.Stage
	tags                        []*pg.Tag
	member                      *pg.User
	project                     *pg.Project
	text, number, date, boolean *pg.CustomField
	single, multi               *pg.CustomField
}

func newWorld(t testing.TB, env *pgtest.Env, name string) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{org: env.Org(t, name)}
	a := w.org.Actor()
	var err error
	must := func(e error) {
		t.Helper()
		if e != nil {
			t.Fatal(e)
		}
	}
	w.tier, err = env.DB.CreateTier(ctx, a, pg.TierCreate{Name: "Gold", Rank: 1})
	must(err)
	w.tier2, err = env.DB.CreateTier(ctx, a, pg.TierCreate{Name: "Silver", Rank: 2})
	must(err)
	w.category, err = env.DB.CreateCategory(ctx, a, pg.CategoryCreate{Name: "Reseller"})
	must(err)
	w.won, err = env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Won", Position: 3})
	must(err)
	w.lost, err = env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Lost", Position: 4})
	must(err)
	w.qualified, err = env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Qualified", Position: 2, AllowedNextStageIDs: []int64{w.won.ID, w.lost.ID}})
	must(err)
	w.lead, err = env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Lead", Position: 1, AllowedNextStageIDs: []int64{w.qualified.ID}})
	must(err)
	for _, n := range []string{"strategic", "emea", "renewal"} {
		tag, err := env.DB.CreateTag(ctx, a, pg.TagCreate{Name: n})
		must(err)
		w.tags = append(w.tags, tag)
	}
	w.member, err = env.DB.CreateUser(ctx, a, pg.UserCreate{Name: "Mia Member", Email: "mia@" + fmt.Sprint(w.org.ID) + ".example", Role: pg.RoleMember})
	must(err)
	w.project, err = env.DB.CreateProject(ctx, a, pg.ProjectCreate{Name: "Presale " + name})
	must(err)
	for _, f := range []struct {
		dst  **pg.CustomField
		name string
		typ  pg.CustomFieldType
		opts pg.CustomFieldOptions
	}{
		{&w.text, "Notes", pg.FieldText, nil},
		{&w.number, "Value", pg.FieldNumber, nil},
		{&w.date, "Renewal", pg.FieldDate, nil},
		{&w.boolean, "Certified", pg.FieldBoolean, nil},
		{&w.single, "Region", pg.FieldSelect, pg.CustomFieldOptions{{ID: 1, Label: "EMEA"}, {ID: 2, Label: "APAC"}}},
		{&w.multi, "Products", pg.FieldMultiSelect, pg.CustomFieldOptions{{ID: 1, Label: "Platform"}, {ID: 2, Label: "Payments"}}},
	} {
		*f.dst, err = env.DB.CreateCustomField(ctx, a, pg.CustomFieldCreate{Name: f.name, Type: f.typ, Options: f.opts})
		must(err)
	}
	return w
}

// partner creates a partner through the store.
func (w *world) partner(t testing.TB, env *pgtest.Env, name string) *pg.Partner {
	t.Helper()
	p, err := env.DB.CreatePartner(context.Background(), w.org.Actor(), pg.PartnerCreate{
		CompanyName: name, Email: "hello@example.com", PartnerType: pg.PartnerTypeCustomer,
		SalesAmount: 1000, Frequency: "monthly", PaymentTerms: "Net 30",
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// partnership creates a fully linked partnership of w's project through
// the store.
func (w *world) partnership(t testing.TB, env *pgtest.Env, p *pg.Partner) *pg.Partnership {
	t.Helper()
	return w.partnershipIn(t, env, p, &w.project.ID)
}

// partnershipIn creates a fully linked partnership of a project (a partner
// has one per project at most) through the store.
func (w *world) partnershipIn(t testing.TB, env *pgtest.Env, p *pg.Partner, project *int64) *pg.Partnership {
	t.Helper()
	text, num, sel := "notes", 42.5, int64(1)
	ps, err := env.DB.CreatePartnership(context.Background(), w.org.Actor(), pg.PartnershipCreate{
		PartnerID: p.ID, ProjectID: project, TierID: &w.tier.ID, CategoryID: &w.category.ID, StageID: &w.lead.ID,
		AssignedUserIDs: []int64{w.org.Admin.ID, w.member.ID}, TagIDs: []int64{w.tags[0].ID, w.tags[1].ID},
		CustomFields: []pg.CustomFieldInput{
			{FieldID: w.text.ID, Text: &text}, {FieldID: w.number.ID, Number: &num},
			{FieldID: w.single.ID, Select: &sel}, {FieldID: w.multi.ID, MultiSelect: []int64{1, 2}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

func gid(typ string, id int64) string { return pg.GlobalID(typ, id) }

func storeKey(user int64) pg.APIKeyCreate {
	return pg.APIKeyCreate{UserID: user, Name: "member", Permission: pg.PermissionWrite}
}
