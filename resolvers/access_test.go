package resolvers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

const createPartnershipQ = `mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) { partnership { id databaseId partner { companyName } } } }`

// TestPartnerUsers follows seed 000: once a partner's organization accepts
// its invitation, that organization's users may read the partner and
// create, read, update and delete its project partnerships; listing a
// project's partnerships shows them only their own partner's.
func TestPartnerUsers(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		owner := newWorld(t, env, "Owner")
		guest := env.Org(t, "Guest")
		mine := owner.partner(t, env, "Guest Partner")
		other := owner.partner(t, env, "Someone Else")
		owner.partnership(t, env, other) // in owner.project, not the guest's

		// Before accepting, the guest sees nothing of the partner.
		env.MustFail(t, guest.Write, `query($id: ID!) { partner(id: $id) { id } }`, map[string]any{"id": gid("Partner", mine.ID)}, "NOT_FOUND", "")

		var inv struct {
			InvitePartner struct {
				InvitationToken string
				Partner         struct{ InvitationStatus string }
			}
		}
		env.Query(t, owner.org.Write, `mutation($id: ID!) { invitePartner(input: {id: $id}) { invitationToken partner { invitationStatus } } }`,
			map[string]any{"id": gid("Partner", mine.ID)}, &inv)
		if inv.InvitePartner.Partner.InvitationStatus != "INVITED" || !strings.HasPrefix(inv.InvitePartner.InvitationToken, "pgi_") {
			t.Fatalf("invite: %+v", inv)
		}
		accept := `mutation($t: String!) { acceptPartnerInvitation(input: {token: $t}) { partner { invitationStatus guestOrganization { name } } } }`
		t.Run("OwnerCannotAcceptItsOwn", func(t *testing.T) {
			env.MustFail(t, owner.org.Write, accept, map[string]any{"t": inv.InvitePartner.InvitationToken}, "BAD_USER_INPUT", "token")
		})
		var acc struct {
			AcceptPartnerInvitation struct {
				Partner struct {
					InvitationStatus  string
					GuestOrganization struct{ Name string }
				}
			}
		}
		env.Query(t, guest.Write, accept, map[string]any{"t": inv.InvitePartner.InvitationToken}, &acc)
		if p := acc.AcceptPartnerInvitation.Partner; p.InvitationStatus != "ACCEPTED" || p.GuestOrganization.Name != "Guest" {
			t.Fatalf("accept: %+v", acc)
		}
		t.Run("TokenWorksOnce", func(t *testing.T) {
			env.MustFail(t, guest.Write, accept, map[string]any{"t": inv.InvitePartner.InvitationToken}, "NOT_FOUND", "token")
		})
		t.Run("ViewerListsPartners", func(t *testing.T) {
			var v struct {
				Viewer struct {
					Partners []struct{ CompanyName string }
				}
			}
			env.Query(t, guest.Read, `{ viewer { partners { companyName } } }`, nil, &v)
			if len(v.Viewer.Partners) != 1 || v.Viewer.Partners[0].CompanyName != "Guest Partner" {
				t.Fatalf("viewer.partners: %+v", v)
			}
		})
		t.Run("ReadsThePartnerButCannotEditIt", func(t *testing.T) {
			env.Query(t, guest.Read, `query($id: ID!) { partner(id: $id) { companyName } }`, map[string]any{"id": gid("Partner", mine.ID)}, nil)
			env.MustFail(t, guest.Write, `mutation($id: ID!) { updatePartner(input: {id: $id, companyName: "Hijacked"}) { partner { id } } }`,
				map[string]any{"id": gid("Partner", mine.ID)}, "FORBIDDEN", "")
			env.MustFail(t, guest.Write, `query($id: ID!) { partner(id: $id) { id } }`, map[string]any{"id": gid("Partner", other.ID)}, "NOT_FOUND", "")
		})
		t.Run("SeesTheOwnersProjectsBeforeItsPartnerHasAPartnershipThere", func(t *testing.T) {
			var d struct {
				Node struct {
					Name         string
					Partnerships struct{ TotalCount int }
				}
			}
			env.Query(t, guest.Read, `query($id: ID!) { node(id: $id) { ... on Project { name partnerships { totalCount } } } }`,
				map[string]any{"id": gid("Project", owner.project.ID)}, &d)
			if d.Node.Name != owner.project.Name || d.Node.Partnerships.TotalCount != 0 {
				t.Fatalf("project as the partner user sees it: %+v", d)
			}
		})

		var created struct {
			CreatePartnership struct {
				Partnership struct {
					ID                      string
					ViewerCanUpdatePipeline bool
				}
			}
		}
		in := func(extra map[string]any) map[string]any {
			m := map[string]any{"partnerId": gid("Partner", mine.ID), "projectId": gid("Project", owner.project.ID)}
			for k, v := range extra {
				m[k] = v
			}
			return map[string]any{"in": m}
		}
		// Every field of the owner's pipeline, one at a time.
		pipeline := map[string]any{"tierId": gid("Tier", owner.tier.ID), "categoryId": gid("Category", owner.category.ID),
			"stageId": gid("Stage", owner.lead.ID), "assignedUserIds": []string{gid("User", owner.member.ID)},
			"tagIds": []string{gid("Tag", owner.tags[0].ID)}, "customFields": []any{map[string]any{"customFieldId": gid("CustomField", owner.text.ID), "text": "x"}},
			"fallbackData": map[string]any{"name": "Mine now"}}
		t.Run("CreatesInTheOwnersProjectWithoutThePipeline", func(t *testing.T) {
			before := env.Snapshot(t, owner.org.ID)
			for field, v := range pipeline {
				env.MustFail(t, guest.Write, createPartnershipQ, in(map[string]any{field: v}), "FORBIDDEN", field)
			}
			// Refused before its malformed value is looked at.
			env.MustFail(t, guest.Write, createPartnershipQ, in(map[string]any{"tierId": "not-an-id"}), "FORBIDDEN", "tierId")
			env.MustFail(t, guest.Write, createPartnershipQ, map[string]any{"in": map[string]any{"partnerId": gid("Partner", mine.ID)}}, "FORBIDDEN", "projectId")
			env.MustFail(t, guest.Write, createPartnershipQ, map[string]any{"in": map[string]any{
				"partnerId": gid("Partner", other.ID), "projectId": gid("Project", owner.project.ID)}}, "NOT_FOUND", "partnerId")
			if env.Snapshot(t, owner.org.ID) != before {
				t.Fatal("a refused create changed the owner's data")
			}
			env.Query(t, guest.Write, `mutation($in: CreatePartnershipInput!) { createPartnership(input: $in) { partnership { id viewerCanUpdatePipeline } } }`,
				in(map[string]any{"isDefault": true}), &created)
			if created.CreatePartnership.Partnership.ViewerCanUpdatePipeline {
				t.Fatal("viewerCanUpdatePipeline is true for a partner user")
			}
		})
		id := created.CreatePartnership.Partnership.ID
		t.Run("ListsOnlyItsOwnPartnersPartnerships", func(t *testing.T) {
			count := func(key string) int {
				var d struct {
					Node struct {
						Partnerships struct {
							TotalCount int
							Nodes      []struct{ Partner struct{ CompanyName string } }
						}
					}
				}
				env.Query(t, key, `query($id: ID!) { node(id: $id) { ... on Project { partnerships { totalCount nodes { partner { companyName } } } } } }`,
					map[string]any{"id": gid("Project", owner.project.ID)}, &d)
				if len(d.Node.Partnerships.Nodes) != d.Node.Partnerships.TotalCount {
					t.Fatalf("totalCount %d but %d nodes", d.Node.Partnerships.TotalCount, len(d.Node.Partnerships.Nodes))
				}
				return d.Node.Partnerships.TotalCount
			}
			if n := count(guest.Read); n != 1 {
				t.Fatalf("partner user sees %d partnerships of the project, want 1", n)
			}
			if n := count(owner.org.Read); n != 2 {
				t.Fatalf("project owner sees %d partnerships, want 2", n)
			}
		})
		const updateQ = `mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { partnership { id } } }`
		t.Run("SetsItsFlagsButNeverThePipeline", func(t *testing.T) {
			before := env.Snapshot(t, owner.org.ID)
			fields := map[string]any{"stageUuid": owner.lead.UUID}
			for k, v := range pipeline {
				fields[k] = v
			}
			for field, v := range fields {
				env.MustFail(t, guest.Write, updateQ, map[string]any{"in": map[string]any{"id": id, field: v}}, "FORBIDDEN", field)
			}
			env.MustFail(t, guest.Write, updateQ, map[string]any{"in": map[string]any{"id": id, "tierId": nil}}, "FORBIDDEN", "tierId")
			env.MustFail(t, guest.Write, updateQ, map[string]any{"in": map[string]any{"id": id, "isSupport": true, "tagIds": []string{"bad"}}}, "FORBIDDEN", "tagIds")
			if env.Snapshot(t, owner.org.ID) != before {
				t.Fatal("a refused update changed the owner's data")
			}
			update(t, env, guest.Write, map[string]any{"id": id, "isSupport": true, "isDefault": false})
		})
		t.Run("LeavesThePartnershipsOutsideProjectsAlone", func(t *testing.T) {
			outside, err := env.DB.CreatePartnership(context.Background(), owner.org.Actor(), pg.PartnershipCreate{PartnerID: mine.ID})
			pgtest.Must(t, err)
			oid := gid("Partnership", outside.ID)
			env.Query(t, guest.Read, `query($id: ID!) { partnership(id: $id) { id } }`, map[string]any{"id": oid}, nil)
			env.MustFail(t, guest.Write, updateQ, map[string]any{"in": map[string]any{"id": oid, "isSupport": true}}, "FORBIDDEN", "projectId")
			env.MustFail(t, guest.Write, `mutation($id: ID!) { deletePartnership(input: {id: $id}) { deletedId } }`, map[string]any{"id": oid}, "FORBIDDEN", "projectId")
		})
		t.Run("OwnerSetsThePipeline", func(t *testing.T) {
			var d struct {
				UpdatePartnership struct {
					Partnership struct{ ViewerCanUpdatePipeline bool }
				}
			}
			env.Query(t, owner.org.Write, `mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { partnership { viewerCanUpdatePipeline } } }`,
				map[string]any{"in": map[string]any{"id": id, "tierId": gid("Tier", owner.tier.ID)}}, &d)
			if !d.UpdatePartnership.Partnership.ViewerCanUpdatePipeline {
				t.Fatal("viewerCanUpdatePipeline is false for the owner")
			}
		})
		t.Run("DeletesIt", func(t *testing.T) {
			env.Query(t, guest.Write, `mutation($id: ID!) { deletePartnership(input: {id: $id}) { deletedId } }`, map[string]any{"id": id}, nil)
			env.MustFail(t, owner.org.Read, `query($id: ID!) { partnership(id: $id) { id } }`, map[string]any{"id": id}, "NOT_FOUND", "")
		})
	})
}

