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

// wait is how long a loader gathers keys before it queries. It only shapes
// latency: which keys a batch fetches comes from the registry, see memo.
const wait = time.Millisecond

// Loaders holds one loader per edge of the graph.
type Loaders struct {
	registry *registry
	// observe, when set, is told of every batch that queries the database.
	observe Observer

	Organization *dataloader.Loader[int64, *pg.Organization]
	User         *dataloader.Loader[int64, *pg.User]
	Partner      *dataloader.Loader[int64, *pg.Partner]
	Project      *dataloader.Loader[int64, *pg.Project]
	Partnership  *dataloader.Loader[int64, *pg.Partnership]
	Tier         *dataloader.Loader[int64, *pg.Tier]
	Category     *dataloader.Loader[int64, *pg.Category]
	Stage        *dataloader.Loader[int64, *pg.Stage]
	CustomField  *dataloader.Loader[int64, *pg.CustomField]
	Event        *dataloader.Loader[int64, *pg.Event]

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

// Observer is told of every batch that queries the database, before it
// does: the batch's edge and how many keys it fetches (metrics). It returns
// the context to query with (carrying the batch's span, when tracing) and
// the function to call with the batch's outcome.
type Observer func(ctx context.Context, edge string, keys int) (context.Context, func(error))

// New builds the loaders of one request acting as a. observe, if not nil,
// is told of every batch.
func New(db *store.DB, a pg.Actor, observe Observer) *Loaders {
	l := &Loaders{registry: newRegistry(), observe: observe}
	r := l.registry
	partners := func() []int64 { return ids(r, r.partners, nil) }
	partnershipIDs := func() []int64 { return ids(r, r.partnerships, nil) }
	projects := func() []int64 { return ids(r, r.projects, nil) }
	fk := func(f func(*pg.Partnership) *int64) func() []int64 {
		return func() []int64 { return ids(r, r.partnerships, f) }
	}

	l.Organization = byID(l, db.OrganizationsByIDs, func(o *pg.Organization) int64 { return o.ID }, "Organization", r.organizationIDs)
	l.User = byID(l, db.UsersByIDs, func(u *pg.User) int64 { return u.ID }, "User", nil)
	l.Partner = byID(l, db.PartnersByIDs, func(p *pg.Partner) int64 { return p.ID }, "Partner",
		fk(func(p *pg.Partnership) *int64 { return &p.PartnerID }))
	l.Partnership = byID(l, db.PartnershipsByIDs, func(p *pg.Partnership) int64 { return p.ID }, "Partnership", nil)
	// A partnership's tier, stage, category and project come in one statement.
	refs := newReferences(l, db)
	l.Project = reference[*pg.Project](refs, refProject, "Project")
	l.Tier = reference[*pg.Tier](refs, refTier, "Tier")
	l.Category = reference[*pg.Category](refs, refCategory, "Category")
	l.Stage = reference[*pg.Stage](refs, refStage, "Stage")
	l.Event = byID(l, db.EventsByIDs, func(e *pg.Event) int64 { return e.ID }, "Event", nil)
	fields := idMemo(l, db.CustomFieldsByIDs, func(f *pg.CustomField) int64 { return f.ID }, "Custom field", r.fieldIDs)
	l.CustomField = dataloader.NewBatchedLoader(fields.batch(missing("Custom field")), options[int64, *pg.CustomField]()...)

	l.NextStagesByStage = many(l, "stage.allowedNextStages", db.NextStages, func() []int64 { return ids(r, r.stages, nil) })
	l.TagsByPartnership = many(l, "partnership.tags", db.TagsByPartnerships, partnershipIDs)
	l.UsersByPartnership = many(l, "partnership.assignedUsers", db.UsersByPartnerships, partnershipIDs)
	// Values come with their fields, which the field loader then has.
	l.CustomValuesByPartnership = many(l, "partnership.customFieldValues", func(ctx context.Context, ids []int64) (map[int64][]*pg.CustomFieldValue, error) {
		values, fs, err := db.CustomFieldValuesByPartnerships(ctx, ids)
		if err != nil {
			return nil, err
		}
		primed := make(map[int64]*pg.CustomField, len(fs))
		for _, f := range fs {
			primed[f.ID] = f
		}
		fields.prime(primed)
		return values, nil
	}, partnershipIDs)

	l.PartnershipsByPartner = pages(l, "partner.partnerships", partners, func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.Partnership], error) {
		return db.PartnershipsByParent(ctx, a, "partner_id", ids, args.PartnershipFilter, args.PartnershipOrder, args.Page)
	})
	l.PartnershipsByProject = pages(l, "project.partnerships", projects, func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.Partnership], error) {
		return db.PartnershipsByParent(ctx, a, "project_id", ids, args.PartnershipFilter, args.PartnershipOrder, args.Page)
	})
	l.PartnershipCountByPartner = pages(l, "partner.partnerships.totalCount", partners, func(ctx context.Context, ids []int64, args PageArgs) (map[int64]int, error) {
		return db.CountPartnershipsByParent(ctx, a, "partner_id", ids, args.PartnershipFilter)
	})
	l.PartnershipCountByProject = pages(l, "project.partnerships.totalCount", projects, func(ctx context.Context, ids []int64, args PageArgs) (map[int64]int, error) {
		return db.CountPartnershipsByParent(ctx, a, "project_id", ids, args.PartnershipFilter)
	})
	l.RelationshipsByPartner = pages(l, "partner.relationships", partners, func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.Relationship], error) {
		return db.RelationshipsByPartner(ctx, a, ids, args.Page)
	})
	l.RelationshipCountByPartner = pages(l, "partner.relationships.totalCount", partners, func(ctx context.Context, ids []int64, _ PageArgs) (map[int64]int, error) {
		return db.CountRelationshipsByPartner(ctx, a, ids)
	})
	l.IntegrationsByPartner = pages(l, "partner.integrations", partners, func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.PartnerIntegration], error) {
		return db.PartnerIntegrationsByPartner(ctx, a, ids, args.Page)
	})
	l.IntegrationCountByPartner = pages(l, "partner.integrations.totalCount", partners, func(ctx context.Context, ids []int64, _ PageArgs) (map[int64]int, error) {
		return db.CountPartnerIntegrationsByPartner(ctx, a, ids)
	})
	return l
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
	// No batch capacity: a batch is one statement however many keys it has
	// (SQLite and PostgreSQL both take thousands of parameters).
	return []dataloader.Option[K, V]{dataloader.WithWait[K, V](wait)}
}

