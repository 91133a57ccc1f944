package loaders

import (
	"context"
	"encoding/json"

	"github.com/graph-gophers/dataloader/v7"

	pg "partnergraph"
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
// arguments, and each group is one statement however many parents it has.
func pages[V any](fetch func(ctx context.Context, parents []int64, args PageArgs) (map[int64]V, error)) *dataloader.Loader[PageKey, V] {
	return dataloader.NewBatchedLoader(func(ctx context.Context, keys []PageKey) []*dataloader.Result[V] {
		groups := map[string][]int64{}
		for _, k := range keys {
			groups[k.Args] = append(groups[k.Args], k.Parent)
		}
		vals := make(map[PageKey]V, len(keys))
		for encoded, parents := range groups {
			var args PageArgs
			if err := json.Unmarshal([]byte(encoded), &args); err != nil {
				return fail[PageKey, V](keys, err)
			}
			m, err := fetch(ctx, parents, args)
			if err != nil {
				return fail[PageKey, V](keys, err)
			}
			for _, p := range parents {
				vals[PageKey{Parent: p, Args: encoded}] = m[p]
			}
		}
		return align(keys, vals, nil)
	}, options[PageKey, V]()...)
}
