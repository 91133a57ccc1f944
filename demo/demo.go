// Package demo fills a database with a realistic demo organization, so a
// newcomer's first GraphiQL session has something to explore.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"

	pg "partnergraph"
	"partnergraph/store"
)

// OrganizationName names the demo organization; Load finds it by this name
// when the database already holds it.
const OrganizationName = "Acme Partner Network"

// Result is what Load made.
type Result struct {
	Organization *pg.Organization
	Admin        *pg.User
	// APIKey is a fresh WRITE key of the demo admin.
	APIKey string
	// Created is false when the database already held data.
	Created bool
}

// Load fills an empty database with demo data and returns a fresh API key.
// On a database that already has the demo organization it only mints a new
// key; on any other non-empty database it does nothing and returns nil.
func Load(ctx context.Context, db *store.DB) (*Result, error) {
	existing, err := db.OrganizationByName(ctx, OrganizationName)
	if err == nil {
		return newKey(ctx, db, existing, false)
	}
	if pg.ErrorCode(err) != pg.NotFound {
		return nil, err
	}
	if n, err := db.CountOrganizations(ctx); err != nil || n > 0 {
		return nil, err
	}
	return create(ctx, db)
}

func newKey(ctx context.Context, db *store.DB, org *pg.Organization, created bool) (*Result, error) {
	admin, err := db.FirstAdmin(ctx, org.ID)
	if err != nil {
		return nil, err
	}
	a := pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, UserID: admin.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
	_, secret, err := db.CreateAPIKey(ctx, a, pg.APIKeyCreate{UserID: admin.ID, Name: "demo", Permission: pg.PermissionWrite})
	if err != nil {
		return nil, err
	}
	return &Result{Organization: org, Admin: admin, APIKey: secret, Created: created}, nil
}

