package loaders

import (
	"context"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	pg "partnergraph"
	"partnergraph/store"
)

// wait is how long a loader gathers keys before it queries. It only shapes
// latency: which keys a batch fetches comes from the registry, see memo.
const wait = time.Millisecond

// Loaders holds one loader per edge of the graph, each built the first time
// the request uses it: an operation pays for the edges it selects, not for
// every edge of the graph (a mutation's payload uses two or three).
type Loaders struct {
	// Batches are the statements behind every loader, bound to the
	// request's actor.
	Batches  Batches
	registry registry

	mu sync.Mutex
	e  edges
	// primes run after the next Forget (see AfterChange).
	primes []func(*Loaders)
}

// edges are the loaders built so far; nil until first used.
type edges struct {
	organization *dataloader.Loader[int64, *pg.Organization]
	user         *dataloader.Loader[int64, *pg.User]
	partner      *dataloader.Loader[int64, *pg.Partner]
	project      *dataloader.Loader[int64, *pg.Project]
	tier         *dataloader.Loader[int64, *pg.Tier]
	category     *dataloader.Loader[int64, *pg.Category]
	stage        *dataloader.Loader[int64, *pg.Stage]
	customField  *dataloader.Loader[int64, *pg.CustomField]
	event        *dataloader.Loader[int64, *pg.Event]

	nextStagesByStage         *dataloader.Loader[int64, []*pg.Stage]
	tagsByPartnership         *dataloader.Loader[int64, []*pg.Tag]
	usersByPartnership        *dataloader.Loader[int64, []*pg.User]
	customValuesByPartnership *dataloader.Loader[int64, []*pg.CustomFieldValue]

	partnershipsByPartner      *dataloader.Loader[PageKey, pg.List[*pg.Partnership]]
	partnershipsByProject      *dataloader.Loader[PageKey, pg.List[*pg.Partnership]]
	partnershipCountByPartner  *dataloader.Loader[PageKey, int]
	partnershipCountByProject  *dataloader.Loader[PageKey, int]
	relationshipsByPartner     *dataloader.Loader[PageKey, pg.List[*pg.Relationship]]
	relationshipCountByPartner *dataloader.Loader[PageKey, int]
	integrationsByPartner      *dataloader.Loader[PageKey, pg.List[*pg.PartnerIntegration]]
	integrationCountByPartner  *dataloader.Loader[PageKey, int]

	// references is the memo the tier, stage, category and project loaders
	// share (one statement for the four), fields the one the custom field
	// loader shares with the values loader (values come with their fields).
	references *memo[refKey, any]
	fields     *memo[int64, *pg.CustomField]
	tags       *memo[int64, []*pg.Tag]
}

// Observer is told of every batch that queries the database, before it
// does: the batch's edge and how many keys it fetches (metrics). It returns
// the context to query with (carrying the batch's span, when tracing) and
// the function to call with the batch's outcome.
type Observer func(ctx context.Context, edge string, keys int) (context.Context, func(error))

// New returns the loaders of one request acting as a. observe, if not nil,
// is told of every batch. Each loader is built when first used.
func New(db *store.DB, a pg.Actor, observe Observer) *Loaders {
	l := &Loaders{Batches: NewBatches(db, a, observe)}
	l.registry.reset()
	return l
}

// lazy returns the loader in slot, building it first if the request has
// not used it yet.
func lazy[V comparable](l *Loaders, slot *V, build func() V) V {
	l.mu.Lock()
	defer l.mu.Unlock()
	var none V
	if *slot == none {
		*slot = build()
	}
	return *slot
}

// partnershipKeys returns the expansion of a loader keyed by partnership:
// every registered partnership, or the key f derives from each.
func (l *Loaders) partnershipKeys(f func(*pg.Partnership) *int64) func() []int64 {
	r := &l.registry
	return func() []int64 { return keys(r, r.partnerships, f) }
}

