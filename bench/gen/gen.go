// Package gen generates the benchmark dataset: one organization with its
// users, API keys and taxonomy (tiers, categories, stages with transition
// rules, tags, custom fields, projects) made through the store, as an
// administrator would make them, and then partners and partnerships with
// their tags, assigned users and custom field values bulk-loaded in batched
// multi-row INSERTs, so that a million partnerships load in minutes.
//
// The same seed and sizes give the same bulk rows (ids, UUIDs, names,
// timestamps, links) on a fresh database; the few records made through the
// store get fresh UUIDs, timestamps and keys each time.
package gen

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
	"partnergraph/relay"
	"partnergraph/store"
)

// Config sizes a dataset.
type Config struct {
	Seed                   uint64
	Partners               int
	PartnershipsPerPartner int
	Tiers                  int
	Categories             int
	Stages                 int
	Projects               int
	Tags                   int
	// Users is how many members partnerships are assigned to (the admin
	// who owns the API keys comes on top).
	Users                int
	TagsPerPartnership   int
	UsersPerPartnership  int
	ValuesPerPartnership int
	// Batch is how many partnerships, with their links, one transaction
	// writes.
	Batch int
	// SecretKey is the store's encryption key; a PostgreSQL database needs
	// one, a SQLite one keeps a generated key beside its file when nil.
	SecretKey []byte
	// Log, when set, is told the progress.
	Log io.Writer
}

// Default is bench/run's dataset: 1,000 partners with 20 partnerships each,
// 5 tiers, 8 stages, 50 tags (3 per partnership), 2 assigned users and 4
// custom field values per partnership, a few categories, and as many
// projects as a partner has partnerships (a partner has one partnership per
// project at most).
func Default() Config {
	return Config{Seed: 1, Partners: 1000, PartnershipsPerPartner: 20, Tiers: 5, Categories: 6, Stages: 8,
		Projects: 20, Tags: 50, Users: 20, TagsPerPartnership: 3, UsersPerPartnership: 2, ValuesPerPartnership: 4,
		Batch: 5000}
}

// fieldTypes are the custom fields every dataset has, one of each type, so
// the dashboard renders every kind of value.
var fieldTypes = []pg.CustomFieldCreate{
	{Name: "Notes", Type: pg.FieldText},
	{Name: "Annual value", Type: pg.FieldNumber},
	{Name: "Renewal date", Type: pg.FieldDate},
	{Name: "Certified", Type: pg.FieldBoolean},
	{Name: "Region", Type: pg.FieldSelect, Options: pg.CustomFieldOptions{{ID: 1, Label: "EMEA"}, {ID: 2, Label: "Americas"}, {ID: 3, Label: "APAC"}}},
	{Name: "Products", Type: pg.FieldMultiSelect, Options: pg.CustomFieldOptions{{ID: 1, Label: "Platform"}, {ID: 2, Label: "Analytics"}, {ID: 3, Label: "Payments"}, {ID: 4, Label: "Support"}}},
}

func (c Config) validate() error {
	switch {
	case c.Partners < 1 || c.PartnershipsPerPartner < 0:
		return errors.New("need at least one partner and no negative partnership count")
	case c.Tiers < 1 || c.Categories < 1 || c.Stages < 1 || c.Projects < 1:
		return errors.New("need at least one tier, category, stage and project")
	case c.TagsPerPartnership > c.Tags:
		return fmt.Errorf("%d tags per partnership need at least as many tags, have %d", c.TagsPerPartnership, c.Tags)
	case c.UsersPerPartnership > c.Users:
		return fmt.Errorf("%d users per partnership need at least as many users, have %d", c.UsersPerPartnership, c.Users)
	case c.ValuesPerPartnership > len(fieldTypes):
		return fmt.Errorf("at most %d custom field values per partnership (one per field type)", len(fieldTypes))
	case c.Batch < 1:
		return errors.New("batch must be at least 1")
	}
	return nil
}

