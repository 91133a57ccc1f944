package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// The isolation tests enumerate the schema by introspection, so a field or
// mutation added later is attacked without editing them.

type typeRef struct {
	Kind   string
	Name   *string
	OfType *typeRef
}

func (t typeRef) named() string {
	if t.Name != nil {
		return *t.Name
	}
	if t.OfType != nil {
		return t.OfType.named()
	}
	return ""
}

func (t typeRef) nonNull() bool { return t.Kind == "NON_NULL" }

func (t typeRef) list() bool {
	for r := &t; r != nil; r = r.OfType {
		if r.Kind == "LIST" {
			return true
		}
	}
	return false
}

type inputValue struct {
	Name string
	Type typeRef
}

type field struct {
	Name string
	Args []inputValue
	Type typeRef
}

type schemaType struct {
	Name        string
	Kind        string
	Fields      []field
	InputFields []inputValue
	EnumValues  []struct{ Name string }
}

func introspect(t *testing.T, env *pgtest.Env, key string) map[string]schemaType {
	t.Helper()
	const typeRefQ = `kind name ofType { kind name ofType { kind name ofType { kind name } } }`
	var data struct {
		Schema struct{ Types []schemaType } `json:"__schema"`
	}
	env.Query(t, key, `{ __schema { types { name kind
		fields { name type { `+typeRefQ+` } args { name type { `+typeRefQ+` } } }
		inputFields { name type { `+typeRefQ+` } }
		enumValues { name } } } }`, nil, &data)
	out := map[string]schemaType{}
	for _, ty := range data.Schema.Types {
		out[ty.Name] = ty
	}
	return out
}

// selection returns a selection set for a type: its id and scalars, and for
// a connection its nodes' ids, deep enough to reveal any leaked record.
func selection(types map[string]schemaType, name string, depth int) string {
	ty := types[name]
	if ty.Kind != "OBJECT" && ty.Kind != "INTERFACE" {
		return ""
	}
	var parts []string
	for _, f := range ty.Fields {
		required := false
		for _, a := range f.Args {
			required = required || a.Type.nonNull()
		}
		if required {
			continue
		}
		inner := types[f.Type.named()]
		switch inner.Kind {
		case "SCALAR", "ENUM":
			parts = append(parts, f.Name)
		case "OBJECT", "INTERFACE":
			if depth > 0 {
				if s := selection(types, inner.Name, depth-1); s != "" {
					parts = append(parts, f.Name+" { "+s+" }")
				}
			}
		}
	}
	if ty.Kind == "INTERFACE" {
		parts = append(parts, "__typename")
	}
	return strings.Join(parts, " ")
}

// victim is an organization whose every kind of record exists, so each
// field and mutation has a real ID of it to try.
type victim struct {
	*world
	partner     *pg.Partner
	partnership *pg.Partnership
	relation    *pg.Relationship
	integration *pg.PartnerIntegration
	ids         map[string][]string // GraphQL type → global IDs
	secrets     []string            // strings that must never reach the attacker
	identity    []string            // the organization's UUID, ID and name
}