// The methods named for an edge return its loader, built on first use.

func (l *Loaders) Organization() *dataloader.Loader[int64, *pg.Organization] {
	return lazy(l, &l.e.organization, func() *dataloader.Loader[int64, *pg.Organization] {
		return byID(l, l.Batches.Organizations, nil, "Organization", l.registry.organizationIDs)
	})
}

func (l *Loaders) User() *dataloader.Loader[int64, *pg.User] {
	return lazy(l, &l.e.user, func() *dataloader.Loader[int64, *pg.User] {
		return byID(l, l.Batches.Users, l.RegisterUsers, "User", nil)
	})
}

func (l *Loaders) Partner() *dataloader.Loader[int64, *pg.Partner] {
	return lazy(l, &l.e.partner, func() *dataloader.Loader[int64, *pg.Partner] {
		return byID(l, l.Batches.Partners, l.RegisterPartners, "Partner",
			l.partnershipKeys(func(p *pg.Partnership) *int64 { return &p.PartnerID }))
	})
}

// A partnership's tier, stage, category and project come in one statement.

func (l *Loaders) Project() *dataloader.Loader[int64, *pg.Project] {
	return lazy(l, &l.e.project, func() *dataloader.Loader[int64, *pg.Project] {
		return reference[*pg.Project](l.references(), refProject, "Project")
	})
}

func (l *Loaders) Tier() *dataloader.Loader[int64, *pg.Tier] {
	return lazy(l, &l.e.tier, func() *dataloader.Loader[int64, *pg.Tier] {
		return reference[*pg.Tier](l.references(), refTier, "Tier")
	})
}

func (l *Loaders) Category() *dataloader.Loader[int64, *pg.Category] {
	return lazy(l, &l.e.category, func() *dataloader.Loader[int64, *pg.Category] {
		return reference[*pg.Category](l.references(), refCategory, "Category")
	})
}

func (l *Loaders) Stage() *dataloader.Loader[int64, *pg.Stage] {
	return lazy(l, &l.e.stage, func() *dataloader.Loader[int64, *pg.Stage] {
		return reference[*pg.Stage](l.references(), refStage, "Stage")
	})
}

// references returns the memo of the four reference loaders; callers hold mu.
func (l *Loaders) references() *memo[refKey, any] {
	if l.e.references == nil {
		l.e.references = newReferences(l)
	}
	return l.e.references
}

func (l *Loaders) Event() *dataloader.Loader[int64, *pg.Event] {
	return lazy(l, &l.e.event, func() *dataloader.Loader[int64, *pg.Event] {
		return byID(l, l.Batches.Events, nil, "Event", nil)
	})
}

func (l *Loaders) CustomField() *dataloader.Loader[int64, *pg.CustomField] {
	return lazy(l, &l.e.customField, func() *dataloader.Loader[int64, *pg.CustomField] {
		return dataloader.NewBatchedLoader(l.fields().batch(missing("Custom field")), options[int64, *pg.CustomField]()...)
	})
}

// fields returns the memo of the custom field loader; callers hold mu.
func (l *Loaders) fields() *memo[int64, *pg.CustomField] {
	if l.e.fields == nil {
		l.e.fields = newMemo[int64, *pg.CustomField](l.Batches.CustomFields, expandIDs(l.registry.fieldIDs))
	}
	return l.e.fields
}

func (l *Loaders) NextStagesByStage() *dataloader.Loader[int64, []*pg.Stage] {
	return lazy(l, &l.e.nextStagesByStage, func() *dataloader.Loader[int64, []*pg.Stage] {
		r := &l.registry
		return many(l, l.Batches.NextStages, l.RegisterStages, func() []int64 { return keys(r, r.stages, nil) })
	})
}

func (l *Loaders) TagsByPartnership() *dataloader.Loader[int64, []*pg.Tag] {
	return lazy(l, &l.e.tagsByPartnership, func() *dataloader.Loader[int64, []*pg.Tag] {
		return dataloader.NewBatchedLoader(l.tags().batch(nil), options[int64, []*pg.Tag]()...)
	})
}