// byID builds a loader of records by id; a key with no record gets NOT_FOUND.
// expand names the ids the request will want, when known.
func byID[V any](l *Loaders, fetch func(context.Context, []int64) ([]V, error), id func(V) int64, what string, expand func() []int64) *dataloader.Loader[int64, V] {
	return dataloader.NewBatchedLoader(idMemo(l, fetch, id, what, expand).batch(missing(what)), options[int64, V]()...)
}

// missing is the error of a key with no record: NOT_FOUND, as for a record
// the caller may not see.
func missing(what string) func(int64) error {
	return func(int64) error { return pg.NotFoundf("%s not found.", what) }
}

// idMemo is the memo of a loader of records by id.
func idMemo[V any](l *Loaders, fetch func(context.Context, []int64) ([]V, error), id func(V) int64, what string, expand func() []int64) *memo[int64, V] {
	return newMemo[int64, V](l.observer(what), func(ctx context.Context, keys []int64) (map[int64]V, error) {
		vals, err := fetch(ctx, keys)
		if err != nil {
			return nil, err
		}
		register(l, vals)
		out := make(map[int64]V, len(vals))
		for _, v := range vals {
			out[id(v)] = v
		}
		return out, nil
	}, expandIDs(expand))
}

// many builds a loader of each key's list; a key with no rows gets an empty list.
func many[V any](l *Loaders, edge string, fetch func(context.Context, []int64) (map[int64][]V, error), expand func() []int64) *dataloader.Loader[int64, []V] {
	m := newMemo[int64, []V](l.observer(edge), func(ctx context.Context, keys []int64) (map[int64][]V, error) {
		out, err := fetch(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if out[k] == nil {
				out[k] = []V{}
			}
			register(l, out[k])
		}
		return out, nil
	}, expandIDs(expand))
	return dataloader.NewBatchedLoader(m.batch(nil), options[int64, []V]()...)
}

// observer returns the batch observer of edge, or nil.
func (l *Loaders) observer(edge string) func(context.Context, int) (context.Context, func(error)) {
	if l.observe == nil {
		return nil
	}
	return func(ctx context.Context, keys int) (context.Context, func(error)) { return l.observe(ctx, edge, keys) }
}

func expandIDs(f func() []int64) func([]int64) []int64 {
	if f == nil {
		return nil
	}
	return func([]int64) []int64 { return f() }
}
