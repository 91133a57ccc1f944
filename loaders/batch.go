package loaders

import (
	"context"

	pg "partnergraph"
	"partnergraph/store"
)

// Batches are the statements that load the graph's edges, bound to one
// request's actor: every one is scoped to what the actor may see (see
// store/scope.go). They are the one source of SQL for edges: the dataloaders
// below call them, and so does any other executor of the graph, so both
// answer with the same rows.
//
// Each takes the keys of one batch and returns what it found by key; a key
// with nothing found is absent from the map.
type Batches struct {
	db *store.DB
	a  pg.Actor
	// observe, when set, is told of every batch.
	observe Observer
}

// NewBatches returns the batch reads of a request acting as a. observe, if
// not nil, is told of every batch (metrics, spans).
func NewBatches(db *store.DB, a pg.Actor, observe Observer) Batches {
	return Batches{db: db, a: a, observe: observe}
}

// observed runs one batch's statement under the observer.
func observed[V any](ctx context.Context, b Batches, edge string, keys int, run func(context.Context) (V, error)) (V, error) {
	if b.observe == nil {
		return run(ctx)
	}
	ctx, done := b.observe(ctx, edge, keys)
	v, err := run(ctx)
	done(err)
	return v, err
}

// Actor is the actor the batches read for.
func (b Batches) Actor() pg.Actor { return b.a }

// Organizations loads organizations by id.
func (b Batches) Organizations(ctx context.Context, ids []int64) (map[int64]*pg.Organization, error) {
	return observed(ctx, b, "Organization", len(ids), func(ctx context.Context) (map[int64]*pg.Organization, error) {
		return byKey(b.db.OrganizationsByIDs(ctx, b.a, ids))(func(o *pg.Organization) int64 { return o.ID })
	})
}

// Users loads users by id.
func (b Batches) Users(ctx context.Context, ids []int64) (map[int64]*pg.User, error) {
	return observed(ctx, b, "User", len(ids), func(ctx context.Context) (map[int64]*pg.User, error) {
		return byKey(b.db.UsersByIDs(ctx, b.a, ids))(func(u *pg.User) int64 { return u.ID })
	})
}

// Partners loads partners by id.
func (b Batches) Partners(ctx context.Context, ids []int64) (map[int64]*pg.Partner, error) {
	return observed(ctx, b, "Partner", len(ids), func(ctx context.Context) (map[int64]*pg.Partner, error) {
		return byKey(b.db.PartnersByIDs(ctx, b.a, ids))(func(p *pg.Partner) int64 { return p.ID })
	})
}

// Events loads events by id.
func (b Batches) Events(ctx context.Context, ids []int64) (map[int64]*pg.Event, error) {
	return observed(ctx, b, "Event", len(ids), func(ctx context.Context) (map[int64]*pg.Event, error) {
		return byKey(b.db.EventsByIDs(ctx, b.a, ids))(func(e *pg.Event) int64 { return e.ID })
	})
}

// CustomFields loads custom fields by id.
func (b Batches) CustomFields(ctx context.Context, ids []int64) (map[int64]*pg.CustomField, error) {
	return observed(ctx, b, "Custom field", len(ids), func(ctx context.Context) (map[int64]*pg.CustomField, error) {
		return byKey(b.db.CustomFieldsByIDs(ctx, b.a, ids))(func(f *pg.CustomField) int64 { return f.ID })
	})
}

// References loads the tiers, stages, categories and projects partnerships
// point at, in one statement.
func (b Batches) References(ctx context.Context, want store.ReferenceIDs) (*store.References, error) {
	return observed(ctx, b, "partnership.references", len(want.Tiers)+len(want.Stages)+len(want.Categories)+len(want.Projects), func(ctx context.Context) (*store.References, error) {
		return b.db.ReferencesByIDs(ctx, b.a, want)
	})
}

// NextStages loads each stage's allowed next stages.
func (b Batches) NextStages(ctx context.Context, stages []int64) (map[int64][]*pg.Stage, error) {
	return observed(ctx, b, "stage.allowedNextStages", len(stages), func(ctx context.Context) (map[int64][]*pg.Stage, error) {
		return b.db.NextStages(ctx, b.a, stages)
	})
}

// Tags loads each partnership's tags, by name.
func (b Batches) Tags(ctx context.Context, partnerships []int64) (map[int64][]*pg.Tag, error) {
	return observed(ctx, b, "partnership.tags", len(partnerships), func(ctx context.Context) (map[int64][]*pg.Tag, error) {
		return b.db.TagsByPartnerships(ctx, b.a, partnerships)
	})
}