// TestOrganizationHeaders follows seed 004's headers on the GraphQL endpoint.
func TestOrganizationHeaders(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		target := newWorld(t, env, "Target")
		requester := env.Org(t, "Requester")
		p := target.partner(t, env, "Shared Partner")
		const read = `query($id: ID!) { partner(id: $id) { companyName } organization { name } }`
		const write = `mutation { createTag(input: {name: "from-requester"}) { tag { id } } }`
		vars := map[string]any{"id": gid("Partner", p.ID)}
		do := func(key, query string, h map[string]string) *pgtest.Response {
			return env.Do(t, pgtest.Request{Key: key, Query: query, Variables: vars, Header: h})
		}
		hdr := func(req, tgt string) map[string]string {
			h := map[string]string{}
			if req != "" {
				h["Requester-Organization-ID"] = req
			}
			if tgt != "" {
				h["Target-Organization-ID"] = tgt
			}
			return h
		}
		expect := func(t *testing.T, r *pgtest.Response, status int, code string) {
			t.Helper()
			if r.Status != status || (code == "" && len(r.Errors) > 0) || (code != "" && (len(r.Errors) == 0 || r.Errors[0].Code() != code)) {
				t.Fatalf("want %d %s, got %d %+v %s", status, code, r.Status, r.Errors, r.Data)
			}
		}
		t.Run("NoConnection", func(t *testing.T) {
			expect(t, do(requester.Write, read, hdr(requester.UUID, target.org.UUID)), 403, "FORBIDDEN")
		})
		t.Run("UnknownTargetLooksLikeNoConnection", func(t *testing.T) {
			expect(t, do(requester.Write, read, hdr("", "6c1f0a2e-1111-4222-8333-944455556666")), 403, "FORBIDDEN")
		})
		t.Run("MalformedTarget", func(t *testing.T) {
			expect(t, do(requester.Write, read, hdr("", "not-a-uuid")), 400, "BAD_USER_INPUT")
		})
		t.Run("WrongRequester", func(t *testing.T) {
			expect(t, do(requester.Write, read, hdr(target.org.UUID, "")), 403, "FORBIDDEN")
		})
		t.Run("OwnOrganizationAsTarget", func(t *testing.T) {
			expect(t, do(target.org.Read, read, hdr(target.org.UUID, target.org.UUID)), 200, "")
		})
		conn, err := env.DB.GrantConnection(context.Background(), target.org.Actor(), pg.ConnectionGrant{GranteeOrganizationID: requester.ID, Access: pg.PermissionRead})
		pgtest.Must(t, err)
		t.Run("ReadConnectionReads", func(t *testing.T) {
			r := do(requester.Write, read, hdr(requester.UUID, target.org.UUID))
			expect(t, r, 200, "")
			if !strings.Contains(string(r.Data), "Shared Partner") || !strings.Contains(string(r.Data), `"name":"Target"`) {
				t.Fatalf("acting on the target should read its data: %s", r.Data)
			}
			expect(t, do(requester.Write, write, hdr(requester.UUID, target.org.UUID)), 403, "FORBIDDEN")
		})
		t.Run("WriteConnectionWritesButReadKeyStillCannot", func(t *testing.T) {
			_, err := env.DB.GrantConnection(context.Background(), target.org.Actor(), pg.ConnectionGrant{GranteeOrganizationID: requester.ID, Access: pg.PermissionWrite})
			pgtest.Must(t, err)
			expect(t, do(requester.Write, write, hdr("", target.org.UUID)), 200, "")
			expect(t, do(requester.Read, write, hdr("", target.org.UUID)), 403, "FORBIDDEN")
			tags, err := env.DB.Tags(context.Background(), target.org.Actor(), pgtest.Str("from-requester"), pg.PageRequest{Limit: 5})
			pgtest.Must(t, err)
			if len(tags.Items) != 1 {
				t.Fatalf("the tag was not created in the target organization")
			}
		})
		t.Run("AdminOperationsStayWithTheirOrganization", func(t *testing.T) {
			expect(t, do(requester.Write, `{ apiKeys { nodes { id } } }`, hdr("", target.org.UUID)), 200, "FORBIDDEN")
		})
		t.Run("RevokedConnection", func(t *testing.T) {
			_, err := env.DB.RevokeConnection(context.Background(), target.org.Actor(), conn.ID)
			pgtest.Must(t, err)
			expect(t, do(requester.Write, read, hdr("", target.org.UUID)), 403, "FORBIDDEN")
		})
	})
}

