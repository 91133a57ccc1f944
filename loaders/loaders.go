// Package loaders batches the graph's edges: one dataloader per edge, built
// fresh for every request (or subscription operation) and carried on its
// context, so a query costs a number of SQL statements set by its shape, not
// by how many rows it returns.
package loaders

import (
	"context"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	pg "partnergraph"
	"partnergraph/store"
)

// wait is how long a loader gathers keys before it queries. gqlgen resolves
// sibling fields in parallel goroutines that all call Load within
// microseconds, so a short wait still collects a whole level.
const wait = 2 * time.Millisecond

// Loaders holds one loader per edge of the graph.
type Loaders struct {
	Organization *dataloader.Loader[int64, *pg.Organization]
	User         *dataloader.Loader[int64, *pg.User]
	Partner      *dataloader.Loader[int64, *pg.Partner]
	Project      *dataloader.Loader[int64, *pg.Project]
	Partnership  *dataloader.Loader[int64, *pg.Partnership]
	Tier         *dataloader.Loader[int64, *pg.Tier]
	Category     *dataloader.Loader[int64, *pg.Category]
	Stage        *dataloader.Loader[int64, *pg.Stage]
	CustomField  *dataloader.Loader[int64, *pg.CustomField]

	NextStagesByStage         *dataloader.Loader[int64, []*pg.Stage]
	TagsByPartnership         *dataloader.Loader[int64, []*pg.Tag]
	UsersByPartnership        *dataloader.Loader[int64, []*pg.User]
	CustomValuesByPartnership *dataloader.Loader[int64, []*pg.CustomFieldValue]

	PartnershipsByPartner      *dataloader.Loader[PageKey, pg.List[*pg.Partnership]]
	PartnershipsByProject      *dataloader.Loader[PageKey, pg.List[*pg.Partnership]]
	PartnershipCountByPartner  *dataloader.Loader[PageKey, int]
	PartnershipCountByProject  *dataloader.Loader[PageKey, int]
	RelationshipsByPartner     *dataloader.Loader[PageKey, pg.List[*pg.Relationship]]
	RelationshipCountByPartner *dataloader.Loader[PageKey, int]
	IntegrationsByPartner      *dataloader.Loader[PageKey, pg.List[*pg.PartnerIntegration]]
	IntegrationCountByPartner  *dataloader.Loader[PageKey, int]
}

// New builds the loaders of one request acting as a.
func New(db *store.DB, a pg.Actor) *Loaders {
	return &Loaders{
		Organization: byID(db.OrganizationsByIDs, func(o *pg.Organization) int64 { return o.ID }, "Organization"),
		User:         byID(db.UsersByIDs, func(u *pg.User) int64 { return u.ID }, "User"),
		Partner:      byID(db.PartnersByIDs, func(p *pg.Partner) int64 { return p.ID }, "Partner"),
		Project:      byID(db.ProjectsByIDs, func(p *pg.Project) int64 { return p.ID }, "Project"),
		Partnership:  byID(db.PartnershipsByIDs, func(p *pg.Partnership) int64 { return p.ID }, "Partnership"),
		Tier:         byID(db.TiersByIDs, func(t *pg.Tier) int64 { return t.ID }, "Tier"),
		Category:     byID(db.CategoriesByIDs, func(c *pg.Category) int64 { return c.ID }, "Category"),
		Stage:        byID(db.StagesByIDs, func(s *pg.Stage) int64 { return s.ID }, "Stage"),
		CustomField:  byID(db.CustomFieldsByIDs, func(f *pg.CustomField) int64 { return f.ID }, "Custom field"),

		NextStagesByStage:         many(db.NextStages),
		TagsByPartnership:         many(db.TagsByPartnerships),
		UsersByPartnership:        many(db.UsersByPartnerships),
		CustomValuesByPartnership: many(db.CustomFieldValuesByPartnerships),

		PartnershipsByPartner: pages(func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.Partnership], error) {
			return db.PartnershipsByParent(ctx, a, "partner_id", ids, args.PartnershipFilter, args.PartnershipOrder, args.Page)
		}),
		PartnershipsByProject: pages(func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.Partnership], error) {
			return db.PartnershipsByParent(ctx, a, "project_id", ids, args.PartnershipFilter, args.PartnershipOrder, args.Page)
		}),
		PartnershipCountByPartner: pages(func(ctx context.Context, ids []int64, args PageArgs) (map[int64]int, error) {
			return db.CountPartnershipsByParent(ctx, a, "partner_id", ids, args.PartnershipFilter)
		}),
		PartnershipCountByProject: pages(func(ctx context.Context, ids []int64, args PageArgs) (map[int64]int, error) {
			return db.CountPartnershipsByParent(ctx, a, "project_id", ids, args.PartnershipFilter)
		}),
		RelationshipsByPartner: pages(func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.Relationship], error) {
			return db.RelationshipsByPartner(ctx, a, ids, args.Page)
		}),
		RelationshipCountByPartner: pages(func(ctx context.Context, ids []int64, _ PageArgs) (map[int64]int, error) {
			return db.CountRelationshipsByPartner(ctx, a, ids)
		}),
		IntegrationsByPartner: pages(func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.PartnerIntegration], error) {
			return db.PartnerIntegrationsByPartner(ctx, a, ids, args.Page)
		}),
		IntegrationCountByPartner: pages(func(ctx context.Context, ids []int64, _ PageArgs) (map[int64]int, error) {
			return db.CountPartnerIntegrationsByPartner(ctx, a, ids)
		}),
	}
}