// tags returns the memo of the tags loader; callers hold mu.
func (l *Loaders) tags() *memo[int64, []*pg.Tag] {
	if l.e.tags == nil {
		l.e.tags = manyMemo(l.Batches.Tags, nil, l.partnershipKeys(nil))
	}
	return l.e.tags
}

func (l *Loaders) UsersByPartnership() *dataloader.Loader[int64, []*pg.User] {
	return lazy(l, &l.e.usersByPartnership, func() *dataloader.Loader[int64, []*pg.User] {
		return many(l, l.Batches.AssignedUsers, l.RegisterUsers, l.partnershipKeys(nil))
	})
}

func (l *Loaders) CustomValuesByPartnership() *dataloader.Loader[int64, []*pg.CustomFieldValue] {
	return lazy(l, &l.e.customValuesByPartnership, func() *dataloader.Loader[int64, []*pg.CustomFieldValue] {
		fields := l.fields()
		// Values come with their fields, which the field loader then has.
		return many(l, func(ctx context.Context, ids []int64) (map[int64][]*pg.CustomFieldValue, error) {
			values, fs, err := l.Batches.CustomValues(ctx, ids)
			if err != nil {
				return nil, err
			}
			primed := make(map[int64]*pg.CustomField, len(fs))
			for _, f := range fs {
				primed[f.ID] = f
			}
			fields.prime(primed)
			return values, nil
		}, l.RegisterValues, l.partnershipKeys(nil))
	})
}

func (l *Loaders) partners() []int64 { return keys(&l.registry, l.registry.partners, nil) }
func (l *Loaders) projects() []int64 { return keys(&l.registry, l.registry.projects, nil) }

func (l *Loaders) PartnershipsByPartner() *dataloader.Loader[PageKey, pg.List[*pg.Partnership]] {
	return lazy(l, &l.e.partnershipsByPartner, func() *dataloader.Loader[PageKey, pg.List[*pg.Partnership]] {
		return pages(l, l.partners, l.partnershipsBy(ByPartner), listOf(l.RegisterPartnerships))
	})
}

func (l *Loaders) PartnershipsByProject() *dataloader.Loader[PageKey, pg.List[*pg.Partnership]] {
	return lazy(l, &l.e.partnershipsByProject, func() *dataloader.Loader[PageKey, pg.List[*pg.Partnership]] {
		return pages(l, l.projects, l.partnershipsBy(ByProject), listOf(l.RegisterPartnerships))
	})
}

func (l *Loaders) PartnershipCountByPartner() *dataloader.Loader[PageKey, int] {
	return lazy(l, &l.e.partnershipCountByPartner, func() *dataloader.Loader[PageKey, int] {
		return pages(l, l.partners, l.partnershipCountsBy(ByPartner), nil)
	})
}

func (l *Loaders) PartnershipCountByProject() *dataloader.Loader[PageKey, int] {
	return lazy(l, &l.e.partnershipCountByProject, func() *dataloader.Loader[PageKey, int] {
		return pages(l, l.projects, l.partnershipCountsBy(ByProject), nil)
	})
}

func (l *Loaders) partnershipsBy(by Parent) func(context.Context, []int64, PageArgs) (map[int64]pg.List[*pg.Partnership], error) {
	return func(ctx context.Context, ids []int64, args PageArgs) (map[int64]pg.List[*pg.Partnership], error) {
		return l.Batches.Partnerships(ctx, by, ids, args)
	}
}

func (l *Loaders) partnershipCountsBy(by Parent) func(context.Context, []int64, PageArgs) (map[int64]int, error) {
	return func(ctx context.Context, ids []int64, args PageArgs) (map[int64]int, error) {
		return l.Batches.PartnershipCounts(ctx, by, ids, args)
	}
}

