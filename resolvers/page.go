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