type ctxKey struct{}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the loaders of the request of ctx.
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	return l
}

func options[K comparable, V any]() []dataloader.Option[K, V] {
	return []dataloader.Option[K, V]{
		dataloader.WithWait[K, V](wait),
		dataloader.WithBatchCapacity[K, V](1000),
		// The cache lives as long as the request: a record loaded twice in
		// one response is read once.
	}
}

// byID builds a loader of records by id; a key with no record gets NOT_FOUND.
func byID[V any](fetch func(context.Context, []int64) ([]V, error), id func(V) int64, what string) *dataloader.Loader[int64, V] {
	return dataloader.NewBatchedLoader(func(ctx context.Context, keys []int64) []*dataloader.Result[V] {
		vals, err := fetch(ctx, keys)
		if err != nil {
			return fail[int64, V](keys, err)
		}
		m := make(map[int64]V, len(vals))
		for _, v := range vals {
			m[id(v)] = v
		}
		return align(keys, m, func(int64) error { return pg.NotFoundf("%s not found.", what) })
	}, options[int64, V]()...)
}

// many builds a loader of each key's list; a key with no rows gets an empty list.
func many[V any](fetch func(context.Context, []int64) (map[int64][]V, error)) *dataloader.Loader[int64, []V] {
	return dataloader.NewBatchedLoader(func(ctx context.Context, keys []int64) []*dataloader.Result[[]V] {
		m, err := fetch(ctx, keys)
		if err != nil {
			return fail[int64, []V](keys, err)
		}
		for _, k := range keys {
			if m[k] == nil {
				m[k] = []V{}
			}
		}
		return align(keys, m, nil)
	}, options[int64, []V]()...)
}

// align lines results up with keys, as dataloader requires: SQL returns rows
// in no particular order, and some keys may have none.
func align[K comparable, V any](keys []K, vals map[K]V, missing func(K) error) []*dataloader.Result[V] {
	out := make([]*dataloader.Result[V], len(keys))
	for i, k := range keys {
		v, ok := vals[k]
		switch {
		case ok:
			out[i] = &dataloader.Result[V]{Data: v}
		case missing != nil:
			out[i] = &dataloader.Result[V]{Error: missing(k)}
		default:
			out[i] = &dataloader.Result[V]{}
		}
	}
	return out
}

func fail[K comparable, V any](keys []K, err error) []*dataloader.Result[V] {
	out := make([]*dataloader.Result[V], len(keys))
	for i := range keys {
		out[i] = &dataloader.Result[V]{Error: err}
	}
	return out
}