func TestAPIKeyLifecycleAndRoles(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		const create = `mutation($in: CreateApiKeyInput!) { createApiKey(input: $in) { secret apiKey { id prefix permission user { email } lastUsedAt revokedAt } } }`
		var made struct {
			CreateApiKey struct {
				Secret string
				APIKey struct {
					ID, Prefix, Permission string
					User                   struct{ Email string }
				} `json:"apiKey"`
			}
		}
		env.Query(t, w.org.Write, create, map[string]any{"in": map[string]any{"name": "ci", "permission": "READ", "userId": gid("User", w.member.ID)}}, &made)
		k := made.CreateApiKey
		if !strings.HasPrefix(k.Secret, k.APIKey.Prefix) || k.APIKey.User.Email != w.member.Email || k.APIKey.Permission != "READ" {
			t.Fatalf("created key: %+v", k)
		}
		env.Query(t, k.Secret, `{ viewer { permission user { email } } }`, nil, nil)
		var list struct {
			APIKeys struct {
				Nodes []struct {
					Prefix     string
					LastUsedAt *string
				}
			} `json:"apiKeys"`
		}
		env.Query(t, w.org.Read, `{ apiKeys { nodes { prefix lastUsedAt } } }`, nil, &list)
		used := false
		for _, n := range list.APIKeys.Nodes {
			used = used || (n.Prefix == k.APIKey.Prefix && n.LastUsedAt != nil)
		}
		if !used {
			t.Fatalf("lastUsedAt not recorded: %+v", list)
		}
		t.Run("MembersCannotManage", func(t *testing.T) {
			_, memberKey, err := env.DB.CreateAPIKey(context.Background(), w.org.Actor(), storeKey(w.member.ID))
			pgtest.Must(t, err)
			for _, q := range []string{
				`mutation { createUser(input: {name: "X", email: "x@acme.example"}) { user { id } } }`,
				`mutation { createApiKey(input: {name: "x", permission: WRITE}) { secret } }`,
				`{ apiKeys { nodes { id } } }`,
				`{ connections { nodes { id } } }`,
			} {
				env.MustFail(t, memberKey, q, nil, "FORBIDDEN", "")
			}
		})
		t.Run("DuplicateEmailConflicts", func(t *testing.T) {
			env.MustFail(t, w.org.Write, `mutation($e: String!) { createUser(input: {name: "Dup", email: $e}) { user { id } } }`,
				map[string]any{"e": w.member.Email}, "CONFLICT", "email")
		})
		t.Run("RevokedKeyStops", func(t *testing.T) {
			env.Query(t, w.org.Write, `mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } } }`, map[string]any{"id": k.APIKey.ID}, nil)
			r := env.Do(t, pgtest.Request{Key: k.Secret, Query: `{ viewer { permission } }`})
			if r.Status != 401 || len(r.Errors) != 1 || r.Errors[0].Code() != "UNAUTHENTICATED" {
				t.Fatalf("revoked key: %d %+v", r.Status, r.Errors)
			}
		})
		t.Run("MalformedAuthorization", func(t *testing.T) {
			for _, h := range []string{"", "Bearer", "Basic abc", "Bearer pgk_" + strings.Repeat("0", 64), "Bearer " + strings.Repeat("x", 5000)} {
				r := env.Do(t, pgtest.Request{Query: `{ viewer { permission } }`, Header: map[string]string{"Authorization": h}})
				if r.Status != 401 || len(r.Errors) != 1 || r.Errors[0].Code() != "UNAUTHENTICATED" {
					t.Fatalf("%q: %d %+v", h, r.Status, r.Errors)
				}
			}
		})
	})
}