// Manifest is what a generated dataset holds, for the drivers that load it:
// keys to act with, and the ids of what mutations may reference.
type Manifest struct {
	Dialect        string `json:"dialect"`
	Seed           uint64 `json:"seed"`
	OrganizationID int64  `json:"organizationId"`
	AdminID        int64  `json:"adminId"`
	// ReadKey may query; WriteKey may also mutate. Both are the admin's.
	ReadKey  string `json:"readKey"`
	WriteKey string `json:"writeKey"`

	Partners     int `json:"partners"`
	Partnerships int `json:"partnerships"`
	// Partnership i (0-based, in the default created_at, id order) has id
	// FirstPartnershipID+i and was created at Epoch + i×Step.
	FirstPartnerID     int64         `json:"firstPartnerId"`
	FirstPartnershipID int64         `json:"firstPartnershipId"`
	Epoch              time.Time     `json:"epoch"`
	Step               time.Duration `json:"step"`

	Tiers        []int64 `json:"tiers"`
	Categories   []int64 `json:"categories"`
	Projects     []int64 `json:"projects"`
	Stages       []int64 `json:"stages"`
	Tags         []int64 `json:"tags"`
	Users        []int64 `json:"users"`
	CustomFields []int64 `json:"customFields"`
	// OpenStages allow a move to any stage, and are reachable from each
	// other: a partnership in one can be moved among them forever.
	OpenStages []int64 `json:"openStages"`
	// Movable are partnerships whose stage is open (a sample, at most
	// maxMovable), for the mutation benchmark.
	Movable []int64 `json:"movable"`

	// BulkSeconds is how long the bulk load took.
	BulkSeconds float64 `json:"bulkSeconds"`
}

// maxMovable bounds the manifest's sample of movable partnerships.
const maxMovable = 20000

// PartnershipAt returns the id and creation time of the i-th partnership
// in the default order.
func (m *Manifest) PartnershipAt(i int) (int64, time.Time) {
	return m.FirstPartnershipID + int64(i), m.Epoch.Add(time.Duration(i) * m.Step)
}

// CursorAt returns the cursor of the i-th partnership in the default
// order, built as relay/cursor.go encodes it: a page after it starts at
// partnership i+1.
func (m *Manifest) CursorAt(i int) string {
	id, at := m.PartnershipAt(i)
	return relay.EncodeCursor(pg.Cursor{Order: "created_at", Key: at.UTC().Format(time.RFC3339Nano), ID: id})
}

// Generate fills the fresh database dsn with a dataset of cfg.
func Generate(ctx context.Context, dsn string, cfg Config) (*Manifest, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("dataset config: %w", err)
	}
	db, err := store.Open(ctx, dsn, store.Options{SecretKey: cfg.SecretKey})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	m, err := taxonomy(ctx, db, cfg)
	// The bulk load writes through a connection of its own: the store's
	// single writer must be idle, and closed is idle.
	if cerr := db.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close store: %w", cerr)
	}
	if err != nil {
		return nil, err
	}
	m.Dialect = db.Dialect()
	m.Seed = cfg.Seed
	start := time.Now()
	if err := bulkLoad(ctx, dsn, cfg, m); err != nil {
		return nil, err
	}
	m.BulkSeconds = time.Since(start).Seconds()
	return m, nil
}

