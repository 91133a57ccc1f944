package rest_test

import (
	"context"
	"encoding/json"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// The request bodies of seed 001, verbatim.
const (
	seed001Template = `{
  "tierId": 123,
  "categoryId": 123,
  "stageUuid": "<string>",
  "assignedUsers": [
    {}
  ],
  "tags": [
    {}
  ],
  "customFields": [
    {
      "customFieldId": 123,
      "type": "<string>",
      "value": {
        "text": "<string>",
        "number": 123,
        "date": "<string>",
        "boolean": true,
        "select": 123,
        "multi_select": [
          {}
        ]
      }
    }
  ],
  "fallbackData": {
    "name": "<string>",
    "logo_square_uuid": "<string>",
    "website_url": "<string>",
    "country_label": "<string>"
  }
}`
	seed001Auth    = `{"tierId": 3, "assignedUsers": [123, 456]}`
	seed001Example = `{
    "tierId": 3,
    "categoryId": 2,
    "stageUuid": "stage-uuid-456",
    "assignedUsers": [123, 456],
    "tags": [10, 11, 12],
    "customFields": [
      {
        "customFieldId": 5,
        "type": "number",
        "value": {
          "number": 150000
        }
      },
      {
        "customFieldId": 6,
        "type": "text",
        "value": {
          "text": "Updated notes about this partnership"
        }
      }
    ],
    "fallbackData": {
      "name": "TechCorp Solutions",
      "website_url": "https://techcorp.com",
      "country_label": "United States"
    }
  }`
)

// seed001World makes the records seed 001's examples name, with their ids:
// company 123, partnership 789 (uuid partnership-uuid-789), tier 3,
// category 2, stage stage-uuid-456, users 123 and 456, tags 10-12, custom
// fields 5 (number) and 6 (text).
func seed001World(t *testing.T, env *pgtest.Env) (org *pgtest.Org, readKey string) {
	ctx := context.Background()
	o, err := env.DB.CreateOrganization(ctx, "JourneyBee Customer")
	check(t, err)
	env.Exec(t, `UPDATE organizations SET id = 123 WHERE id = ?`, o.ID)
	a := pg.Actor{OrganizationID: 123, KeyOrganizationID: 123, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
	admin, err := env.DB.CreateUser(ctx, a, pg.UserCreate{Name: "Admin", Email: "admin@jb.example", Role: pg.RoleAdmin})
	check(t, err)
	a.UserID = admin.ID
	renumber := func(table string, from, to int64) { env.Exec(t, `UPDATE `+table+` SET id = ? WHERE id = ?`, to, from) }
	for _, id := range []int64{123, 456} {
		u, err := env.DB.CreateUser(ctx, a, pg.UserCreate{Name: "User", Email: "user" + string(rune('0'+id%10)) + "@jb.example", Role: pg.RoleMember})
		check(t, err)
		renumber("users", u.ID, id)
	}
	tier, err := env.DB.CreateTier(ctx, a, pg.TierCreate{Name: "Gold", Rank: 1})
	check(t, err)
	renumber("tiers", tier.ID, 3)
	cat, err := env.DB.CreateCategory(ctx, a, pg.CategoryCreate{Name: "Reseller"})
	check(t, err)
	renumber("categories", cat.ID, 2)
	stage, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Negotiation", Position: 1})
	check(t, err)
	env.Exec(t, `UPDATE stages SET uuid = 'stage-uuid-456' WHERE id = ?`, stage.ID)
	for i, name := range []string{"strategic", "emea", "renewal"} {
		tag, err := env.DB.CreateTag(ctx, a, pg.TagCreate{Name: name})
		check(t, err)
		renumber("tags", tag.ID, int64(10+i))
	}
	num, err := env.DB.CreateCustomField(ctx, a, pg.CustomFieldCreate{Name: "Deal size", Type: pg.FieldNumber})
	check(t, err)
	renumber("custom_fields", num.ID, 5)
	text, err := env.DB.CreateCustomField(ctx, a, pg.CustomFieldCreate{Name: "Notes", Type: pg.FieldText})
	check(t, err)
	renumber("custom_fields", text.ID, 6)
	partner, err := env.DB.CreatePartner(ctx, a, pg.PartnerCreate{CompanyName: "TechCorp", Email: "hi@techcorp.com",
		PartnerType: pg.PartnerTypeCustomer, SalesAmount: 1, Frequency: "monthly", PaymentTerms: "net 30"})
	check(t, err)
	ps, err := env.DB.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: partner.ID})
	check(t, err)
	env.Exec(t, `UPDATE partnerships SET id = 789, uuid = 'partnership-uuid-789' WHERE id = ?`, ps.ID)
	_, write, err := env.DB.CreateAPIKey(ctx, a, storeKey(admin.ID, pg.PermissionWrite))
	check(t, err)
	_, read, err := env.DB.CreateAPIKey(ctx, a, storeKey(admin.ID, pg.PermissionRead))
	check(t, err)
	return &pgtest.Org{Organization: &pg.Organization{ID: 123}, Admin: admin, Write: write, Read: read}, read
}

