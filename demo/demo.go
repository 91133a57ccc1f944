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

// KeyName names the API keys Load mints for the demo admin. Each Load
// revokes the active keys of that name before minting the next, so
// restarting serve --demo leaves one working demo key, the one it printed.
const KeyName = "demo"

// Result is what Load made.
type Result struct {
	Organization *pg.Organization
	Admin        *pg.User
	// APIKey is a fresh WRITE key of the demo admin.
	APIKey string
	// Revoked counts the earlier demo keys this Load revoked.
	Revoked int
	// Created is false when the database already held the demo data.
	Created bool
}

// Load fills an empty database with demo data and returns a fresh API key.
// On a database that already has the demo organization it revokes the demo
// keys minted before and mints a new one (a key is shown once and stored
// hashed, so an earlier one cannot be shown again); on any other non-empty
// database it does nothing and returns nil.
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
	revoked, err := revokeDemoKeys(ctx, db, a)
	if err != nil {
		return nil, fmt.Errorf("revoke earlier demo keys: %w", err)
	}
	_, secret, err := db.CreateAPIKey(ctx, a, pg.APIKeyCreate{UserID: admin.ID, Name: KeyName, Permission: pg.PermissionWrite})
	if err != nil {
		return nil, err
	}
	return &Result{Organization: org, Admin: admin, APIKey: secret, Revoked: revoked, Created: created}, nil
}