// taxonomy makes, through the store, everything partnerships reference.
func taxonomy(ctx context.Context, db *store.DB, cfg Config) (*Manifest, error) {
	if n, err := db.CountOrganizations(ctx); err != nil {
		return nil, fmt.Errorf("count organizations: %w", err)
	} else if n > 0 {
		return nil, fmt.Errorf("the database already holds %d organizations: generate into a fresh one", n)
	}
	org, err := db.CreateOrganization(ctx, "Bench Partner Network")
	if err != nil {
		return nil, fmt.Errorf("create organization: %w", err)
	}
	a := pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
	admin, err := db.CreateUser(ctx, a, pg.UserCreate{Name: "Bench Admin", Email: "admin@bench.example", Role: pg.RoleAdmin})
	if err != nil {
		return nil, fmt.Errorf("create admin: %w", err)
	}
	a.UserID = admin.ID
	m := &Manifest{OrganizationID: org.ID, AdminID: admin.ID}
	for _, k := range []struct {
		dst  *string
		perm pg.Permission
	}{{&m.ReadKey, pg.PermissionRead}, {&m.WriteKey, pg.PermissionWrite}} {
		if _, *k.dst, err = db.CreateAPIKey(ctx, a, pg.APIKeyCreate{UserID: admin.ID, Name: "bench " + string(k.perm), Permission: k.perm}); err != nil {
			return nil, fmt.Errorf("create %s key: %w", k.perm, err)
		}
	}
	for i := range cfg.Users {
		// Names sort differently from ids, so the gateway's and the
		// baseline's ordering of assigned users is really compared.
		u, err := db.CreateUser(ctx, a, pg.UserCreate{Name: fmt.Sprintf("%s %s", firstNames[i%len(firstNames)], lastNames[(i*7)%len(lastNames)]), Email: fmt.Sprintf("user%03d@bench.example", i), Role: pg.RoleMember})
		if err != nil {
			return nil, fmt.Errorf("create user: %w", err)
		}
		m.Users = append(m.Users, u.ID)
	}
	for i := range cfg.Tiers {
		t, err := db.CreateTier(ctx, a, pg.TierCreate{Name: fmt.Sprintf("Tier %d", i+1), Rank: int32(i + 1)})
		if err != nil {
			return nil, fmt.Errorf("create tier: %w", err)
		}
		m.Tiers = append(m.Tiers, t.ID)
	}
	for i := range cfg.Categories {
		c, err := db.CreateCategory(ctx, a, pg.CategoryCreate{Name: fmt.Sprintf("%s %d", categoryNames[i%len(categoryNames)], i+1)})
		if err != nil {
			return nil, fmt.Errorf("create category: %w", err)
		}
		m.Categories = append(m.Categories, c.ID)
	}
	for i := range cfg.Projects {
		p, err := db.CreateProject(ctx, a, pg.ProjectCreate{Name: fmt.Sprintf("Project %02d", i+1)})
		if err != nil {
			return nil, fmt.Errorf("create project: %w", err)
		}
		m.Projects = append(m.Projects, p.ID)
	}
	if err := stages(ctx, db, a, cfg.Stages, m); err != nil {
		return nil, err
	}
	for i := range cfg.Tags {
		t, err := db.CreateTag(ctx, a, pg.TagCreate{Name: fmt.Sprintf("%s-%02d", tagWords[(i*3)%len(tagWords)], i)})
		if err != nil {
			return nil, fmt.Errorf("create tag: %w", err)
		}
		m.Tags = append(m.Tags, t.ID)
	}
	for _, f := range fieldTypes {
		cf, err := db.CreateCustomField(ctx, a, f)
		if err != nil {
			return nil, fmt.Errorf("create custom field %s: %w", f.Name, err)
		}
		m.CustomFields = append(m.CustomFields, cf.ID)
	}
	return m, nil
}

// stages makes the pipeline. All but the last two stages are open (no
// allowedNextStages: any move). The last two are Won, which may only be
// reopened to the stage before it, and Lost, which may only restart at the
// first stage, so the transition rule is exercised on real data.
func stages(ctx context.Context, db *store.DB, a pg.Actor, n int, m *Manifest) error {
	restricted := 0
	if n >= 4 {
		restricted = 2
	}
	for i := range n {
		name := fmt.Sprintf("Stage %d", i+1)
		switch {
		case restricted > 0 && i == n-2:
			name = "Won"
		case restricted > 0 && i == n-1:
			name = "Lost"
		}
		s, err := db.CreateStage(ctx, a, pg.StageCreate{Name: name, Position: int32(i)})
		if err != nil {
			return fmt.Errorf("create stage: %w", err)
		}
		m.Stages = append(m.Stages, s.ID)
		if i < n-restricted {
			m.OpenStages = append(m.OpenStages, s.ID)
		}
	}
	if restricted > 0 {
		won, lost := m.Stages[n-2], m.Stages[n-1]
		if _, err := db.UpdateStage(ctx, a, won, pg.StageUpdate{AllowedNextStageIDs: &[]int64{m.Stages[n-3]}}); err != nil {
			return fmt.Errorf("set Won's transitions: %w", err)
		}
		if _, err := db.UpdateStage(ctx, a, lost, pg.StageUpdate{AllowedNextStageIDs: &[]int64{m.Stages[0]}}); err != nil {
			return fmt.Errorf("set Lost's transitions: %w", err)
		}
	}
	return nil
}

// newRand returns the generator's random source and a deterministic UUID
// reader, both seeded from seed.
func newRand(seed uint64) (*rand.Rand, io.Reader) {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	copy(key[8:], "partnergraph bench dataset")
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)), rand.NewChaCha8(key)
}

func newUUID(r io.Reader) string {
	id, err := uuid.NewRandomFromReader(r)
	if err != nil {
		// ChaCha8 never fails to read.
		panic(fmt.Sprintf("gen: uuid: %v", err))
	}
	return id.String()
}

