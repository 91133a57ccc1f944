package compiled_test

import (
	"context"
	"fmt"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// caller is one actor of the differential test: an API key and the
// organization headers it sends.
type caller struct {
	name   string
	key    string
	header map[string]string
}

// dataset is what the generator draws ids from: global IDs of records of
// every organization, including some that do not exist.
type dataset struct {
	callers []caller
	ids     map[string][]string // by type
}

// seed fills a database with an organization rich in nulls, missing edges,
// every custom field type and strings that need escaping; a second
// organization whose records must stay invisible; one that reads the first
// through a connection; the guest organization of one of its partners; and
// one with no data.
func seed(t testing.TB, env *pgtest.Env) *dataset {
	t.Helper()
	ctx := context.Background()
	d := &dataset{ids: map[string][]string{}}
	add := func(typ string, id int64) { d.ids[typ] = append(d.ids[typ], pg.GlobalID(typ, id)) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	acme, other := env.Org(t, "Acme"), env.Org(t, "Other")
	reader, guest, empty := env.Org(t, "Reader"), env.Org(t, "Guest"), env.Org(t, "Empty")
	for _, org := range []*pgtest.Org{acme, other} {
		a := org.Actor()
		odd := org == other
		var tiers, cats, stages, tags, users, projects []int64
		for i, name := range []string{"Gold", "Silver \"Σ\" <b>&", "Bronze\n\t\\"} {
			tier, err := env.DB.CreateTier(ctx, a, pg.TierCreate{Name: name, Rank: int32(i + 1)})
			must(err)
			tiers = append(tiers, tier.ID)
			add(pg.TypeTier, tier.ID)
		}
		for _, name := range []string{"Reseller", "Referral"} {
			c, err := env.DB.CreateCategory(ctx, a, pg.CategoryCreate{Name: name})
			must(err)
			cats = append(cats, c.ID)
			add(pg.TypeCategory, c.ID)
		}
		won, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Won", Position: 3})
		must(err)
		lost, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Lost", Position: 4})
		must(err)
		lead, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Lead", Position: 1, AllowedNextStageIDs: []int64{won.ID, lost.ID}})
		must(err)
		stages = []int64{lead.ID, won.ID, lost.ID}
		for _, s := range stages {
			add(pg.TypeStage, s)
		}
		for _, name := range []string{"strategic", "emea", "renewal \u2028 \x01"} {
			tag, err := env.DB.CreateTag(ctx, a, pg.TagCreate{Name: name})
			must(err)
			tags = append(tags, tag.ID)
			add(pg.TypeTag, tag.ID)
		}
		users = append(users, org.Admin.ID)
		for i := range 2 {
			u, err := env.DB.CreateUser(ctx, a, pg.UserCreate{Name: fmt.Sprintf("Zed %d", i), Email: fmt.Sprintf("zed%d@%d.example", i, org.ID), Role: pg.RoleMember})
			must(err)
			users = append(users, u.ID)
		}
		for _, u := range users {
			add(pg.TypeUser, u)
		}
		for _, name := range []string{"Presale", "Renewal"} {
			p, err := env.DB.CreateProject(ctx, a, pg.ProjectCreate{Name: name})
			must(err)
			projects = append(projects, p.ID)
			add(pg.TypeProject, p.ID)
		}
		fields := map[pg.CustomFieldType]int64{}
		for _, f := range []struct {
			typ  pg.CustomFieldType
			opts pg.CustomFieldOptions
		}{{pg.FieldText, nil}, {pg.FieldNumber, nil}, {pg.FieldDate, nil}, {pg.FieldBoolean, nil},
			{pg.FieldSelect, pg.CustomFieldOptions{{ID: 1, Label: "EMEA"}, {ID: 2, Label: "APAC"}}},
			{pg.FieldMultiSelect, pg.CustomFieldOptions{{ID: 1, Label: "Platform"}, {ID: 2, Label: "Payments"}, {ID: 3, Label: "Ads"}}}} {
			cf, err := env.DB.CreateCustomField(ctx, a, pg.CustomFieldCreate{Name: "Field " + string(f.typ), Type: f.typ, Options: f.opts})
			must(err)
			fields[f.typ] = cf.ID
			add(pg.TypeCustomField, cf.ID)
		}
		web, country := "https://example.com/?a=1&b=<2>", "Côte d'Ivoire"
		for i := range 7 {
			c := pg.PartnerCreate{CompanyName: fmt.Sprintf("Partner %d %s", i, map[bool]string{true: "Ω", false: "\"q\""}[i%2 == 0]),
				Email: fmt.Sprintf("p%d@example.com", i), PartnerType: pg.PartnerTypeCustomer, SalesAmount: int64(i * 1000),
				Frequency: "monthly", PaymentTerms: "Net 30"}
			if i%3 == 1 {
				c.PartnerType, c.WebsiteURL, c.CountryLabel = pg.PartnerTypeSupplier, &web, &country
			}
			p, err := env.DB.CreatePartner(ctx, a, c)
			must(err)
			add(pg.TypePartner, p.ID)
			if i == 2 && !odd {
				_, token, err := env.DB.InvitePartner(ctx, a, p.ID)
				must(err)
				_, err = env.DB.AcceptPartnerInvitation(ctx, guest.Actor(), token)
				must(err)
			}
			if i == 4 && !odd {
				_, _, err := env.DB.InvitePartner(ctx, a, p.ID)
				must(err)
			}
			for j := range i % 4 {
				k := i + j
				text, num, date, yes, sel := fmt.Sprintf("note %d \\ \"x\"", k), float64(k)*1.25e-3+1e21*float64(k%2), "2024-02-29", k%2 == 0, int64(k%2+1)
				c := pg.PartnershipCreate{PartnerID: p.ID, IsSupport: k%2 == 1, AssignedUserIDs: users[:k%len(users)], TagIDs: tags[:k%(len(tags)+1)]}
				if k%3 != 0 {
					c.ProjectID, c.TierID, c.StageID = &projects[k%2], &tiers[k%3], &stages[k%3]
				}
				if k%4 == 1 {
					c.CategoryID = &cats[k%2]
				}
				if k%3 == 2 {
					name := "Fallback \u00e9"
					c.FallbackData = &pg.FallbackData{Name: &name, WebsiteURL: &web}
				}
				if k%2 == 0 {
					c.CustomFields = []pg.CustomFieldInput{{FieldID: fields[pg.FieldText], Text: &text}, {FieldID: fields[pg.FieldNumber], Number: &num},
						{FieldID: fields[pg.FieldDate], Date: &date}, {FieldID: fields[pg.FieldBoolean], Boolean: &yes},
						{FieldID: fields[pg.FieldSelect], Select: &sel}, {FieldID: fields[pg.FieldMultiSelect], MultiSelect: []int64{3, 1}}}
				}
				ps, err := env.DB.CreatePartnership(ctx, a, c)
				must(err)
				add(pg.TypePartnership, ps.ID)
			}
		}
		add(pg.TypeOrganization, org.ID)
	}
	_, err := env.DB.GrantConnection(ctx, acme.Actor(), pg.ConnectionGrant{GranteeOrganizationID: reader.ID, Access: pg.PermissionRead})
	must(err)
	// Ids that name nothing, and an id of another type's shape.
	for _, typ := range []string{pg.TypePartner, pg.TypePartnership, pg.TypeTier, pg.TypeStage, pg.TypeTag, pg.TypeUser, pg.TypeProject} {
		add(typ, 999999)
	}
	d.ids["bogus"] = []string{"bm90LWFuLWlk", "", "UGFydG5lcjox=="}
	d.callers = []caller{
		{name: "write", key: acme.Write},
		{name: "read", key: acme.Read},
		{name: "connected", key: reader.Read, header: map[string]string{"Target-Organization-ID": acme.UUID}},
		{name: "partner-user", key: guest.Read},
		{name: "empty", key: empty.Read},
	}
	return d
}