func newVictim(t *testing.T, env *pgtest.Env) *victim {
	ctx := context.Background()
	v := &victim{world: newWorld(t, env, "Victim Corp")}
	a := v.org.Actor()
	v.partner = v.partner_(t, env)
	v.partnership = v.partnership_(t, env)
	company, err := env.DB.CreateOrganization(ctx, "Victim Customer")
	pgtest.Must(t, err)
	v.relation, err = env.DB.CreateRelationship(ctx, a, pg.RelationshipCreate{PartnerID: v.partner.ID, CompanyID: company.ID})
	pgtest.Must(t, err)
	v.integration, _, err = env.DB.ConnectPartnerIntegration(ctx, a, pg.IntegrationConnect{PartnerID: v.partner.ID, BusinessID: company.ID, Login: "victim-login", Password: "victim-password"})
	pgtest.Must(t, err)
	keys, err := env.DB.APIKeys(ctx, a, pg.PageRequest{Limit: 10})
	pgtest.Must(t, err)
	friend, err := env.DB.CreateOrganization(ctx, "Victim Friend")
	pgtest.Must(t, err)
	conn, err := env.DB.GrantConnection(ctx, a, pg.ConnectionGrant{GranteeOrganizationID: friend.ID, Access: pg.PermissionWrite})
	pgtest.Must(t, err)
	hook, _, err := env.DB.CreateWebhookEndpoint(ctx, a, pg.WebhookEndpointCreate{URL: "https://hooks.victim.example/in"})
	pgtest.Must(t, err)
	events, err := env.DB.Events(ctx, a, pg.EventFilter{}, pg.PageRequest{Limit: 1})
	pgtest.Must(t, err)
	v.ids = map[string][]string{
		"Connection":      {gid("Connection", conn.ID)},
		"WebhookEndpoint": {gid("WebhookEndpoint", hook.ID)},
		"Event":           {gid("Event", events.Items[0].ID)},
		"Organization":    {gid("Organization", v.org.ID)}, "User": {gid("User", v.member.ID), gid("User", v.org.Admin.ID)},
		"ApiKey": {gid("ApiKey", keys.Items[0].ID)}, "Partner": {gid("Partner", v.partner.ID)},
		"Project": {gid("Project", v.project.ID)}, "Partnership": {gid("Partnership", v.partnership.ID)},
		"Tier": {gid("Tier", v.tier.ID)}, "Category": {gid("Category", v.category.ID)},
		"Stage": {gid("Stage", v.lead.ID)}, "Tag": {gid("Tag", v.tags[0].ID)},
		"CustomField": {gid("CustomField", v.text.ID)}, "Relationship": {gid("Relationship", v.relation.ID)},
		"PartnerIntegration": {gid("PartnerIntegration", v.integration.ID)},
	}
	for typ, list := range v.ids {
		if typ != "Organization" {
			v.secrets = append(v.secrets, list...)
		}
	}
	v.identity = []string{v.org.UUID, gid("Organization", v.org.ID), v.org.Name}
	v.secrets = append(v.secrets, "hooks.victim.example", v.partner.UUID, v.partnership.UUID, v.partner.CompanyName,
		v.project.Name, v.member.Email, "victim-login", "victim-password", v.org.Write, v.org.Read)
	return v
}

func (v *victim) partner_(t *testing.T, env *pgtest.Env) *pg.Partner {
	return v.world.partner(t, env, "Victim Partner Ltd")
}

func (v *victim) partnership_(t *testing.T, env *pgtest.Env) *pg.Partnership {
	return v.world.partnership(t, env, v.partner)
}

// typeOfIDArg guesses which type an ID argument names.
func typeOfIDArg(op, name string) []string {
	switch name {
	case "partnerId":
		return []string{"Partner"}
	case "projectId":
		return []string{"Project"}
	case "tierId":
		return []string{"Tier"}
	case "categoryId":
		return []string{"Category"}
	case "stageId", "allowedNextStageIds":
		return []string{"Stage"}
	case "tagId", "tagIds":
		return []string{"Tag"}
	case "userId", "assignedUserId", "assignedUserIds":
		return []string{"User"}
	case "customFieldId":
		return []string{"CustomField"}
	case "eventId":
		return []string{"Event"}
	case "endpointId":
		return []string{"WebhookEndpoint"}
	case "companyId", "businessId", "granteeOrganizationId":
		return []string{"Organization"}
	}
	// id: the type the operation is named for (updatePartnership → Partnership).
	name = regexp.MustCompile(`^(create|update|delete|invite|revoke|grant|connect|disconnect|redeliver)`).ReplaceAllString(op, "")
	if name == "" {
		return nil
	}
	return []string{strings.ToUpper(name[:1]) + name[1:]}
}

// fill builds a value of an input type aimed at the victim's records.
func (v *victim) fill(types map[string]schemaType, op, name string, ty typeRef, depth int) any {
	named := ty.named()
	var one any
	switch named {
	case "ID":
		typ := typeOfIDArg(op, name)
		if len(typ) == 1 && typ[0] == "Organization" {
			one = v.org.UUID
		} else if len(typ) == 1 && len(v.ids[typ[0]]) > 0 {
			one = v.ids[typ[0]][0]
		} else {
			one = v.ids["Partnership"][0]
		}
	case "String":
		switch {
		case strings.Contains(strings.ToLower(name), "email"):
			one = "attacker@example.com"
		case strings.Contains(strings.ToLower(name), "url"):
			one = "https://attacker.example"
		case strings.Contains(name, "Types") || name == "types":
			one = "partner.created"
		default:
			one = "attack"
		}
	case "Int":
		one = 1
	case "Float":
		one = 1.5
	case "Boolean":
		one = true
	case "UUID":
		one = "9b2f4c1e-3d5a-4e6f-8a7b-0c1d2e3f4a5b"
	case "Date":
		one = "2027-01-01"
	case "Time":
		one = "2030-01-01T00:00:00Z"
	default:
		it := types[named]
		switch it.Kind {
		case "ENUM":
			one = it.EnumValues[len(it.EnumValues)-1].Name
		case "INPUT_OBJECT":
			obj := map[string]any{}
			for _, f := range it.InputFields {
				if !f.Type.nonNull() && strings.HasSuffix(f.Name, "Uuid") {
					continue // an alternative to the ID field beside it
				}
				if f.Type.nonNull() || depth == 0 || strings.HasSuffix(f.Name, "Id") || strings.HasSuffix(f.Name, "Ids") {
					obj[f.Name] = v.fill(types, op, f.Name, f.Type, depth+1)
				}
			}
			one = obj
		}
	}
	if ty.list() {
		return []any{one}
	}
	return one
}

