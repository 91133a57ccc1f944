package loaders_test

import (
	"context"
	"testing"

	pg "partnergraph"
	"partnergraph/loaders"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// Every batch read is scoped to its actor: ids of another organization's
// records find nothing, while a partner user (the guest organization of a
// partner) reads the partner and its owner, but none of the owner's
// pipeline: its tiers, stages, tags, assigned users, nor its users at all.
func TestBatchesSeeOnlyWhatTheActorMay(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		ctx := context.Background()
		owner, guest, stranger := env.Org(t, "Owner"), env.Org(t, "Guest"), env.Org(t, "Stranger")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		a := owner.Actor()
		tier, err := env.DB.CreateTier(ctx, a, pg.TierCreate{Name: "Gold", Rank: 1})
		must(err)
		stage, err := env.DB.CreateStage(ctx, a, pg.StageCreate{Name: "Lead", Position: 1})
		must(err)
		tag, err := env.DB.CreateTag(ctx, a, pg.TagCreate{Name: "strategic"})
		must(err)
		p, err := env.DB.CreatePartner(ctx, a, pg.PartnerCreate{CompanyName: "Guest Co", Email: "g@example.com",
			PartnerType: pg.PartnerTypeCustomer, SalesAmount: 1, Frequency: "monthly", PaymentTerms: "Net 30"})
		must(err)
		ps, err := env.DB.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID, TierID: &tier.ID, StageID: &stage.ID,
			TagIDs: []int64{tag.ID}, AssignedUserIDs: []int64{owner.Admin.ID}})
		must(err)
		_, token, err := env.DB.InvitePartner(ctx, a, p.ID)
		must(err)
		_, err = env.DB.AcceptPartnerInvitation(ctx, guest.Actor(), token)
		must(err)

		read := func(actor pg.Actor) (found int) {
			t.Helper()
			b := loaders.NewBatches(env.DB, actor, nil)
			partners, err := b.Partners(ctx, []int64{p.ID})
			must(err)
			users, err := b.Users(ctx, []int64{owner.Admin.ID})
			must(err)
			orgs, err := b.Organizations(ctx, []int64{owner.ID})
			must(err)
			refs, err := b.References(ctx, store.ReferenceIDs{Tiers: []int64{tier.ID}, Stages: []int64{stage.ID}})
			must(err)
			tags, err := b.Tags(ctx, []int64{ps.ID})
			must(err)
			assigned, err := b.AssignedUsers(ctx, []int64{ps.ID})
			must(err)
			for _, n := range []int{len(partners), len(users), len(orgs), len(refs.Tiers), len(refs.Stages), len(tags[ps.ID]), len(assigned[ps.ID])} {
				found += n
			}
			return found
		}
		if n := read(owner.Actor()); n != 7 {
			t.Fatalf("the owner found %d of its 7 records", n)
		}
		if n := read(guest.Actor()); n != 2 {
			t.Fatalf("the partner's users found %d records; want the partner and its owner alone", n)
		}
		if n := read(stranger.Actor()); n != 0 {
			t.Fatalf("another organization found %d of the owner's records by id", n)
		}
	})
}
