package resolvers

import (
	"context"
	"strings"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
	"partnergraph/scalar"
)

type eventResolver struct{ *Resolver }
type webhookEndpointResolver struct{ *Resolver }
type webhookAttemptResolver struct{ *Resolver }

func (r *eventResolver) Actor(ctx context.Context, e *pg.Event) (*pg.User, error) {
	if e.ActorUserID == nil {
		return nil, nil
	}
	u, err := loaders.For(ctx).User().Load(ctx, *e.ActorUserID)()
	if pg.ErrorCode(err) == pg.NotFound {
		return nil, nil // the user is gone; the event stays
	}
	return u, err
}

func (r *eventResolver) Payload(_ context.Context, e *pg.Event) (scalar.JSON, error) {
	return scalar.JSON(e.Payload), nil
}

func (r *webhookEndpointResolver) EventTypes(_ context.Context, e *pg.WebhookEndpoint) ([]string, error) {
	return append([]string{}, e.EventTypes...), nil
}

func (r *webhookEndpointResolver) Attempts(ctx context.Context, e *pg.WebhookEndpoint, first *int32, after *string, last *int32, before *string) (*relay.WebhookAttemptConnection, error) {
	a, err := admin(ctx, false)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	l, err := r.DB.WebhookAttempts(ctx, a, e.ID, p)
	return fromList(l, err, nil)
}

func (r *webhookAttemptResolver) Event(ctx context.Context, w *pg.WebhookAttempt) (*pg.Event, error) {
	return loaders.For(ctx).Event().Load(ctx, w.EventID)()
}

func (r *queryResolver) Events(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *pg.EventFilter) (*relay.EventConnection, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	var f pg.EventFilter
	if filter != nil {
		f = *filter
	}
	if err := f.Validate("filter"); err != nil {
		return nil, err
	}
	l, err := r.DB.Events(ctx, a, f, p)
	return fromList(l, err, nil)
}

func (r *queryResolver) WebhookEndpoints(ctx context.Context, first *int32, after *string, last *int32, before *string) (*relay.WebhookEndpointConnection, error) {
	a, err := admin(ctx, false)
	if err != nil {
		return nil, err
	}
	p, err := relay.Page(first, after, last, before)
	if err != nil {
		return nil, err
	}
	l, err := r.DB.WebhookEndpoints(ctx, a, p)
	return fromList(l, err, nil)
}

func (r *mutationResolver) CreateWebhookEndpoint(ctx context.Context, in model.CreateWebhookEndpointInput) (*model.WebhookEndpointPayload, error) {
	a, err := admin(ctx, true)
	if err != nil {
		return nil, err
	}
	if err := r.Guard.CheckURL(ctx, "url", in.URL); err != nil {
		return nil, err
	}
	c := pg.WebhookEndpointCreate{URL: in.URL, Description: in.Description}
	if in.EventTypes != nil {
		types, err := eventTypes(in.EventTypes)
		if err != nil {
			return nil, err
		}
		c.EventTypes = *types
	}
	e, secret, err := r.DB.CreateWebhookEndpoint(ctx, a, c)
	if err != nil {
		return nil, err
	}
	return &model.WebhookEndpointPayload{WebhookEndpoint: e, Secret: &secret, ClientMutationID: in.ClientMutationID}, nil
}

func (r *mutationResolver) UpdateWebhookEndpoint(ctx context.Context, in model.UpdateWebhookEndpointInput) (*model.WebhookEndpointPayload, error) {
	a, err := admin(ctx, true)
	if err != nil {
		return nil, err
	}
	id, err := relay.DecodeID("id", pg.TypeWebhookEndpoint, in.ID)
	if err != nil {
		return nil, err
	}
	c := pg.WebhookEndpointUpdate{URL: in.URL, Description: in.Description, Enabled: in.Enabled, RotateSecret: deref(in.RotateSecret, false)}
	if in.URL != nil {
		if err := r.Guard.CheckURL(ctx, "url", *in.URL); err != nil {
			return nil, err
		}
	}
	if in.EventTypes != nil {
		if c.EventTypes, err = eventTypes(in.EventTypes); err != nil {
			return nil, err
		}
	}
	e, secret, err := r.DB.UpdateWebhookEndpoint(ctx, a, id, c)
	if err != nil {
		return nil, err
	}
	p := &model.WebhookEndpointPayload{WebhookEndpoint: e, ClientMutationID: in.ClientMutationID}
	if secret != "" {
		p.Secret = &secret
	}
	return p, nil
}

func (r *mutationResolver) DeleteWebhookEndpoint(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	if _, err := admin(ctx, true); err != nil {
		return nil, err
	}
	return r.delete(ctx, in, pg.TypeWebhookEndpoint, r.DB.DeleteWebhookEndpoint)
}

func (r *mutationResolver) RedeliverEvent(ctx context.Context, in model.RedeliverEventInput) (*model.RedeliverEventPayload, error) {
	a, err := admin(ctx, true)
	if err != nil {
		return nil, err
	}
	id, err := relay.DecodeID("eventId", pg.TypeEvent, in.EventID)
	if err != nil {
		return nil, err
	}
	endpoint, err := relay.DecodeOptionalID("endpointId", pg.TypeWebhookEndpoint, in.EndpointID)
	if err != nil {
		return nil, err
	}
	e, err := r.DB.RedeliverEvent(ctx, a, id, endpoint)
	if err != nil {
		return nil, err
	}
	return &model.RedeliverEventPayload{Event: e, ClientMutationID: in.ClientMutationID}, nil
}

// eventTypes checks event type names: resource.change, lower case.
func eventTypes(in []string) (*[]string, error) {
	if err := pg.ValidateList("eventTypes", len(in)); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(in))
	for i, t := range in {
		res, chg, ok := strings.Cut(t, ".")
		if !ok || res == "" || chg == "" || strings.ToLower(t) != t || len(t) > 64 {
			return nil, pg.InvalidField("eventTypes."+itoa(i), "%q is not an event type (resource.change, such as partnership.updated).", t)
		}
		out = append(out, t)
	}
	return &out, nil
}
