package resolvers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// adminOnly are the mutations only an ADMIN of the organization acted on
// may run.
var adminOnly = map[string]bool{
	"createUser": true, "createApiKey": true, "revokeApiKey": true, "grantConnection": true, "revokeConnection": true,
	"createWebhookEndpoint": true, "updateWebhookEndpoint": true, "deleteWebhookEndpoint": true, "redeliverEvent": true,
	"acceptPartnerInvitation": true,
}

// partnerOwnerOnly are the mutations of a partner's records a partner user
// reads but may not make: refused as FORBIDDEN, not hidden as NOT_FOUND.
var partnerOwnerOnly = map[string]bool{
	"updatePartner": true, "deletePartner": true, "invitePartner": true, "createRelationship": true, "deleteRelationship": true,
	"connectPartnerIntegration": true, "createPartnership": true, "updatePartnership": true,
}

// actorKind is a kind of caller, and what each mutation aimed at the
// victim's records must answer it.
type actorKind struct {
	name   string
	key    func(v *victim) string
	header map[string]string
	// refused returns the codes a mutation must fail with, or nil when the
	// caller may run it (its outcome is then not this test's concern).
	refused func(mutation string) []string
}

// TestEveryKindOfActorAgainstEveryMutation runs every mutation of the
// schema, aimed at a victim organization's real records, as each kind of
// caller that is not the victim's admin: partner users (with a WRITE and a
// READ key), a MEMBER of the victim, and another organization acting on the
// victim through a WRITE connection. (Unrelated organizations, READ keys,
// READ connections and dead keys are TestAnotherOrganizationSeesAndChangesNothing's.)
// A refused mutation answers its code and changes nothing.
func TestEveryKindOfActorAgainstEveryMutation(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		v := newVictim(t, env)
		ctx := context.Background()
		guest := newWorld(t, env, "Guest Partner Org")
		_, token, err := env.DB.InvitePartner(ctx, v.org.Actor(), v.partner.ID)
		pgtest.Must(t, err)
		_, err = env.DB.AcceptPartnerInvitation(ctx, guest.org.Actor(), token)
		pgtest.Must(t, err)
		_, memberKey, err := env.DB.CreateAPIKey(ctx, v.org.Actor(), pg.APIKeyCreate{UserID: v.member.ID, Name: "m", Permission: pg.PermissionWrite})
		pgtest.Must(t, err)
		friend := env.Org(t, "Friend With Write Access")
		_, err = env.DB.GrantConnection(ctx, v.org.Actor(), pg.ConnectionGrant{GranteeOrganizationID: friend.ID, Access: pg.PermissionWrite})
		pgtest.Must(t, err)

		types := introspect(t, env, v.org.Read)
		var mutations []attempt
		for _, at := range v.attempts(types) {
			if at.mutation {
				mutations = append(mutations, at)
			}
		}
		name := func(at attempt) string { return strings.TrimPrefix(at.name, "Mutation.") }
		kinds := []actorKind{
			{name: "PartnerUserReadKey", key: func(*victim) string { return guest.org.Read },
				refused: func(string) []string { return []string{"FORBIDDEN"} }},
			{name: "PartnerUser", key: func(*victim) string { return guest.org.Write },
				refused: func(m string) []string {
					switch {
					case m == "deletePartnership":
						return nil // seed 000: its partner's project partnership
					case partnerOwnerOnly[m]:
						return []string{"FORBIDDEN"}
					case mustTouchVictim("Mutation." + m):
						return []string{"NOT_FOUND", "FORBIDDEN"}
					}
					return nil // its own organization's records
				}},
			{name: "Member", key: func(*victim) string { return memberKey },
				refused: func(m string) []string { return adminOnlyRefusal(m) }},
			{name: "WriteConnection", key: func(*victim) string { return friend.Write },
				header:  map[string]string{"Target-Organization-ID": v.org.UUID},
				refused: func(m string) []string { return adminOnlyRefusal(m) }},
		}
		seen := map[string]bool{}
		for _, k := range kinds {
			t.Run(k.name, func(t *testing.T) {
				var allowed []attempt
				for _, at := range mutations {
					want := k.refused(name(at))
					if want == nil {
						allowed = append(allowed, at)
						continue
					}
					seen[name(at)] = true
					t.Run(name(at), func(t *testing.T) {
						before := env.Snapshot(t, v.org.ID)
						r := env.Do(t, pgtest.Request{Key: k.key(v), Query: at.query, Variables: at.vars, Header: k.header})
						if len(r.Errors) == 0 || !contains(want, r.Errors[0].Code()) {
							raw, _ := json.Marshal(r)
							t.Fatalf("want one of %v, got %s", want, raw)
						}
						if s := v.leaks(mustJSON(r), at.vars); s != "" {
							t.Fatalf("response leaks %q", s)
						}
						if env.Snapshot(t, v.org.ID) != before {
							t.Fatal("a refused mutation changed the victim's data")
						}
					})
				}
				if k.name == "PartnerUser" {
					// What seed 000 gives it: deleting its partner's project
					// partnership (the victim's, in the victim's project).
					for _, at := range allowed {
						if name(at) == "deletePartnership" {
							env.Query(t, k.key(v), at.query, at.vars, nil)
							env.MustFail(t, v.org.Read, `query($id: ID!) { partnership(id: $id) { id } }`,
								map[string]any{"id": gid("Partnership", v.partnership.ID)}, "NOT_FOUND", "")
						}
					}
				}
			})
		}
		for m := range adminOnly {
			if !seen[m] {
				t.Errorf("%s was never tried: is it still in the schema?", m)
			}
		}
	})
}

func adminOnlyRefusal(mutation string) []string {
	if adminOnly[mutation] {
		return []string{"FORBIDDEN"}
	}
	return nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