func (l *Loaders) RelationshipsByPartner() *dataloader.Loader[PageKey, pg.List[*pg.Relationship]] {
	return lazy(l, &l.e.relationshipsByPartner, func() *dataloader.Loader[PageKey, pg.List[*pg.Relationship]] {
		return pages(l, l.partners, l.Batches.Relationships, listOf(l.RegisterRelationships))
	})
}

func (l *Loaders) RelationshipCountByPartner() *dataloader.Loader[PageKey, int] {
	return lazy(l, &l.e.relationshipCountByPartner, func() *dataloader.Loader[PageKey, int] {
		return pages(l, l.partners, l.Batches.RelationshipCounts, nil)
	})
}

func (l *Loaders) IntegrationsByPartner() *dataloader.Loader[PageKey, pg.List[*pg.PartnerIntegration]] {
	return lazy(l, &l.e.integrationsByPartner, func() *dataloader.Loader[PageKey, pg.List[*pg.PartnerIntegration]] {
		return pages(l, l.partners, l.Batches.Integrations, listOf(l.RegisterIntegrations))
	})
}

func (l *Loaders) IntegrationCountByPartner() *dataloader.Loader[PageKey, int] {
	return lazy(l, &l.e.integrationCountByPartner, func() *dataloader.Loader[PageKey, int] {
		return pages(l, l.partners, l.Batches.IntegrationCounts, nil)
	})
}

// Forget drops everything the loaders hold and have registered, as a change
// makes it stale: what is asked for next is read anew, but for what the
// change told them (AfterChange). Nothing else of the request runs
// meanwhile (see Refresh).
func (l *Loaders) Forget() {
	l.mu.Lock()
	l.e = edges{}
	l.registry.reset()
	primes := l.primes
	l.primes = nil
	l.mu.Unlock()
	for _, prime := range primes {
		prime(l)
	}
}

// AfterChange has prime run on the loaders once they have forgotten what
// they held before a change (Refresh, after its mutation field): a
// mutation gives them the records its change read, as they now are, so
// its payload shows them without reading them again.
func (l *Loaders) AfterChange(prime func(*Loaders)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.primes = append(l.primes, prime)
}

// PrimePartnership records a partnership as a change left it, with the
// tags and the stage the change read, when it read them.
func (l *Loaders) PrimePartnership(c *store.PartnershipChange) {
	p, s := c.Partnership, c.Stage
	if s != nil && (p.StageID == nil || *p.StageID != s.ID) {
		s = nil
	}
	l.RegisterPartnerships([]*pg.Partnership{p})
	if s != nil {
		l.RegisterStages([]*pg.Stage{s})
	}
	l.mu.Lock()
	if c.Tags != nil {
		l.tags().prime(map[int64][]*pg.Tag{p.ID: c.Tags})
	}
	if s != nil {
		l.references().prime(map[refKey]any{{refStage, s.ID}: s})
	}
	l.mu.Unlock()
	// And the dataloaders' own caches: a load of a primed key is answered
	// at once, without a batch (its goroutine, and its wait).
	ctx := context.Background()
	if c.Tags != nil {
		l.TagsByPartnership().Prime(ctx, p.ID, c.Tags)
	}
	if s != nil {
		l.Stage().Prime(ctx, s.ID, s)
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
	return dataloader.NewBatchedLoader(manyMemo(fetch, register, expand).batch(nil), options[int64, []V]()...)
}

// manyMemo is the memo of a loader built by many.
func manyMemo[V any](fetch func(context.Context, []int64) (map[int64][]V, error), register func([]V), expand func() []int64) *memo[int64, []V] {
	return newMemo[int64, []V](func(ctx context.Context, keys []int64) (map[int64][]V, error) {
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
}

func expandIDs(f func() []int64) func([]int64) []int64 {
	if f == nil {
		return nil
	}
	return func([]int64) []int64 { return f() }
}
