package resolvers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// heard is one event as a subscription delivered it.
type heard struct {
	Type    string
	Payload map[string]json.RawMessage
	Actor   *struct{ Name string }
}

// stream follows one subscription and keeps what it delivers.
type stream struct {
	mu     sync.Mutex
	events []heard
	ended  chan struct{}
	err    error
}

// follow subscribes with key over transport; field is the subscription's
// root field, whose events it keeps.
func follow(ctx context.Context, env *pgtest.Env, transport, key, field, args string) *stream {
	s := &stream{ended: make(chan struct{})}
	query := fmt.Sprintf(`subscription { %s%s { type payload actor { name } } }`, field, args)
	go func() {
		err := pgtest.Subscribe(ctx, transport, env.Server.URL, key, query, func(d json.RawMessage) {
			var data map[string]heard
			json.Unmarshal(d, &data)
			s.mu.Lock()
			s.events = append(s.events, data[field])
			s.mu.Unlock()
		})
		s.err = err
		close(s.ended)
	}()
	return s
}

// types returns the types of the events delivered so far.
func (s *stream) types() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.events {
		out = append(out, e.Type)
	}
	return out
}

// waitFor waits until the stream delivered an event of typ, or fails t.
func (s *stream) waitFor(t *testing.T, typ string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !slices.Contains(s.types(), typ) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 15s; heard %v (ended: %v)", typ, s.types(), s.err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitEnd waits until the server completed the stream, or fails t.
func (s *stream) waitEnd(t *testing.T) {
	t.Helper()
	select {
	case <-s.ended:
		if !errors.Is(s.err, pgtest.ErrCompleted) {
			t.Fatalf("the stream ended with %v, want completed by the server; heard %v", s.err, s.types())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the stream did not complete within 15s; heard %v", s.types())
	}
}

// pipelineMembers are the members of a partnership event's payload that
// are the owner's pipeline.
var pipelineMembers = []string{"tierId", "categoryId", "stageId", "name", "logoSquareUuid", "websiteUrl", "countryLabel",
	"tagIds", "assignedUserIds", "customFieldValues"}

// checkNoPipeline fails t if an event of s shows the owner's pipeline or
// the owner's user as its actor.
func (s *stream) checkNoPipeline(t *testing.T) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.events {
		if e.Actor != nil {
			t.Errorf("%s names its actor %q to a partner user", e.Type, e.Actor.Name)
		}
		for _, part := range []string{"resource", "changes"} {
			var members map[string]json.RawMessage
			json.Unmarshal(e.Payload[part], &members)
			for _, m := range pipelineMembers {
				if _, ok := members[m]; ok {
					t.Errorf("%s shows %s.%s to a partner user: %s", e.Type, part, m, e.Payload[part])
				}
			}
		}
	}
}

// TestPartnerUsersHearNoPipeline follows a partnership's events as its
// partner's users and as its owner, over both transports, while the owner
// moves its stage, retags it, sets isSupport and deletes it. Partner users
// hear the isSupport change and the deletion alone, without the pipeline's
// members and without the owner's user as actor; the owner hears all five.
// The streams that follow the partnership complete on its deletion. The
// events a partner user lists and streams of its own organization carry
// none of it either.
func TestPartnerUsersHearNoPipeline(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := newPipelineCase(t, env)
		w := c.owner
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		ps := gid(pg.TypePartnership, c.partnership.ID)
		byPartnership := fmt.Sprintf(`(partnershipId: %q)`, ps)
		byPartner := fmt.Sprintf(`(partnerId: %q)`, gid(pg.TypePartner, c.partner.ID))
		type follower struct {
			name  string
			s     *stream
			owner bool
			ends  bool
		}
		var followers []follower
		for _, tr := range []string{pgtest.WebSocket, pgtest.SSE} {
			followers = append(followers,
				follower{"PartnerUser/Partnership/" + tr, follow(ctx, env, tr, c.guest.Read, "partnershipEvents", byPartnership), false, true},
				follower{"PartnerUser/Partner/" + tr, follow(ctx, env, tr, c.guest.Read, "partnershipEvents", byPartner), false, false},
				follower{"Owner/Partnership/" + tr, follow(ctx, env, tr, w.org.Read, "partnershipEvents", byPartnership), true, true})
		}
		own := follow(ctx, env, pgtest.WebSocket, c.guest.Read, "events", "")
		time.Sleep(500 * time.Millisecond) // each subscription starts at the head

		for _, change := range []string{
			fmt.Sprintf(`stageId: %q`, gid(pg.TypeStage, w.qualified.ID)),
			fmt.Sprintf(`tagIds: [%q]`, gid(pg.TypeTag, w.tags[2].ID)),
			`isSupport: true`,
		} {
			env.Query(t, w.org.Write, `mutation($id: ID!) { updatePartnership(input: {id: $id, `+change+`}) { partnership { id } } }`,
				map[string]any{"id": ps}, nil)
		}
		env.Query(t, w.org.Write, `mutation($id: ID!) { deletePartnership(input: {id: $id}) { deletedId } }`, map[string]any{"id": ps}, nil)
		// The partner user's own organization's events end with its own tag.
		env.Query(t, c.guest.Write, `mutation { createTag(input: {name: "marker"}) { tag { id } } }`, nil, nil)

		for _, f := range followers {
			t.Run(f.name, func(t *testing.T) {
				f.s.waitFor(t, "partnership.deleted")
				if f.ends {
					f.s.waitEnd(t)
				}
				want := []string{"partnership.updated", "partnership.deleted"}
				if f.owner {
					want = []string{"partnership.updated", "partnership.stage_changed", "partnership.updated", "partnership.updated", "partnership.deleted"}
				}
				if got := f.s.types(); !slices.Equal(got, want) {
					t.Fatalf("heard %v, want %v", got, want)
				}
				if f.owner {
					f.s.mu.Lock()
					defer f.s.mu.Unlock()
					if a := f.s.events[0].Actor; a == nil || a.Name != w.org.Admin.Name {
						t.Fatalf("the owner hears the actor %+v", a)
					}
					return
				}
				f.s.checkNoPipeline(t)
				var changes map[string]json.RawMessage
				json.Unmarshal(f.s.events[0].Payload["changes"], &changes)
				if _, ok := changes["isSupport"]; !ok || len(changes) != 1 {
					t.Fatalf("the isSupport change as a partner user hears it: %s", f.s.events[0].Payload["changes"])
				}
			})
		}
		t.Run("PartnerUser/OwnEvents", func(t *testing.T) {
			own.waitFor(t, "tag.created")
			if got := own.types(); !slices.Equal(got, []string{"tag.created"}) {
				t.Fatalf("the partner user's own events stream %v", got)
			}
			r := env.Do(t, pgtest.Request{Key: c.guest.Read, Query: `{ events(last: 100) { nodes { type resourceType payload actor { name } } } }`})
			if len(r.Errors) > 0 {
				t.Fatalf("events: %+v", r.Errors)
			}
			for _, s := range append(c.secrets(), `"Partnership"`, "partnership.", "tierId", "stageId", "tagIds") {
				if strings.Contains(string(r.Data), s) {
					t.Fatalf("the partner user's events show %q: %s", s, r.Data)
				}
			}
		})
	})
}