func TestSeed001UpdatePartnership(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		org, _ := seed001World(t, env)

		t.Run("AuthenticationExample", func(t *testing.T) {
			// The path's {partnershipId} is the example's partnership 789.
			r := c.do("PATCH", "/api/v1/partnerships/789", org.Write, seed001Auth)
			r.expect(t, 200, `"id":789`, `"uuid":"partnership-uuid-789"`, `"updated_at":"`)
		})
		t.Run("ExampleRequest", func(t *testing.T) {
			r := c.do("PATCH", "/api/v1/companies/123/partnerships/789", org.Write, seed001Example)
			r.expect(t, 200)
			var got map[string]any
			r.json(t, &got)
			if len(got) != 3 || got["id"] != float64(789) || got["uuid"] != "partnership-uuid-789" {
				t.Fatalf("response: %s", r.body)
			}
			// Every field of the body reached the partnership.
			var data struct {
				Partnership struct {
					Tier          struct{ DatabaseID int }
					Category      struct{ DatabaseID int }
					Stage         struct{ UUID string }
					AssignedUsers []struct{ DatabaseID int }
					Tags          []struct{ DatabaseID int }
					Values        []struct {
						Field  struct{ DatabaseID int }
						Number *float64
						Text   *string
					} `json:"customFieldValues"`
					FallbackData struct{ Name, WebsiteURL, CountryLabel string }
				}
			}
			env.Query(t, org.Read, `{ partnership(id: "`+gid("Partnership", 789)+`") { tier { databaseId } category { databaseId } stage { uuid }
				assignedUsers { databaseId } tags { databaseId } customFieldValues { field { databaseId } number text }
				fallbackData { name websiteUrl countryLabel } } }`, nil, &data)
			p := data.Partnership
			b, _ := json.Marshal(p)
			if p.Tier.DatabaseID != 3 || p.Category.DatabaseID != 2 || p.Stage.UUID != "stage-uuid-456" || len(p.AssignedUsers) != 2 ||
				len(p.Tags) != 3 || len(p.Values) != 2 || *p.Values[0].Number != 150000 || *p.Values[1].Text != "Updated notes about this partnership" ||
				p.FallbackData.Name != "TechCorp Solutions" || p.FallbackData.CountryLabel != "United States" {
				t.Fatalf("partnership after the example: %s", b)
			}
		})
		t.Run("SchemaTemplateIsInvalid", func(t *testing.T) {
			before := env.Snapshot(t, 123)
			c.do("PATCH", "/api/v1/partnerships/789", org.Write, seed001Template).
				expect(t, 400, `{"error":"Invalid field values or stage UUID not found"}`)
			if env.Snapshot(t, 123) != before {
				t.Fatal("a refused request changed data")
			}
		})
		t.Run("NullRemoves", func(t *testing.T) {
			c.do("PATCH", "/api/v1/partnerships/789", org.Write, `{"tierId": null, "categoryId": null}`).expect(t, 200)
			var data struct {
				Partnership struct{ Tier, Category *struct{ DatabaseID int } }
			}
			env.Query(t, org.Read, `{ partnership(id: "`+gid("Partnership", 789)+`") { tier { databaseId } category { databaseId } } }`, nil, &data)
			if data.Partnership.Tier != nil || data.Partnership.Category != nil {
				t.Fatalf("null did not remove: %+v", data)
			}
		})
		t.Run("DocumentedErrors", func(t *testing.T) {
			// A stage that does not allow the move: Negotiation → Closed only.
			ctx := context.Background()
			a := pg.Actor{OrganizationID: 123}
			closed, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Closed", Position: 2})
			check(t, err)
			lost, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Lost", Position: 3})
			check(t, err)
			st, err := env.DB.StageByUUID(ctx, a, "stage-uuid-456")
			check(t, err)
			_, err = env.DB.UpdateStage(ctx, a, st.ID, pg.StageUpdate{AllowedNextStageIDs: &[]int64{closed.ID}})
			check(t, err)
			cases := []struct {
				name, path, key, body string
				status                int
				msg                   string
			}{
				{"BadTypes", "/api/v1/partnerships/789", org.Write, `{"tierId": "three"}`, 400, "Invalid field values or stage UUID not found"},
				{"UnknownStage", "/api/v1/partnerships/789", org.Write, `{"stageUuid": "no-such-stage"}`, 400, "Invalid field values or stage UUID not found"},
				{"UnknownTier", "/api/v1/partnerships/789", org.Write, `{"tierId": 999}`, 400, "Invalid field values or stage UUID not found"},
				{"WrongCustomFieldType", "/api/v1/partnerships/789", org.Write, `{"customFields": [{"customFieldId": 5, "type": "number", "value": {"text": "x"}}]}`, 400, "Invalid field values or stage UUID not found"},
				{"MalformedJSON", "/api/v1/partnerships/789", org.Write, `{"tierId": `, 400, "Invalid field values or stage UUID not found"},
				{"NoKey", "/api/v1/partnerships/789", "", `{"tierId": 3}`, 401, "Invalid API key or insufficient permissions"},
				{"UnknownKey", "/api/v1/partnerships/789", "jb_api_1234567890abcdef", `{"tierId": 3}`, 401, "Invalid API key or insufficient permissions"},
				{"ReadKey", "/api/v1/partnerships/789", org.Read, `{"tierId": 3}`, 403, "Write access required for this operation"},
				{"UnknownPartnership", "/api/v1/partnerships/790", org.Write, `{"tierId": 3}`, 404, "Partnership not found or not accessible"},
				{"AnotherCompany", "/api/v1/companies/124/partnerships/789", org.Write, `{"tierId": 3}`, 404, "Partnership not found or not accessible"},
				{"StageRule", "/api/v1/partnerships/789", org.Write, `{"stageUuid": "` + lost.UUID + `"}`, 422, "Stage change not allowed due to business rules"},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					before := env.Snapshot(t, 123)
					c.do("PATCH", tc.path, tc.key, tc.body).expect(t, tc.status, `{"error":"`+tc.msg+`"}`)
					if env.Snapshot(t, 123) != before {
						t.Fatal("a refused request changed data")
					}
				})
			}
			c.do("PATCH", "/api/v1/partnerships/789", org.Write, `{"stageUuid": "`+closed.UUID+`"}`).expect(t, 200)
		})
		t.Run("AnotherOrganizationsKey", func(t *testing.T) {
			stranger := env.Org(t, "Stranger")
			c.do("PATCH", "/api/v1/partnerships/789", stranger.Write, `{"tierId": null}`).
				expect(t, 404, `{"error":"Partnership not found or not accessible"}`)
		})
	})
}