// bulkLoad writes the partners and the partnerships with their links.
func bulkLoad(ctx context.Context, dsn string, cfg Config, m *Manifest) error {
	l, err := openLoader(ctx, dsn, cfg.Log)
	if err != nil {
		return err
	}
	defer l.db.Close()
	if m.FirstPartnerID, err = l.nextID(ctx, "partners"); err != nil {
		return err
	}
	if m.FirstPartnershipID, err = l.nextID(ctx, "partnerships"); err != nil {
		return err
	}
	rng, uuids := newRand(cfg.Seed)
	m.Partners = cfg.Partners
	m.Partnerships = cfg.Partners * cfg.PartnershipsPerPartner
	m.Epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	m.Step = time.Second

	if err := loadPartners(ctx, l, cfg, m, rng, uuids); err != nil {
		return err
	}
	if err := loadPartnerships(ctx, l, cfg, m, rng, uuids); err != nil {
		return err
	}
	return l.finish(ctx)
}

func loadPartners(ctx context.Context, l *loader, cfg Config, m *Manifest, rng *rand.Rand, uuids io.Reader) error {
	partners := newRows("partners", "id", "uuid", "organization_id", "company_name", "email", "partner_type", "sales_amount",
		"frequency", "payment_terms", "website_url", "country_label", "created_at", "updated_at")
	// Partners were signed up before their partnerships began.
	created := m.Epoch.Add(-time.Duration(cfg.Partners) * time.Minute)
	for j := range cfg.Partners {
		typ := pg.PartnerTypeCustomer
		if rng.IntN(10) < 3 {
			typ = pg.PartnerTypeSupplier
		}
		at := created.Add(time.Duration(j) * time.Minute)
		partners.add(m.FirstPartnerID+int64(j), newUUID(uuids), m.OrganizationID,
			fmt.Sprintf("%s %s %05d", companyWords[rng.IntN(len(companyWords))], companySuffixes[rng.IntN(len(companySuffixes))], j),
			fmt.Sprintf("partners%05d@partner.example", j), string(typ), rng.Int64N(5_000_000),
			frequencies[j%len(frequencies)], paymentTerms[j%len(paymentTerms)],
			fmt.Sprintf("https://www.partner%05d.example", j), countries[rng.IntN(len(countries))], at, at)
		if partners.len() == cfg.Batch || j == cfg.Partners-1 {
			if err := l.inTx(ctx, partners); err != nil {
				return err
			}
		}
	}
	l.logf(cfg.Log, "partners: %d", cfg.Partners)
	return nil
}

func loadPartnerships(ctx context.Context, l *loader, cfg Config, m *Manifest, rng *rand.Rand, uuids io.Reader) error {
	partnerships := newRows("partnerships", "id", "uuid", "organization_id", "partner_id", "project_id", "is_default", "is_support",
		"tier_id", "category_id", "stage_id", "created_at", "updated_at")
	tags := newRows("partnership_tags", "partnership_id", "tag_id")
	users := newRows("partnership_users", "partnership_id", "user_id")
	values := newRows("custom_field_values", "partnership_id", "field_id", "text_value", "number_value", "date_value",
		"boolean_value", "select_value", "multi_select_value", "updated_at")
	open := map[int64]bool{}
	for _, id := range m.OpenStages {
		open[id] = true
	}
	hasDefault := map[int64]bool{}
	start := time.Now()
	for k := range m.Partnerships {
		id, at := m.PartnershipAt(k)
		// Partnerships go round-robin over partners, so each partner's are
		// spread through the table as if made over time.
		partner := m.FirstPartnerID + int64(k%cfg.Partners)
		project := partnerProject(rng, m.Projects, k%cfg.Partners, k/cfg.Partners)
		isDefault := project != nil && !hasDefault[*project]
		if isDefault {
			hasDefault[*project] = true
		}
		stage := pick(rng, m.Stages, 95)
		partnerships.add(id, newUUID(uuids), m.OrganizationID, partner, project, isDefault, rng.IntN(10) == 0,
			pick(rng, m.Tiers, 90), pick(rng, m.Categories, 90), stage, at, at)
		if (stage == nil || open[*stage]) && len(m.Movable) < maxMovable {
			m.Movable = append(m.Movable, id)
		}
		for _, i := range rng.Perm(len(m.Tags))[:cfg.TagsPerPartnership] {
			tags.add(id, m.Tags[i])
		}
		for _, i := range rng.Perm(len(m.Users))[:cfg.UsersPerPartnership] {
			users.add(id, m.Users[i])
		}
		for _, i := range rng.Perm(len(fieldTypes))[:cfg.ValuesPerPartnership] {
			v := value(rng, fieldTypes[i].Type)
			values.add(id, m.CustomFields[i], v.text, v.number, v.date, v.boolean, v.selected, v.multi, at)
		}
		if partnerships.len() == cfg.Batch || k == m.Partnerships-1 {
			if err := l.inTx(ctx, partnerships, tags, users, values); err != nil {
				return err
			}
			done := k + 1
			l.logf(cfg.Log, "partnerships: %d/%d (%.0f/s)", done, m.Partnerships, float64(done)/time.Since(start).Seconds())
		}
	}
	return nil
}