// TestSecretsAreNeverStoredOrLoggedInClear searches the database file and
// the server's log for a created key's secret and an integration password.
func TestSecretsAreNeverStoredOrLoggedInClear(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	w := newWorld(t, env, "Acme")
	p := w.partner(t, env, "TechCorp")
	business := env.Org(t, "Business")
	const password = "correct-horse-battery-staple-7261"
	var made struct {
		CreateApiKey struct{ Secret string }
	}
	env.Query(t, w.org.Write, `mutation { createApiKey(input: {name: "k", permission: WRITE}) { secret } }`, nil, &made)
	var conn struct {
		ConnectPartnerIntegration struct {
			PartnerIntegration map[string]any
		}
	}
	env.Query(t, made.CreateApiKey.Secret, `mutation($p: ID!, $b: ID!, $pw: String!) { connectPartnerIntegration(input: {partnerId: $p, businessId: $b, login: "api-user", password: $pw}) { partnerIntegration { login status } } }`,
		map[string]any{"p": gid("Partner", p.ID), "b": business.UUID, "pw": password}, &conn)
	if conn.ConnectPartnerIntegration.PartnerIntegration["status"] != "CONNECTED" {
		t.Fatalf("connect: %+v", conn)
	}
	// A failing request carrying the password must not log it either.
	env.Do(t, pgtest.Request{Key: made.CreateApiKey.Secret, Query: `mutation($pw: String!) { connectPartnerIntegration(input: {partnerId: "bad", businessId: "bad", login: "x", password: $pw}) { partnerIntegration { id } } }`,
		Variables: map[string]any{"pw": password}})
	var files [][]byte
	matches, _ := filepath.Glob(env.DSN + "*")
	for _, m := range matches {
		b, err := os.ReadFile(m)
		pgtest.Must(t, err)
		files = append(files, b)
	}
	for _, secret := range []string{made.CreateApiKey.Secret, w.org.Write, password} {
		for i, b := range files {
			if bytes.Contains(b, []byte(secret)) {
				t.Fatalf("%s holds a secret in clear", matches[i])
			}
		}
		if strings.Contains(env.Log(), secret) {
			t.Fatalf("the server log holds a secret in clear")
		}
	}
	if !strings.Contains(env.Log(), `"msg":"request"`) {
		t.Fatalf("the log is empty, so searching it proves nothing")
	}
}

