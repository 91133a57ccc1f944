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
	// partnership, so the partner's users may follow it too.
	switch {
	case partnershipID != nil:
		id, err := relay.DecodeID("partnershipId", pg.TypePartnership, *partnershipID)
		if err != nil {
			return nil, err
		}
		ps, err := r.DB.Partnership(ctx, a, id)
		if err != nil {
			return nil, withField(err, "partnershipId")
		}
		return r.Feed.Subscribe(ctx, ps.OrganizationID, func(e *pg.Event) bool {
			return e.ResourceType == pg.TypePartnership && e.ResourceID == id
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
		return r.Feed.Subscribe(ctx, p.OrganizationID, func(e *pg.Event) bool {
			return e.ResourceType == pg.TypePartnership && partnerOf(e) == id
		})
	}
	return nil, pg.InvalidField("partnerId", "Pass partnerId or partnershipId.")
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
