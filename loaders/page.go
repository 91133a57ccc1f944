package loaders

import (
	"context"
	"encoding/json"

	"github.com/graph-gophers/dataloader/v7"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/relay"
)

// PageArgs are the arguments of a nested connection field. Parents asked
// with the same arguments are fetched together.
type PageArgs struct {
	Page              pg.PageRequest
	PartnershipFilter pg.PartnershipCriteria
	PartnershipOrder  pg.Order[pg.PartnershipOrderField]
}

// PageKey identifies one parent's page: the parent's id and its arguments
// in a comparable (encoded) form.
type PageKey struct {
	Parent int64
	Args   string
}

// Key returns the key of parent's page with args.
func Key(parent int64, args PageArgs) PageKey {
	b, err := json.Marshal(args)
	if err != nil {
		panic("loaders: PageArgs must encode: " + err.Error())
	}
	return PageKey{Parent: parent, Args: string(b)}
}

// pages builds a loader of nested pages: keys are grouped by their
// arguments, each group is one statement however many parents it has, and
// each group is widened to every registered parent.
// register, if not nil, records each page fetched.
func pages[V any](l *Loaders, parents func() []int64, fetch func(ctx context.Context, parents []int64, args PageArgs) (map[int64]V, error), register func(V)) *dataloader.Loader[PageKey, V] {
	expand := func(keys []PageKey) []PageKey {
		all := parents()
		var out []PageKey
		seen := map[string]bool{}
		for _, k := range keys {
			if seen[k.Args] {
				continue
			}
			seen[k.Args] = true
			for _, p := range all {
				out = append(out, PageKey{Parent: p, Args: k.Args})
			}
		}
		return out
	}
	m := newMemo[PageKey, V](func(ctx context.Context, keys []PageKey) (map[PageKey]V, error) {
		groups := map[string][]int64{}
		for _, k := range keys {
			groups[k.Args] = append(groups[k.Args], k.Parent)
		}
		vals := make(map[PageKey]V, len(keys))
		for encoded, ids := range groups {
			var args PageArgs
			if err := json.Unmarshal([]byte(encoded), &args); err != nil {
				return nil, err
			}
			m, err := fetch(ctx, ids, args)
			if err != nil {
				return nil, err
			}
			for _, p := range ids {
				v := m[p]
				vals[PageKey{Parent: p, Args: encoded}] = v
				if register != nil {
					register(v)
				}
			}
		}
		return vals, nil
	}, expand)
	return dataloader.NewBatchedLoader(m.batch(nil), options[PageKey, V]()...)
}

// listOf registers the items of a page with register.
func listOf[T any](register func([]T)) func(pg.List[T]) {
	return func(l pg.List[T]) { register(l.Items) }
}

// PartnershipArgs decodes the arguments shared by every partnerships field:
// the page (relay.Page), the filter's global IDs and the order. Errors are
// BAD_USER_INPUT naming the argument at fault.
func PartnershipArgs(first *int32, after *string, last *int32, before *string, f *model.PartnershipFilter, o *model.PartnershipOrder) (PageArgs, error) {
	var args PageArgs
	var err error
	if args.Page, err = relay.Page(first, after, last, before); err != nil {
		return args, err
	}
	if args.PartnershipFilter, err = partnershipFilter(f); err != nil {
		return args, err
	}
	if o != nil {
		args.PartnershipOrder = pg.Order[pg.PartnershipOrderField]{Field: o.Field, Desc: o.Direction == model.OrderDirectionDesc}
	}
	return args, nil
}

func partnershipFilter(f *model.PartnershipFilter) (pg.PartnershipCriteria, error) {
	var out pg.PartnershipCriteria
	if f == nil {
		return out, nil
	}
	ids := []struct {
		dst   **int64
		field string
		typ   string
		gid   *string
	}{
		{&out.PartnerID, "filter.partnerId", pg.TypePartner, f.PartnerID},
		{&out.ProjectID, "filter.projectId", pg.TypeProject, f.ProjectID},
		{&out.TierID, "filter.tierId", pg.TypeTier, f.TierID},
		{&out.CategoryID, "filter.categoryId", pg.TypeCategory, f.CategoryID},
		{&out.StageID, "filter.stageId", pg.TypeStage, f.StageID},
		{&out.TagID, "filter.tagId", pg.TypeTag, f.TagID},
		{&out.AssignedUserID, "filter.assignedUserId", pg.TypeUser, f.AssignedUserID},
	}
	for _, id := range ids {
		v, err := relay.DecodeOptionalID(id.field, id.typ, id.gid)
		if err != nil {
			return out, err
		}
		*id.dst = v
	}
	out.IsDefault = f.IsDefault
	out.UpdatedSince = f.UpdatedSince
	return out, nil
}