// revokeDemoKeys revokes the admin's active keys named KeyName.
func revokeDemoKeys(ctx context.Context, db *store.DB, a pg.Actor) (int, error) {
	var ids []int64
	var after *pg.Cursor
	for {
		l, err := db.APIKeys(ctx, a, pg.PageRequest{Limit: pg.MaxPageSize, After: after})
		if err != nil {
			return 0, err
		}
		for _, k := range l.Items {
			if k.Name == KeyName && k.UserID == a.UserID && k.RevokedAt == nil {
				ids = append(ids, k.ID)
			}
		}
		if !l.HasNext {
			break
		}
		c := l.Cursor(l.Items[len(l.Items)-1])
		after = &c
	}
	for _, id := range ids {
		if _, err := db.RevokeAPIKey(ctx, a, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// builder creates the demo organization's data, one kind per step; each
// step records what later steps refer to.
type builder struct {
	db         *store.DB
	a          pg.Actor
	rng        *rand.Rand
	org        *pg.Organization
	users      []*pg.User
	tiers      []*pg.Tier
	categories []*pg.Category
	stages     []*pg.Stage
	tags       []*pg.Tag
	fields     map[pg.CustomFieldType]*pg.CustomField
	projects   []*pg.Project
}

func create(ctx context.Context, db *store.DB) (*Result, error) {
	b := &builder{db: db, rng: rand.New(rand.NewPCG(42, 7))}
	for _, step := range []func(context.Context) error{
		b.organization, b.members, b.tiersAndCategories, b.pipeline, b.tagsAndFields, b.projectList, b.partners,
	} {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return newKey(ctx, db, b.org, true)
}

// organization creates the demo organization and its admin, who acts for
// every later step.
func (b *builder) organization(ctx context.Context) error {
	org, err := b.db.CreateOrganization(ctx, OrganizationName)
	if err != nil {
		return err
	}
	b.org = org
	b.a = pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
	admin, err := b.db.CreateUser(ctx, b.a, pg.UserCreate{Name: "Ada Admin", Email: "ada@acme.example", Role: pg.RoleAdmin})
	if err != nil {
		return err
	}
	b.a.UserID = admin.ID
	b.users = []*pg.User{admin}
	return nil
}

func (b *builder) members(ctx context.Context) error {
	for _, u := range [][2]string{{"Grace Hopper", "grace@acme.example"}, {"Alan Turing", "alan@acme.example"}, {"Katherine Johnson", "katherine@acme.example"}} {
		user, err := b.db.CreateUser(ctx, b.a, pg.UserCreate{Name: u[0], Email: u[1], Role: pg.RoleMember})
		if err != nil {
			return err
		}
		b.users = append(b.users, user)
	}
	return nil
}

func (b *builder) tiersAndCategories(ctx context.Context) error {
	for i, name := range []string{"Platinum", "Gold", "Silver", "Bronze"} {
		t, err := b.db.CreateTier(ctx, b.a, pg.TierCreate{Name: name, Rank: int32(i + 1)})
		if err != nil {
			return err
		}
		b.tiers = append(b.tiers, t)
	}
	for _, name := range []string{"Reseller", "Technology", "Referral", "Services"} {
		c, err := b.db.CreateCategory(ctx, b.a, pg.CategoryCreate{Name: name})
		if err != nil {
			return err
		}
		b.categories = append(b.categories, c)
	}
	return nil
}

// pipeline creates the stages: Lead → Qualified → Proposal → Won or Lost;
// Lost may reopen as Lead. Won is final. Stages are created after those
// they lead to, and Lead, which Lost leads back to, is completed last.
func (b *builder) pipeline(ctx context.Context) error {
	byName := map[string]*pg.Stage{}
	for _, st := range []struct {
		name string
		pos  int32
		next []string
	}{
		{"Won", 4, nil}, {"Lead", 0, nil}, {"Lost", 5, []string{"Lead"}},
		{"Proposal", 3, []string{"Won", "Lost"}}, {"Qualified", 2, []string{"Proposal", "Lost"}},
	} {
		ids := make([]int64, len(st.next))
		for i, n := range st.next {
			ids[i] = byName[n].ID
		}
		s, err := b.db.CreateStage(ctx, b.a, pg.StageCreate{Name: st.name, Position: st.pos, AllowedNextStageIDs: ids})
		if err != nil {
			return err
		}
		byName[st.name] = s
	}
	if _, err := b.db.UpdateStage(ctx, b.a, byName["Lead"].ID, pg.StageUpdate{AllowedNextStageIDs: &[]int64{byName["Qualified"].ID, byName["Lost"].ID}}); err != nil {
		return err
	}
	for _, n := range []string{"Lead", "Qualified", "Proposal", "Won", "Lost"} {
		b.stages = append(b.stages, byName[n])
	}
	return nil
}

func (b *builder) tagsAndFields(ctx context.Context) error {
	for _, name := range []string{"strategic", "emea", "americas", "apac", "co-sell", "marketplace", "renewal-due", "high-touch"} {
		t, err := b.db.CreateTag(ctx, b.a, pg.TagCreate{Name: name})
		if err != nil {
			return err
		}
		b.tags = append(b.tags, t)
	}
	b.fields = map[pg.CustomFieldType]*pg.CustomField{}
	for _, f := range []pg.CustomFieldCreate{
		{Name: "Notes", Type: pg.FieldText},
		{Name: "Annual value", Type: pg.FieldNumber},
		{Name: "Renewal date", Type: pg.FieldDate},
		{Name: "Certified", Type: pg.FieldBoolean},
		{Name: "Region", Type: pg.FieldSelect, Options: pg.CustomFieldOptions{{ID: 1, Label: "EMEA"}, {ID: 2, Label: "Americas"}, {ID: 3, Label: "APAC"}}},
		{Name: "Products", Type: pg.FieldMultiSelect, Options: pg.CustomFieldOptions{{ID: 1, Label: "Platform"}, {ID: 2, Label: "Analytics"}, {ID: 3, Label: "Payments"}, {ID: 4, Label: "Support"}}},
	} {
		cf, err := b.db.CreateCustomField(ctx, b.a, f)
		if err != nil {
			return err
		}
		b.fields[f.Type] = cf
	}
	return nil
}

func (b *builder) projectList(ctx context.Context) error {
	for _, name := range []string{"Q3 Retail Expansion", "Cloud Migration Program", "Northwind Presale", "Marketplace Launch"} {
		p, err := b.db.CreateProject(ctx, b.a, pg.ProjectCreate{Name: name})
		if err != nil {
			return err
		}
		b.projects = append(b.projects, p)
	}
	return nil
}

var (
	companies = []string{"TechCorp Solutions", "Northwind Traders", "Globex", "Initech", "Umbrella Logistics", "Stark Industries",
		"Wayne Enterprises", "Hooli", "Soylent Foods", "Vandelay Industries", "Wonka Supplies", "Cyberdyne Systems",
		"Tyrell Corporation", "Gringotts Finance", "Oceanic Airlines", "Monarch Solutions", "Pied Piper", "Aperture Labs",
		"Black Mesa", "Massive Dynamic"}
	countries = []string{"United States", "Germany", "United Kingdom", "Japan", "Brazil", "France", "Canada", "Australia"}
)

// partners creates twenty partners with one to three partnerships each.
func (b *builder) partners(ctx context.Context) error {
	for i, name := range companies {
		typ := pg.PartnerTypeCustomer
		if i%3 == 2 {
			typ = pg.PartnerTypeSupplier
		}
		website := fmt.Sprintf("https://www.%s.example", slug(name))
		country := countries[i%len(countries)]
		partner, err := b.db.CreatePartner(ctx, b.a, pg.PartnerCreate{
			CompanyName: name, Email: "partners@" + slug(name) + ".example", PartnerType: typ,
			SalesAmount: int64(b.rng.IntN(5_000_000)), Frequency: []string{"monthly", "quarterly", "yearly"}[i%3],
			PaymentTerms: []string{"Net 30", "Net 45", "Net 60"}[i%3], WebsiteURL: &website, CountryLabel: &country,
		})
		if err != nil {
			return err
		}
		for j := 0; j < 1+i%3; j++ {
			if _, err := b.db.CreatePartnership(ctx, b.a, b.partnership(partner, i, j)); err != nil {
				return fmt.Errorf("demo partnership: %w", err)
			}
		}
	}
	return nil
}

// partnership is the j-th partnership of the i-th partner: in a project,
// with a random tier, category, stage, owners, tags and custom fields.
func (b *builder) partnership(partner *pg.Partner, i, j int) pg.PartnershipCreate {
	rng := b.rng
	project := b.projects[(i+j)%len(b.projects)]
	tier, cat, st := b.tiers[rng.IntN(len(b.tiers))], b.categories[rng.IntN(len(b.categories))], b.stages[rng.IntN(len(b.stages))]
	region, annual, renewal, certified, notes := int64(1+rng.IntN(3)), float64(10_000+rng.IntN(490_000)), fmt.Sprintf("2027-%02d-15", 1+rng.IntN(12)), rng.IntN(2) == 0, "Quarterly business review scheduled."
	return pg.PartnershipCreate{
		PartnerID: partner.ID, ProjectID: &project.ID, IsDefault: j == 0 && i < len(b.projects), IsSupport: j == 1,
		TierID: &tier.ID, CategoryID: &cat.ID, StageID: &st.ID,
		AssignedUserIDs: []int64{b.users[rng.IntN(len(b.users))].ID, b.users[rng.IntN(len(b.users))].ID},
		TagIDs:          []int64{b.tags[rng.IntN(len(b.tags))].ID, b.tags[rng.IntN(len(b.tags))].ID, b.tags[rng.IntN(len(b.tags))].ID},
		CustomFields: []pg.CustomFieldInput{
			{FieldID: b.fields[pg.FieldText].ID, Text: &notes},
			{FieldID: b.fields[pg.FieldNumber].ID, Number: &annual},
			{FieldID: b.fields[pg.FieldDate].ID, Date: &renewal},
			{FieldID: b.fields[pg.FieldBoolean].ID, Boolean: &certified},
			{FieldID: b.fields[pg.FieldSelect].ID, Select: &region},
			{FieldID: b.fields[pg.FieldMultiSelect].ID, MultiSelect: []int64{1, int64(2 + rng.IntN(3))}},
		},
	}
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
