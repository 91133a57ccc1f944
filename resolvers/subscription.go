package resolvers

import (
	"context"
	"encoding/json"

	pg "partnergraph"
	"partnergraph/graph"
	"partnergraph/relay"
)

type subscriptionResolver struct{ *Resolver }

func (r *Resolver) Subscription() graph.SubscriptionResolver { return &subscriptionResolver{r} }

func (r *subscriptionResolver) Events(ctx context.Context, types []string) (<-chan *pg.Event, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	if err := pg.ValidateList("types", len(types)); err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	return r.Feed.Subscribe(ctx, a.OrganizationID, func(e *pg.Event) bool {
		return a.MayReadEventsOf(e.ResourceType) && (len(want) == 0 || want[e.Type])
	})
}

func (r *subscriptionResolver) PartnershipEvents(ctx context.Context, partnerID *string, partnershipID *string) (<-chan *pg.Event, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	// The feed is the one of the organization owning the partner or the
	// partnership, so the partner's users may follow it too; they get what
	// they may read of it (pg.Event.WithoutPipeline). The stream completes
	// once what it follows is deleted.
	switch {
	case partnershipID != nil && partnerID != nil:
		// Following one would leave the other unchecked: an argument the
		// server ignores is one a client believes it applied.
		return nil, pg.InvalidField("partnershipId", "Pass partnerId or partnershipId, not both.")
	case partnershipID != nil:
		id, err := relay.DecodeID("partnershipId", pg.TypePartnership, *partnershipID)
		if err != nil {
			return nil, err
		}
		ps, err := r.DB.Partnership(ctx, a, id)
		if err != nil {
			return nil, withField(err, "partnershipId")
		}
		return r.Feed.Follow(ctx, ps.OrganizationID, func(e *pg.Event) (*pg.Event, bool) {
			if e.ResourceType != pg.TypePartnership || e.ResourceID != id {
				return nil, false
			}
			return readable(a, ps, e), e.Type == "partnership.deleted"
		})
	case partnerID != nil:
		id, err := r.partnerRef(ctx, a, "partnerId", *partnerID)
		if err != nil {
			return nil, err
		}
		p, err := r.DB.Partner(ctx, a, id)
		if err != nil {
			return nil, withField(err, "partnerId")
		}
		owned := &pg.Partnership{OrganizationID: p.OrganizationID}
		return r.Feed.Follow(ctx, p.OrganizationID, func(e *pg.Event) (*pg.Event, bool) {
			if e.ResourceType == pg.TypePartner && e.ResourceID == id && e.Type == "partner.deleted" {
				return nil, true // its partnerships' partnership.deleted came first
			}
			if e.ResourceType != pg.TypePartnership || partnerOf(e) != id {
				return nil, false
			}
			return readable(a, owned, e), false
		})
	}
	return nil, pg.InvalidField("partnerId", "Pass partnerId or partnershipId.")
}

// readable is e as a receives it: whole for the owner of the partnership
// it is about, without the pipeline for its partner users (nil when
// nothing is left of it). A payload it cannot take apart (which the store
// never writes) is not sent: it fails closed.
func readable(a pg.Actor, about *pg.Partnership, e *pg.Event) *pg.Event {
	if a.CanReadPipeline(about) {
		return e
	}
	out, err := e.WithoutPipeline()
	if err != nil {
		return nil
	}
	return out
}

// partnerOf reads the partner of a partnership event's resource.
func partnerOf(e *pg.Event) int64 {
	var p struct {
		Resource struct {
			PartnerID int64 `json:"partnerId"`
		} `json:"resource"`
	}
	json.Unmarshal(e.Payload, &p)
	return p.Resource.PartnerID
}