// TestGraphQLAuthenticatesThenAuthorizesFirst: over GraphQL as over REST, a
// caller without a valid key is refused (401 with a Bearer challenge)
// before its document is looked at, and one that may only read is refused
// a mutation (403 FORBIDDEN) before the document is validated or its
// variables coerced.
func TestGraphQLAuthenticatesThenAuthorizesFirst(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		p := w.partnership(t, env, w.partner(t, env, "TechCorp"))
		guest := env.Org(t, "Reader")
		_, err := env.DB.GrantConnection(context.Background(), w.org.Actor(), pg.ConnectionGrant{GranteeOrganizationID: guest.ID, Access: pg.PermissionRead})
		pgtest.Must(t, err)
		const update = `mutation($in: UpdatePartnershipInput!) { updatePartnership(input: $in) { partnership { id } } }`
		malformed := []struct {
			name, query string
			vars        map[string]any
		}{
			{"BadVariable", update, map[string]any{"in": map[string]any{"id": gid("Partnership", p.ID), "isDefault": "yes"}}},
			{"MissingVariable", update, nil},
			{"UnknownField", `mutation { updatePartnership(input: {id: "x"}) { nothing } }`, nil},
			{"DoesNotParse", `mutation { updatePartnership(`, nil},
		}
		for _, m := range malformed {
			t.Run(m.name, func(t *testing.T) {
				for _, auth := range []string{"", "Bearer pgk_unknown", "Basic dXNlcjpwYXNz"} {
					r := env.Do(t, pgtest.Request{Query: m.query, Variables: m.vars, Header: map[string]string{"Authorization": auth}})
					if r.Status != 401 || len(r.Errors) != 1 || r.Errors[0].Code() != "UNAUTHENTICATED" || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
						t.Fatalf("%q: %d %+v %q", auth, r.Status, r.Errors, r.Header.Get("WWW-Authenticate"))
					}
				}
				for label, req := range map[string]pgtest.Request{
					"ReadKey":        {Key: w.org.Read, Query: m.query, Variables: m.vars},
					"ReadConnection": {Key: guest.Write, Query: m.query, Variables: m.vars, Header: map[string]string{"Target-Organization-ID": w.org.UUID}},
				} {
					r := env.Do(t, req)
					if r.Status != 403 || len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" || r.Data != nil {
						t.Fatalf("%s: %d %+v %s", label, r.Status, r.Errors, r.Data)
					}
				}
			})
		}
		t.Run("TheOperationNamedIsTheOneJudged", func(t *testing.T) {
			doc := `query Read { viewer { permission } } mutation Write { createTag(input: {name: "x"}) { tag { id } } }`
			r := env.Do(t, pgtest.Request{Key: w.org.Read, Query: doc, Variables: map[string]any{}, Header: nil})
			if len(r.Errors) == 0 {
				t.Fatal("two operations and no name: want an error")
			}
			body, _ := json.Marshal(map[string]any{"query": doc, "operationName": "Read"})
			if got := postRaw(t, env, w.org.Read, body); !strings.Contains(got, `"permission":"READ"`) {
				t.Fatalf("the query of a document that also holds a mutation: %s", got)
			}
			body, _ = json.Marshal(map[string]any{"query": doc, "operationName": "Write"})
			if got := postRaw(t, env, w.org.Read, body); !strings.Contains(got, `"FORBIDDEN"`) {
				t.Fatalf("the mutation named: %s", got)
			}
		})
	})
}

func postRaw(t *testing.T, env *pgtest.Env, key string, body []byte) string {
	t.Helper()
	req, _ := http.NewRequest("POST", env.Server.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := env.Server.Client().Do(req)
	pgtest.Must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
