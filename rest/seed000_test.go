package rest_test

import (
	"context"
	"fmt"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// TestSeed000Partnerships exercises every endpoint of seed 000 as a partner
// user, and the document's access rules.
func TestSeed000Partnerships(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		owner := newFixture(t, env, "Owner")
		guest := env.Org(t, "Guest")
		other := newFixture(t, env, "Other")
		ctx := context.Background()
		_, token, err := env.DB.InvitePartner(ctx, owner.org.Actor(), owner.partner.ID)
		check(t, err)
		_, err = env.DB.AcceptPartnerInvitation(ctx, guest.Actor(), token)
		check(t, err)
		projectPath := fmt.Sprintf("/v1/projects/%d/partnerships", owner.project.ID)

		var created struct {
			ID        int64 `json:"id"`
			IsDefault *int  `json:"is_default"`
			IsSupport *int  `json:"is_support"`
			Partner   struct {
				ID          int64  `json:"id"`
				CompanyName string `json:"company_name"`
			} `json:"partner"`
			Presale *struct {
				ID   int64  `json:"id"`
				Name string `json:"name"`
			} `json:"presale"`
		}
		// Create: the payload's booleans, the resource's integers.
		r := c.do("POST", projectPath, guest.Write, fmt.Sprintf(`{"partner_id": %d, "is_default": true, "is_support": false}`, owner.partner.ID))
		r.expect(t, 201)
		r.json(t, &created)
		if created.ID == 0 || created.IsDefault == nil || *created.IsDefault != 1 || *created.IsSupport != 0 ||
			created.Partner.ID != owner.partner.ID || created.Presale == nil || created.Presale.ID != owner.project.ID {
			t.Fatalf("created: %s", r.body)
		}
		path := fmt.Sprintf("/v1/partnerships/%d", created.ID)
		c.do("GET", path, guest.Read, "").expect(t, 200, `"is_default":1`, `"presale":{`)
		c.do("PATCH", path, guest.Write, `{"is_default": false, "is_support": true}`).expect(t, 200, `"is_default":0`, `"is_support":1`)
		c.do("GET", projectPath, guest.Read, "").expect(t, 200, fmt.Sprintf(`"id":%d`, created.ID))

		t.Run("PartnerUsersListOnlyTheirPartners", func(t *testing.T) {
			someone, err := env.DB.CreatePartner(ctx, owner.org.Actor(), pg.PartnerCreate{CompanyName: "Someone", Email: "s@example.com",
				PartnerType: pg.PartnerTypeSupplier, SalesAmount: 1, Frequency: "m", PaymentTerms: "n"})
			check(t, err)
			c.do("POST", projectPath, owner.org.Write, fmt.Sprintf(`{"partner_id": %d}`, someone.ID)).expect(t, 201)
			var guestList, ownerList []map[string]any
			c.do("GET", projectPath, guest.Read, "").json(t, &guestList)
			c.do("GET", projectPath, owner.org.Read, "").json(t, &ownerList)
			if len(guestList) != 1 || len(ownerList) != 2 {
				t.Fatalf("partner user sees %d, owner %d; want 1 and 2", len(guestList), len(ownerList))
			}
		})
		t.Run("Errors", func(t *testing.T) {
			cases := []struct {
				name, method, path, key, body string
				status                        int
				field                         string
			}{
				{"NoKey", "GET", path, "", "", 401, ""},
				{"ReadKeyWrites", "PATCH", path, guest.Read, `{"is_support": false}`, 403, ""},
				{"UnknownPartnership", "GET", "/v1/partnerships/999999", guest.Read, "", 404, ""},
				{"NonIntegerID", "GET", "/v1/partnerships/abc", guest.Read, "", 404, ""},
				{"AnotherOrganizations", "GET", fmt.Sprintf("/v1/projects/%d/partnerships", other.project.ID), guest.Read, "", 404, ""},
				{"PartnerIDRequired", "POST", projectPath, guest.Write, `{"is_default": true}`, 422, "partner_id"},
				{"PartnerIDType", "POST", projectPath, guest.Write, `{"partner_id": "12"}`, 422, "partner_id"},
				{"FlagType", "PATCH", path, guest.Write, `{"is_default": 1}`, 422, "is_default"},
				{"MalformedJSON", "PATCH", path, guest.Write, `{"is_default": tru`, 400, ""},
				{"NotAnObject", "PATCH", path, guest.Write, `[true]`, 400, ""},
				{"UnknownPartner", "POST", projectPath, guest.Write, `{"partner_id": 999999}`, 422, "partner_id"},
				{"OtherOrgsPartner", "POST", projectPath, owner.org.Write, fmt.Sprintf(`{"partner_id": %d}`, other.partner.ID), 422, "partner_id"},
				{"UnknownProject", "POST", "/v1/projects/999999/partnerships", guest.Write, fmt.Sprintf(`{"partner_id": %d}`, owner.partner.ID), 404, ""},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					before := env.Snapshot(t, owner.org.ID)
					r := c.do(tc.method, tc.path, tc.key, tc.body)
					r.expect(t, tc.status, `"error":{`)
					if tc.field != "" {
						r.expect(t, tc.status, `"field":"`+tc.field+`"`)
					}
					if env.Snapshot(t, owner.org.ID) != before {
						t.Fatal("a refused request changed data")
					}
				})
			}
		})
		t.Run("WrongContentType", func(t *testing.T) {
			req := c.do("PATCH", path, guest.Write, "")
			req.expect(t, 415)
		})
		t.Run("GraphQLChangesShowInREST", func(t *testing.T) {
			env.Query(t, owner.org.Write, `mutation($id: ID!) { updatePartnership(input: {id: $id, isSupport: false, isDefault: true}) { clientMutationId } }`,
				map[string]any{"id": gid("Partnership", created.ID)}, nil)
			c.do("GET", path, guest.Read, "").expect(t, 200, `"is_default":1`, `"is_support":0`)
		})
		c.do("DELETE", path, guest.Write, "").expect(t, 204)
		c.do("GET", path, guest.Read, "").expect(t, 404)
	})
}