func create(ctx context.Context, db *store.DB) (*Result, error) {
	rng := rand.New(rand.NewPCG(42, 7))
	org, err := db.CreateOrganization(ctx, OrganizationName)
	if err != nil {
		return nil, err
	}
	a := pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
	admin, err := db.CreateUser(ctx, a, pg.UserCreate{Name: "Ada Admin", Email: "ada@acme.example", Role: pg.RoleAdmin})
	if err != nil {
		return nil, err
	}
	a.UserID = admin.ID
	users := []*pg.User{admin}
	for _, u := range [][2]string{{"Grace Hopper", "grace@acme.example"}, {"Alan Turing", "alan@acme.example"}, {"Katherine Johnson", "katherine@acme.example"}} {
		user, err := db.CreateUser(ctx, a, pg.UserCreate{Name: u[0], Email: u[1], Role: pg.RoleMember})
		if err != nil {
			return nil, err
		}
		users = append(users, user)
	}
	var tiers []*pg.Tier
	for i, name := range []string{"Platinum", "Gold", "Silver", "Bronze"} {
		t, err := db.CreateTier(ctx, a, pg.TierCreate{Name: name, Rank: int32(i + 1)})
		if err != nil {
			return nil, err
		}
		tiers = append(tiers, t)
	}
	var categories []*pg.Category
	for _, name := range []string{"Reseller", "Technology", "Referral", "Services"} {
		c, err := db.CreateCategory(ctx, a, pg.CategoryCreate{Name: name})
		if err != nil {
			return nil, err
		}
		categories = append(categories, c)
	}
	// The pipeline: Lead → Qualified → Proposal → Won or Lost; Lost may
	// reopen as Lead. Won is final.
	stage := func(name string, pos int32, next ...*pg.Stage) (*pg.Stage, error) {
		ids := make([]int64, len(next))
		for i, s := range next {
			ids[i] = s.ID
		}
		return db.CreateStage(ctx, a, pg.StageCreate{Name: name, Position: pos, AllowedNextStageIDs: ids})
	}
	won, err := stage("Won", 4)
	if err != nil {
		return nil, err
	}
	lead, err := stage("Lead", 0)
	if err != nil {
		return nil, err
	}
	lost, err := stage("Lost", 5, lead)
	if err != nil {
		return nil, err
	}
	proposal, err := stage("Proposal", 3, won, lost)
	if err != nil {
		return nil, err
	}
	qualified, err := stage("Qualified", 2, proposal, lost)
	if err != nil {
		return nil, err
	}
	if _, err := db.UpdateStage(ctx, a, lead.ID, pg.StageUpdate{AllowedNextStageIDs: &[]int64{qualified.ID, lost.ID}}); err != nil {
		return nil, err
	}
	stages := []*pg.Stage{lead, qualified, proposal, won, lost}
	var tags []*pg.Tag
	for _, name := range []string{"strategic", "emea", "americas", "apac", "co-sell", "marketplace", "renewal-due", "high-touch"} {
		t, err := db.CreateTag(ctx, a, pg.TagCreate{Name: name})
		if err != nil {
			return nil, err
		}
		tags = append(tags, t)
	}
	fields := map[pg.CustomFieldType]*pg.CustomField{}
	for _, f := range []pg.CustomFieldCreate{
		{Name: "Notes", Type: pg.FieldText},
		{Name: "Annual value", Type: pg.FieldNumber},
		{Name: "Renewal date", Type: pg.FieldDate},
		{Name: "Certified", Type: pg.FieldBoolean},
		{Name: "Region", Type: pg.FieldSelect, Options: pg.CustomFieldOptions{{ID: 1, Label: "EMEA"}, {ID: 2, Label: "Americas"}, {ID: 3, Label: "APAC"}}},
		{Name: "Products", Type: pg.FieldMultiSelect, Options: pg.CustomFieldOptions{{ID: 1, Label: "Platform"}, {ID: 2, Label: "Analytics"}, {ID: 3, Label: "Payments"}, {ID: 4, Label: "Support"}}},
	} {
		cf, err := db.CreateCustomField(ctx, a, f)
		if err != nil {
			return nil, err
		}
		fields[f.Type] = cf
	}
	var projects []*pg.Project
	for _, name := range []string{"Q3 Retail Expansion", "Cloud Migration Program", "Northwind Presale", "Marketplace Launch"} {
		p, err := db.CreateProject(ctx, a, pg.ProjectCreate{Name: name})
		if err != nil {
			return nil, err
		}
		projects = append(projects, p)
	}
	companies := []string{"TechCorp Solutions", "Northwind Traders", "Globex", "Initech", "Umbrella Logistics", "Stark Industries",
		"Wayne Enterprises", "Hooli", "Soylent Foods", "Vandelay Industries", "Wonka Supplies", "Cyberdyne Systems",
		"Tyrell Corporation", "Gringotts Finance", "Oceanic Airlines", "Monarch Solutions", "Pied Piper", "Aperture Labs",
		"Black Mesa", "Massive Dynamic"}
	countries := []string{"United States", "Germany", "United Kingdom", "Japan", "Brazil", "France", "Canada", "Australia"}
	for i, name := range companies {
		typ := pg.PartnerTypeCustomer
		if i%3 == 2 {
			typ = pg.PartnerTypeSupplier
		}
		website := fmt.Sprintf("https://www.%s.example", slug(name))
		country := countries[i%len(countries)]
		partner, err := db.CreatePartner(ctx, a, pg.PartnerCreate{
			CompanyName: name, Email: "partners@" + slug(name) + ".example", PartnerType: typ,
			SalesAmount: int64(rng.IntN(5_000_000)), Frequency: []string{"monthly", "quarterly", "yearly"}[i%3],
			PaymentTerms: []string{"Net 30", "Net 45", "Net 60"}[i%3], WebsiteURL: &website, CountryLabel: &country,
		})
		if err != nil {
			return nil, err
		}
		for j := 0; j < 1+i%3; j++ {
			project := projects[(i+j)%len(projects)]
			tier, cat, st := tiers[rng.IntN(len(tiers))], categories[rng.IntN(len(categories))], stages[rng.IntN(len(stages))]
			region, annual, renewal, certified, notes := int64(1+rng.IntN(3)), float64(10_000+rng.IntN(490_000)), fmt.Sprintf("2027-%02d-15", 1+rng.IntN(12)), rng.IntN(2) == 0, "Quarterly business review scheduled."
			_, err := db.CreatePartnership(ctx, a, pg.PartnershipCreate{
				PartnerID: partner.ID, ProjectID: &project.ID, IsDefault: j == 0 && i < len(projects), IsSupport: j == 1,
				TierID: &tier.ID, CategoryID: &cat.ID, StageID: &st.ID,
				AssignedUserIDs: []int64{users[rng.IntN(len(users))].ID, users[rng.IntN(len(users))].ID},
				TagIDs:          []int64{tags[rng.IntN(len(tags))].ID, tags[rng.IntN(len(tags))].ID, tags[rng.IntN(len(tags))].ID},
				CustomFields: []pg.CustomFieldInput{
					{FieldID: fields[pg.FieldText].ID, Text: &notes},
					{FieldID: fields[pg.FieldNumber].ID, Number: &annual},
					{FieldID: fields[pg.FieldDate].ID, Date: &renewal},
					{FieldID: fields[pg.FieldBoolean].ID, Boolean: &certified},
					{FieldID: fields[pg.FieldSelect].ID, Select: &region},
					{FieldID: fields[pg.FieldMultiSelect].ID, MultiSelect: []int64{1, int64(2 + rng.IntN(3))}},
				},
			})
			if err != nil {
				return nil, fmt.Errorf("demo partnership: %w", err)
			}
		}
	}
	return newKey(ctx, db, org, true)
}

func slug(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out = append(out, r)
		case r == ' ' && len(out) > 0 && out[len(out)-1] != '-':
			out = append(out, '-')
		}
	}
	return string(out)
}