// pick returns a random id of ids, or nil (100-percent)% of the time.
// partnerProject is the project of a partner's j-th partnership, or nil (one
// in five). A partner has at most one partnership per project, so its
// partnerships take distinct projects, starting at one of their own, while
// there are projects left.
func partnerProject(rng *rand.Rand, projects []int64, partner, j int) *int64 {
	if rng.IntN(100) >= 80 || j >= len(projects) {
		return nil
	}
	id := projects[(partner+j)%len(projects)]
	return &id
}

func pick(rng *rand.Rand, ids []int64, percent int) *int64 {
	if rng.IntN(100) >= percent {
		return nil
	}
	id := ids[rng.IntN(len(ids))]
	return &id
}

// fieldValue is a custom field value's columns; only the one matching the
// field's type is set.
type fieldValue struct {
	text     *string
	number   *float64
	date     *string
	boolean  *bool
	selected *int64
	multi    pg.IDList
}

// value returns a random value for a field of type t, with options as
// fieldTypes defines them.
func value(rng *rand.Rand, t pg.CustomFieldType) fieldValue {
	var v fieldValue
	switch t {
	case pg.FieldText:
		v.text = &notes[rng.IntN(len(notes))]
	case pg.FieldNumber:
		n := float64(rng.IntN(2_000_000)) / 4
		v.number = &n
	case pg.FieldDate:
		d := fmt.Sprintf("2027-%02d-%02d", 1+rng.IntN(12), 1+rng.IntN(28))
		v.date = &d
	case pg.FieldBoolean:
		b := rng.IntN(2) == 0
		v.boolean = &b
	case pg.FieldSelect:
		s := int64(1 + rng.IntN(3))
		v.selected = &s
	case pg.FieldMultiSelect:
		for _, o := range rng.Perm(4)[:1+rng.IntN(2)] {
			v.multi = append(v.multi, int64(o+1))
		}
	}
	return v
}

// redact hides a DSN's password in messages.
func redact(dsn string) string {
	if at := strings.LastIndex(dsn, "@"); at > 0 && strings.Contains(dsn, "://") {
		scheme := dsn[:strings.Index(dsn, "://")+3]
		return scheme + "…" + dsn[at:]
	}
	return dsn
}

// The vocabularies of generated names.
var (
	firstNames      = []string{"Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Linus", "Margaret", "Dennis", "Hedy", "Tim", "Sophie", "Niklaus", "Anita", "John", "Mary"}
	lastNames       = []string{"Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Torvalds", "Hamilton", "Ritchie", "Lamarr", "Berners-Lee", "Wilson", "Wirth", "Borg", "McCarthy", "Keller"}
	categoryNames   = []string{"Reseller", "Technology", "Referral", "Services", "Distributor", "Marketplace"}
	tagWords        = []string{"strategic", "emea", "americas", "apac", "co-sell", "marketplace", "renewal-due", "high-touch", "Enterprise", "smb", "Priority", "onboarding", "at-risk", "expansion", "pilot", "Certified", "legacy"}
	companyWords    = []string{"Northwind", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Soylent", "Vandelay", "Wonka", "Cyberdyne", "Tyrell", "Gringotts", "Oceanic", "Monarch", "Pied Piper", "Aperture", "Black Mesa", "Massive", "Acme"}
	companySuffixes = []string{"Solutions", "Traders", "Industries", "Logistics", "Systems", "Labs", "Partners", "Group", "Holdings", "Foods"}
	frequencies     = []string{"monthly", "quarterly", "yearly"}
	paymentTerms    = []string{"Net 30", "Net 45", "Net 60"}
	countries       = []string{"United States", "Germany", "United Kingdom", "Japan", "Brazil", "France", "Canada", "Australia"}
	notes           = []string{"Quarterly business review scheduled.", "Waiting on legal.", "Champion changed roles.", "Expanding to a second region.", "Renewal under negotiation."}
)