// AssignedUsers loads each partnership's assigned users, by name.
func (b Batches) AssignedUsers(ctx context.Context, partnerships []int64) (map[int64][]*pg.User, error) {
	return observed(ctx, b, "partnership.assignedUsers", len(partnerships), func(ctx context.Context) (map[int64][]*pg.User, error) {
		return b.db.UsersByPartnerships(ctx, b.a, partnerships)
	})
}

// CustomValues loads each partnership's custom field values, each with its
// field, and the fields once each.
func (b Batches) CustomValues(ctx context.Context, partnerships []int64) (map[int64][]*pg.CustomFieldValue, []*pg.CustomField, error) {
	type found struct {
		values map[int64][]*pg.CustomFieldValue
		fields []*pg.CustomField
	}
	f, err := observed(ctx, b, "partnership.customFieldValues", len(partnerships), func(ctx context.Context) (found, error) {
		values, fields, err := b.db.CustomFieldValuesByPartnerships(ctx, b.a, partnerships)
		return found{values, fields}, err
	})
	return f.values, f.fields, err
}

// Parent names the column a nested list of partnerships hangs from.
type Parent string

const (
	ByPartner Parent = "partner_id"
	ByProject Parent = "project_id"
)

// edge names the edge in metrics.
func (p Parent) edge() string {
	if p == ByProject {
		return "project.partnerships"
	}
	return "partner.partnerships"
}

// Partnerships loads one page of partnerships for each parent, with args.
func (b Batches) Partnerships(ctx context.Context, by Parent, parents []int64, args PageArgs) (map[int64]pg.List[*pg.Partnership], error) {
	return observed(ctx, b, by.edge(), len(parents), func(ctx context.Context) (map[int64]pg.List[*pg.Partnership], error) {
		return b.db.PartnershipsByParent(ctx, b.a, string(by), parents, args.PartnershipFilter, args.PartnershipOrder, args.Page)
	})
}

// PartnershipCounts counts each parent's partnerships matching args' filter.
func (b Batches) PartnershipCounts(ctx context.Context, by Parent, parents []int64, args PageArgs) (map[int64]int, error) {
	return observed(ctx, b, by.edge()+".totalCount", len(parents), func(ctx context.Context) (map[int64]int, error) {
		return b.db.CountPartnershipsByParent(ctx, b.a, string(by), parents, args.PartnershipFilter)
	})
}

// Relationships loads one page of each partner's relationships.
func (b Batches) Relationships(ctx context.Context, partners []int64, args PageArgs) (map[int64]pg.List[*pg.Relationship], error) {
	return observed(ctx, b, "partner.relationships", len(partners), func(ctx context.Context) (map[int64]pg.List[*pg.Relationship], error) {
		return b.db.RelationshipsByPartner(ctx, b.a, partners, args.Page)
	})
}

// RelationshipCounts counts each partner's relationships.
func (b Batches) RelationshipCounts(ctx context.Context, partners []int64, _ PageArgs) (map[int64]int, error) {
	return observed(ctx, b, "partner.relationships.totalCount", len(partners), func(ctx context.Context) (map[int64]int, error) {
		return b.db.CountRelationshipsByPartner(ctx, b.a, partners)
	})
}

// Integrations loads one page of each partner's integrations.
func (b Batches) Integrations(ctx context.Context, partners []int64, args PageArgs) (map[int64]pg.List[*pg.PartnerIntegration], error) {
	return observed(ctx, b, "partner.integrations", len(partners), func(ctx context.Context) (map[int64]pg.List[*pg.PartnerIntegration], error) {
		return b.db.PartnerIntegrationsByPartner(ctx, b.a, partners, args.Page)
	})
}

// IntegrationCounts counts each partner's integrations.
func (b Batches) IntegrationCounts(ctx context.Context, partners []int64, _ PageArgs) (map[int64]int, error) {
	return observed(ctx, b, "partner.integrations.totalCount", len(partners), func(ctx context.Context) (map[int64]int, error) {
		return b.db.CountPartnerIntegrationsByPartner(ctx, b.a, partners)
	})
}

// byKey indexes the records a statement returned by their id.
func byKey[V any](vals []V, err error) func(id func(V) int64) (map[int64]V, error) {
	return func(id func(V) int64) (map[int64]V, error) {
		if err != nil {
			return nil, err
		}
		out := make(map[int64]V, len(vals))
		for _, v := range vals {
			out[id(v)] = v
		}
		return out, nil
	}
}
