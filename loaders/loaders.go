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
	// Batches are the statements behind every loader, bound to the
	// request's actor.
	Batches  Batches
	registry *registry

	Organization *dataloader.Loader[int64, *pg.Organization]
	User         *dataloader.Loader[int64, *pg.User]
	Partner      *dataloader.Loader[int64, *pg.Partner]
	Project      *dataloader.Loader[int64, *pg.Project]
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
	l := &Loaders{Batches: NewBatches(db, a, observe), registry: newRegistry()}
	b, r := l.Batches, l.registry
	partnerships := func() []int64 { return keys(r, r.partnerships, nil) }
	fk := func(f func(*pg.Partnership) *int64) func() []int64 {
		return func() []int64 { return keys(r, r.partnerships, f) }
	}

	l.Organization = byID(l, b.Organizations, nil, "Organization", r.organizationIDs)
	l.User = byID(l, b.Users, l.RegisterUsers, "User", nil)
	l.Partner = byID(l, b.Partners, l.RegisterPartners, "Partner", fk(func(p *pg.Partnership) *int64 { return &p.PartnerID }))
	// A partnership's tier, stage, category and project come in one statement.
	refs := newReferences(l)
	l.Project = reference[*pg.Project](refs, refProject, "Project")
	l.Tier = reference[*pg.Tier](refs, refTier, "Tier")
	l.Category = reference[*pg.Category](refs, refCategory, "Category")
	l.Stage = reference[*pg.Stage](refs, refStage, "Stage")
	l.Event = byID(l, b.Events, nil, "Event", nil)
	fields := newMemo[int64, *pg.CustomField](b.CustomFields, expandIDs(r.fieldIDs))
	l.CustomField = dataloader.NewBatchedLoader(fields.batch(missing("Custom field")), options[int64, *pg.CustomField]()...)

	l.NextStagesByStage = many(l, b.NextStages, l.RegisterStages, func() []int64 { return keys(r, r.stages, nil) })
	l.TagsByPartnership = many(l, b.Tags, nil, partnerships)
	l.UsersByPartnership = many(l, b.AssignedUsers, l.RegisterUsers, partnerships)
	// Values come with their fields, which the field loader then has.
	l.CustomValuesByPartnership = many(l, func(ctx context.Context, ids []int64) (map[int64][]*pg.CustomFieldValue, error) {
		values, fs, err := b.CustomValues(ctx, ids)
		if err != nil {
			return nil, err
		}
		primed := make(map[int64]*pg.CustomField, len(fs))
		for _, f := range fs {
			primed[f.ID] = f
		}
		fields.prime(primed)
		return values, nil
	}, l.RegisterValues, partnerships)

	partners := func() []int64 { return keys(r, r.partners, nil) }
	projects := func() []int64 { return keys(r, r.projects, nil) }
	byParent := func(by Parent) func(context.Context, []int64, PageArgs) (map[int64]pg.List[*pg.Partnership], error) {
		return func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.Partnership], error) {
			return b.Partnerships(ctx, by, ids, args)
		}
	}
	countByParent := func(by Parent) func(context.Context, []int64, PageArgs) (map[int64]int, error) {
		return func(ctx context.Context, ids []int64, args PageArgs) (map[int64]int, error) {
			return b.PartnershipCounts(ctx, by, ids, args)
		}
	}
	l.PartnershipsByPartner = pages(l, partners, byParent(ByPartner), listOf(l.RegisterPartnerships))
	l.PartnershipsByProject = pages(l, projects, byParent(ByProject), listOf(l.RegisterPartnerships))
	l.PartnershipCountByPartner = pages(l, partners, countByParent(ByPartner), nil)
	l.PartnershipCountByProject = pages(l, projects, countByParent(ByProject), nil)
	l.RelationshipsByPartner = pages(l, partners, b.Relationships, listOf(l.RegisterRelationships))
	l.RelationshipCountByPartner = pages(l, partners, b.RelationshipCounts, nil)
	l.IntegrationsByPartner = pages(l, partners, b.Integrations, listOf(l.RegisterIntegrations))
	l.IntegrationCountByPartner = pages(l, partners, b.IntegrationCounts, nil)
	return l
}

// Forget drops everything the loaders hold and have registered, as a change
// makes it stale: what is asked for next is read anew.
func (l *Loaders) Forget() {
	*l = *New(l.Batches.db, l.Batches.a, l.Batches.observe)
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
// register, if not nil, records what it fetched; expand names the ids the
// request will want, when known.
func byID[V any](l *Loaders, fetch func(context.Context, []int64) (map[int64]V, error), register func([]V), what string, expand func() []int64) *dataloader.Loader[int64, V] {
	m := newMemo[int64, V](func(ctx context.Context, keys []int64) (map[int64]V, error) {
		out, err := fetch(ctx, keys)
		if err == nil && register != nil {
			vals := make([]V, 0, len(out))
			for _, v := range out {
				vals = append(vals, v)
			}
			register(vals)
		}
		return out, err
	}, expandIDs(expand))
	return dataloader.NewBatchedLoader(m.batch(missing(what)), options[int64, V]()...)
}

// missing is the error of a key with no record: NOT_FOUND, as for a record
// the caller may not see.
func missing(what string) func(int64) error {
	return func(int64) error { return pg.NotFoundf("%s not found.", what) }
}

// many builds a loader of each key's list; a key with no rows gets an empty list.
func many[V any](l *Loaders, fetch func(context.Context, []int64) (map[int64][]V, error), register func([]V), expand func() []int64) *dataloader.Loader[int64, []V] {
	m := newMemo[int64, []V](func(ctx context.Context, keys []int64) (map[int64][]V, error) {
		out, err := fetch(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if out[k] == nil {
				out[k] = []V{}
			}
			if register != nil {
				register(out[k])
			}
		}
		return out, nil
	}, expandIDs(expand))
	return dataloader.NewBatchedLoader(m.batch(nil), options[int64, []V]()...)
}

func expandIDs(f func() []int64) func([]int64) []int64 {
	if f == nil {
		return nil
	}
	return func([]int64) []int64 { return f() }
}
