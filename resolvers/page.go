package resolvers

import (
	"context"

	"github.com/graph-gophers/dataloader/v7"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
)

// nested returns a parent's page of a nested connection through its loader;
// its totalCount goes through the matching count loader, only when asked.
func nested[T any](ctx context.Context, pages *dataloader.Loader[loaders.PageKey, pg.List[T]], counts *dataloader.Loader[loaders.PageKey, int], parent int64, args loaders.PageArgs) (*relay.Connection[T], error) {
	l, err := pages.Load(ctx, loaders.Key(parent, args))()
	if err != nil {
		return nil, err
	}
	countKey := loaders.Key(parent, loaders.PageArgs{PartnershipFilter: args.PartnershipFilter})
	l.Count = func(ctx context.Context) (int, error) { return counts.Load(ctx, countKey)() }
	return relay.FromList(l), nil
}

// partnershipArgs decodes the arguments shared by every partnerships field.
func partnershipArgs(first *int32, after *string, last *int32, before *string, f *model.PartnershipFilter, o *model.PartnershipOrder) (loaders.PageArgs, error) {
	var args loaders.PageArgs
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

func search(f *model.NameFilter) *string {
	if f == nil {
		return nil
	}
	return f.Search
}

// fromList turns a root list into a connection. register, if not nil,
// records its items with the request's loaders, so their edges are fetched
// for the whole page at once.
func fromList[T any](l pg.List[T], err error, register func([]T)) (*relay.Connection[T], error) {
	if err != nil {
		return nil, err
	}
	if register != nil {
		register(l.Items)
	}
	return relay.FromList(l), nil
}