type attempt struct {
	name      string
	query     string
	vars      map[string]any
	mutation  bool
	targetsID bool // the operation names a record of the victim
}

// attempts builds one operation per query field (per victim ID of the type
// it takes) and per mutation.
func (v *victim) attempts(types map[string]schemaType) []attempt {
	var out []attempt
	for _, root := range []string{"Query", "Mutation"} {
		for _, f := range types[root].Fields {
			sel := selection(types, f.Type.named(), 2)
			if sel != "" {
				sel = "{ " + sel + " }"
			}
			var decls, args []string
			vars := map[string]any{}
			targets := false
			for _, a := range f.Args {
				if !a.Type.nonNull() {
					continue
				}
				decls = append(decls, fmt.Sprintf("$%s: %s", a.Name, typeString(a.Type)))
				args = append(args, fmt.Sprintf("%s: $%s", a.Name, a.Name))
				vars[a.Name] = v.fill(types, f.Name, a.Name, a.Type, 0)
				targets = true
			}
			q := strings.ToLower(root)
			if len(decls) > 0 {
				q += "(" + strings.Join(decls, ", ") + ")"
			}
			q += " { " + f.Name
			if len(args) > 0 {
				q += "(" + strings.Join(args, ", ") + ")"
			}
			q += " " + sel + " }"
			if root == "Query" && f.Name == "node" {
				for _, list := range v.ids {
					for _, id := range list {
						out = append(out, attempt{name: "node/" + id, query: q, vars: map[string]any{"id": id}, targetsID: true})
					}
				}
				continue
			}
			if root == "Query" && f.Name == "nodes" {
				vars["ids"] = v.secretIDs()
			}
			out = append(out, attempt{name: root + "." + f.Name, query: q, vars: vars, mutation: root == "Mutation", targetsID: targets})
		}
	}
	return out
}

func (v *victim) secretIDs() []string {
	var ids []string
	for _, list := range v.ids {
		ids = append(ids, list...)
	}
	sort.Strings(ids)
	return ids
}

func typeString(t typeRef) string {
	switch t.Kind {
	case "NON_NULL":
		return typeString(*t.OfType) + "!"
	case "LIST":
		return "[" + typeString(*t.OfType) + "]"
	}
	return *t.Name
}

// leaks returns a secret of the victim's found in body, other than one the
// request itself sent (an echo of its own input is no leak).
func (v *victim) leaks(body []byte, vars map[string]any) string {
	sent, _ := json.Marshal(vars)
	secrets := v.secrets
	if !strings.Contains(string(sent), v.org.UUID) {
		// Naming an organization by UUID may show its ID and name (as
		// seed 002 shows company names); otherwise they are secret too.
		secrets = append(secrets, v.identity...)
	}
	for _, s := range secrets {
		if strings.Contains(string(body), s) && !strings.Contains(string(sent), s) {
			return s
		}
	}
	return ""
}