// TestPartnershipStreamsEndWithTheirParent deletes a project, then a
// partner, with streams following their partnerships: each stream hears
// its partnership's partnership.deleted, which the cascade emits, and
// completes; a stream following the partner completes once the partner is
// deleted, after its partnerships' deletions.
func TestPartnershipStreamsEndWithTheirParent(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := newPipelineCase(t, env)
		w := c.owner
		ctx, stop := context.WithCancel(context.Background())
		defer stop()
		// A second partnership of the partner, outside the project.
		loose, err := env.DB.CreatePartnership(ctx, w.org.Actor(), pg.PartnershipCreate{PartnerID: c.partner.ID})
		pgtest.Must(t, err)
		on := func(id int64) string { return fmt.Sprintf(`(partnershipId: %q)`, gid(pg.TypePartnership, id)) }
		var inProject, outside, partner []*stream
		for _, key := range []string{w.org.Read, c.guest.Read} {
			for _, tr := range []string{pgtest.WebSocket, pgtest.SSE} {
				inProject = append(inProject, follow(ctx, env, tr, key, "partnershipEvents", on(c.partnership.ID)))
				partner = append(partner, follow(ctx, env, tr, key, "partnershipEvents", fmt.Sprintf(`(partnerId: %q)`, gid(pg.TypePartner, c.partner.ID))))
			}
		}
		outside = append(outside, follow(ctx, env, pgtest.WebSocket, w.org.Read, "partnershipEvents", on(loose.ID)))
		time.Sleep(500 * time.Millisecond) // each subscription starts at the head

		env.Query(t, w.org.Write, `mutation($id: ID!) { deleteProject(input: {id: $id}) { deletedId } }`,
			map[string]any{"id": gid(pg.TypeProject, w.project.ID)}, nil)
		for i, s := range inProject {
			t.Run(fmt.Sprint("Project/", i), func(t *testing.T) {
				s.waitEnd(t)
				if got := s.types(); !slices.Equal(got, []string{"partnership.deleted"}) {
					t.Fatalf("heard %v", got)
				}
			})
		}
		env.Query(t, w.org.Write, `mutation($id: ID!) { deletePartner(input: {id: $id}) { deletedId } }`,
			map[string]any{"id": gid(pg.TypePartner, c.partner.ID)}, nil)
		for i, s := range append(partner, outside...) {
			t.Run(fmt.Sprint("Partner/", i), func(t *testing.T) {
				s.waitEnd(t)
				want := []string{"partnership.deleted"}
				if i < len(partner) {
					want = []string{"partnership.deleted", "partnership.deleted"}
				}
				if got := s.types(); !slices.Equal(got, want) {
					t.Fatalf("heard %v, want %v", got, want)
				}
			})
		}
	})
}
