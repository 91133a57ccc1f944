package resolvers_test

import (
	"context"
	"encoding/json"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// TestUpdatesThatChangeNothingWriteNothing sends every update mutation twice
// with the same input. The first changes the record: a new stamp (updatedAt,
// or the time the mutation sets) and one event more. The second leaves every
// value as it was: it is answered with the record as it is, and writes
// nothing, neither a new stamp nor an event.
func TestUpdatesThatChangeNothingWriteNothing(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		ctx := context.Background()
		a := w.org.Actor()
		partner := w.partner(t, env, "TechCorp")
		ps := w.partnership(t, env, partner)
		business, err := env.DB.CreateOrganization(ctx, "Business")
		pgtest.Must(t, err)
		friend, err := env.DB.CreateOrganization(ctx, "Friend")
		pgtest.Must(t, err)
		_, _, err = env.DB.ConnectPartnerIntegration(ctx, a, pg.IntegrationConnect{PartnerID: partner.ID, BusinessID: friend.ID, Login: "l", Password: "p"})
		pgtest.Must(t, err)
		conn, err := env.DB.GrantConnection(ctx, a, pg.ConnectionGrant{GranteeOrganizationID: business.ID, Access: pg.PermissionRead})
		pgtest.Must(t, err)
		key, _, err := env.DB.CreateAPIKey(ctx, a, storeKey(w.member.ID))
		pgtest.Must(t, err)
		hook, _, err := env.DB.CreateWebhookEndpoint(ctx, a, pg.WebhookEndpointCreate{URL: "https://hooks.acme.example/in"})
		pgtest.Must(t, err)

		cases := []struct {
			name string
			// doc runs the mutation on $in and selects the record's stamp
			// as "stamp".
			doc string
			in  map[string]any
		}{
			{"updatePartner", `mutation($in: UpdatePartnerInput!) { updatePartner(input: $in) { partner { stamp: updatedAt } } }`,
				map[string]any{"id": gid("Partner", partner.ID), "companyName": "TechCorp Solutions", "salesAmount": 1000,
					"websiteUrl": "https://techcorp.example", "countryLabel": nil}},
			{"updateProject", `mutation($in: UpdateProjectInput!) { updateProject(input: $in) { project { stamp: updatedAt } } }`,
				map[string]any{"id": gid("Project", w.project.ID), "name": "Presale 2"}},
			{"updatePartnership", `mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { partnership { stamp: updatedAt } } }`,
				map[string]any{"id": gid("Partnership", ps.ID), "isDefault": true, "isSupport": false, "tierId": gid("Tier", w.tier2.ID),
					"categoryId": nil, "stageId": gid("Stage", w.qualified.ID),
					"tagIds": []string{gid("Tag", w.tags[2].ID), gid("Tag", w.tags[0].ID)}, "assignedUserIds": []string{gid("User", w.member.ID)},
					"customFields": []map[string]any{{"customFieldId": gid("CustomField", w.text.ID), "text": "new notes"},
						{"customFieldId": gid("CustomField", w.number.ID)}, {"customFieldId": gid("CustomField", w.multi.ID), "multiSelect": []int{2}},
						{"customFieldId": gid("CustomField", w.boolean.ID), "boolean": false}},
					"fallbackData": map[string]any{"name": "TechCorp Solutions", "websiteUrl": "https://techcorp.example"}}},
			{"updatePartnershipFallbackRemoved", `mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { partnership { stamp: updatedAt } } }`,
				map[string]any{"id": gid("Partnership", ps.ID), "fallbackData": nil}},
			{"updateTier", `mutation($in: UpdateTierInput!) { updateTier(input: $in) { tier { stamp: updatedAt } } }`,
				map[string]any{"id": gid("Tier", w.tier.ID), "name": "Platinum", "rank": 1}},
			{"updateCategory", `mutation($in: UpdateCategoryInput!) { updateCategory(input: $in) { category { stamp: updatedAt } } }`,
				map[string]any{"id": gid("Category", w.category.ID), "name": "Distributor"}},
			{"updateStage", `mutation($in: UpdateStageInput!) { updateStage(input: $in) { stage { stamp: updatedAt } } }`,
				map[string]any{"id": gid("Stage", w.lead.ID), "name": "Lead", "allowedNextStageIds": []string{gid("Stage", w.lost.ID), gid("Stage", w.qualified.ID)}}},
			{"updateTag", `mutation($in: UpdateTagInput!) { updateTag(input: $in) { tag { stamp: updatedAt } } }`,
				map[string]any{"id": gid("Tag", w.tags[1].ID), "name": "apac"}},
			{"updateCustomField", `mutation($in: UpdateCustomFieldInput!) { updateCustomField(input: $in) { customField { stamp: updatedAt } } }`,
				map[string]any{"id": gid("CustomField", w.single.ID), "name": "Territory",
					"options": []map[string]any{{"id": 1, "label": "EMEA"}, {"id": 2, "label": "Asia Pacific"}}}},
			{"updateWebhookEndpoint", `mutation($in: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $in) { webhookEndpoint { stamp: updatedAt } } }`,
				map[string]any{"id": gid("WebhookEndpoint", hook.ID), "description": "CRM sync", "eventTypes": []string{"tag.created"}, "enabled": true}},
			{"connectPartnerIntegration", `mutation($in: ConnectPartnerIntegrationInput!) { connectPartnerIntegration(input: $in) { partnerIntegration { stamp: updatedAt } } }`,
				map[string]any{"partnerId": gid("Partner", partner.ID), "businessId": business.UUID, "login": "acme", "password": "s3cret"}},
			{"disconnectPartnerIntegration", `mutation($in: DisconnectPartnerIntegrationInput!) { disconnectPartnerIntegration(input: $in) { partnerIntegration { stamp: disconnectedAt } } }`,
				map[string]any{"partnerId": gid("Partner", partner.ID), "businessId": friend.UUID}},
			{"grantConnection", `mutation($in: GrantConnectionInput!) { grantConnection(input: $in) { connection { stamp: access } } }`,
				map[string]any{"granteeOrganizationId": business.UUID, "access": "WRITE"}},
			{"revokeConnection", `mutation($in: RevokeConnectionInput!) { revokeConnection(input: $in) { connection { stamp: revokedAt } } }`,
				map[string]any{"id": gid("Connection", conn.ID)}},
			{"revokeApiKey", `mutation($in: RevokeApiKeyInput!) { revokeApiKey(input: $in) { apiKey { stamp: revokedAt } } }`,
				map[string]any{"id": gid("ApiKey", key.ID)}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				events := eventCount(t, env, w.org)
				first := stamp(t, env, w.org.Write, c.doc, c.in)
				if n := eventCount(t, env, w.org); n <= events {
					t.Fatalf("the first %s changed the record but wrote no event", c.name)
				}
				events = eventCount(t, env, w.org)
				again := stamp(t, env, w.org.Write, c.doc, c.in)
				if again != first {
					t.Errorf("the repeated %s moved the stamp from %s to %s", c.name, first, again)
				}
				if n := eventCount(t, env, w.org); n != events {
					t.Errorf("the repeated %s wrote %d events", c.name, n-events)
				}
			})
		}
	})
}

// stamp runs a mutation and returns the "stamp" its document selects.
func stamp(t *testing.T, env *pgtest.Env, key, doc string, in map[string]any) string {
	t.Helper()
	var data map[string]map[string]map[string]any
	env.Query(t, key, doc, map[string]any{"in": in}, &data)
	for _, payload := range data {
		for _, record := range payload {
			b, _ := json.Marshal(record["stamp"])
			return string(b)
		}
	}
	t.Fatalf("no stamp in %v", data)
	return ""
}

// eventCount counts the organization's events.
func eventCount(t *testing.T, env *pgtest.Env, org *pgtest.Org) int {
	t.Helper()
	var data struct{ Events struct{ TotalCount int } }
	env.Query(t, org.Read, `{ events { totalCount } }`, nil, &data)
	return data.Events.TotalCount
}