// TestAnotherOrganizationSeesAndChangesNothing attacks every field and
// mutation of the schema with an unrelated organization's keys, and with
// keys that must not write, against a victim's real IDs.
func TestAnotherOrganizationSeesAndChangesNothing(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		v := newVictim(t, env)
		attacker := newWorld(t, env, "Attacker Inc")
		ctx := context.Background()

		// Keys that may not act: revoked, expired, and a connection that
		// grants the attacker only READ on the victim.
		revokedKey, err := attackerKey(ctx, env, attacker, nil)
		pgtest.Must(t, err)
		keys, err := env.DB.APIKeys(ctx, attacker.org.Actor(), pg.PageRequest{Limit: 10})
		pgtest.Must(t, err)
		_, err = env.DB.RevokeAPIKey(ctx, attacker.org.Actor(), keys.Items[len(keys.Items)-1].ID)
		pgtest.Must(t, err)
		soon := env.DB.Now().Add(100 * time.Millisecond)
		expiredKey, err := attackerKey(ctx, env, attacker, &soon)
		pgtest.Must(t, err)
		time.Sleep(150 * time.Millisecond)

		types := introspect(t, env, attacker.org.Write)
		before := env.Snapshot(t, v.org.ID)
		attempts := v.attempts(types)
		if len(attempts) < 60 {
			t.Fatalf("introspection found only %d operations", len(attempts))
		}
		for _, at := range attempts {
			t.Run(at.name, func(t *testing.T) {
				check := func(label string, r *pgtest.Response, allowed ...string) {
					t.Helper()
					raw, _ := json.Marshal(r)
					if s := v.leaks(raw, at.vars); s != "" {
						t.Fatalf("%s: response leaks %q: %s", label, s, raw)
					}
					for _, e := range r.Errors {
						if !contains(allowed, e.Code()) {
							t.Fatalf("%s: error code %s (%s), want one of %v", label, e.Code(), e.Message, allowed)
						}
					}
					if r.Status >= 500 {
						t.Fatalf("%s: status %d", label, r.Status)
					}
				}
				r := env.Do(t, pgtest.Request{Key: attacker.org.Write, Query: at.query, Variables: at.vars})
				if at.mutation && at.targetsID && len(r.Errors) == 0 && mustTouchVictim(at.name) {
					t.Fatalf("mutation on the victim's records succeeded: %s", r.Data)
				}
				check("unrelated WRITE key", r, "NOT_FOUND", "FORBIDDEN")

				for _, k := range []struct{ label, key string }{{"revoked key", revokedKey}, {"expired key", expiredKey}} {
					r := env.Do(t, pgtest.Request{Key: k.key, Query: at.query, Variables: at.vars})
					check(k.label, r, "UNAUTHENTICATED")
					if len(r.Errors) == 0 || r.Status != 401 {
						t.Fatalf("%s: want 401 UNAUTHENTICATED, got %d %+v", k.label, r.Status, r.Errors)
					}
				}
				if at.mutation {
					r := env.Do(t, pgtest.Request{Key: v.org.Read, Query: at.query, Variables: at.vars})
					if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
						t.Fatalf("READ key: want FORBIDDEN, got %+v", r.Errors)
					}
				}
			})
		}

		// The victim grants the attacker READ access: the attacker may now
		// read with Target-Organization-ID, but every mutation is refused.
		_, err = env.DB.GrantConnection(ctx, v.org.Actor(), pg.ConnectionGrant{GranteeOrganizationID: attacker.org.ID, Access: pg.PermissionRead})
		pgtest.Must(t, err)
		before = env.Snapshot(t, v.org.ID)
		for _, at := range attempts {
			if !at.mutation {
				continue
			}
			t.Run("ReadConnection/"+at.name, func(t *testing.T) {
				r := env.Do(t, pgtest.Request{Key: attacker.org.Write, Query: at.query, Variables: at.vars,
					Header: map[string]string{"Target-Organization-ID": v.org.UUID}})
				if len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
					t.Fatalf("want FORBIDDEN, got %+v %s", r.Errors, r.Data)
				}
			})
		}
		if after := env.Snapshot(t, v.org.ID); after != before {
			t.Fatalf("the victim's data changed:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}

// mustTouchVictim reports whether a mutation can only succeed by touching a
// record named in its input (creates of one's own records may succeed).
func mustTouchVictim(name string) bool {
	for _, p := range []string{"Mutation.update", "Mutation.delete", "Mutation.revoke", "Mutation.invite",
		"Mutation.disconnect", "Mutation.connect", "Mutation.createPartnership", "Mutation.createRelationship",
		"Mutation.acceptPartnerInvitation", "Mutation.createApiKey", "Mutation.redeliver"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func attackerKey(ctx context.Context, env *pgtest.Env, w *world, expires *time.Time) (string, error) {
	_, secret, err := env.DB.CreateAPIKey(ctx, w.org.Actor(), pg.APIKeyCreate{UserID: w.org.Admin.ID, Name: "k", Permission: pg.PermissionWrite, ExpiresAt: expires})
	return secret, err
}
