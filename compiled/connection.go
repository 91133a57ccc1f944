package compiled

import (
	"encoding/json"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
)

// page is one connection's page as the writer needs it.
type page[C any] struct {
	items            []C
	cursors          []string
	hasNext, hasPrev bool
	total            int
}

// conn is the plan of a connection's selection (edges, nodes, pageInfo,
// totalCount) over items of type C.
type conn[C any] struct {
	members []member[*page[C]]
	// children are the item plans (under nodes and edges.node) to load.
	children []*object[C]
	cursors  bool
	count    bool
}

// planConn plans sel on a connection of items s describes.
func planConn[C any](p *planner, s *spec[C], sel ast.SelectionSet) (*conn[C], error) {
	c := &conn[C]{}
	typename := s.typename + "Connection"
	for _, f := range graphql.CollectFields(p.oc, sel, []string{typename}) {
		if f.IsDeferred() || len(f.Deferrables) > 0 {
			return nil, unsupported{ReasonDefer}
		}
		var write func(e *exec, pp *page[C]) error
		switch f.Name {
		case "__typename":
			write = func(e *exec, _ *page[C]) error { e.w.str(typename); return nil }
		case "totalCount":
			c.count = true
			write = func(e *exec, pp *page[C]) error { e.w.int(int64(pp.total)); return nil }
		case "nodes":
			o, err := plan(p, s, f.Selections)
			if err != nil {
				return nil, err
			}
			c.children = append(c.children, o)
			write = func(e *exec, pp *page[C]) error { return o.list(e, pp.items) }
		case "edges":
			w, err := planEdges(p, c, s, f.Selections)
			if err != nil {
				return nil, err
			}
			write = w
		case "pageInfo":
			w, err := planPageInfo(p, c, f.Selections)
			if err != nil {
				return nil, err
			}
			write = w
		default:
			return nil, unsupported{ReasonField}
		}
		c.members = append(c.members, member[*page[C]]{key: quotedKey(f.Alias), write: write})
	}
	return c, nil
}

func planEdges[C any](p *planner, c *conn[C], s *spec[C], sel ast.SelectionSet) (func(*exec, *page[C]) error, error) {
	typename := s.typename + "Edge"
	type edgeMember struct {
		key   string
		write func(e *exec, pp *page[C], i int) error
	}
	var members []edgeMember
	for _, f := range graphql.CollectFields(p.oc, sel, []string{typename}) {
		if f.IsDeferred() || len(f.Deferrables) > 0 {
			return nil, unsupported{ReasonDefer}
		}
		var write func(e *exec, pp *page[C], i int) error
		switch f.Name {
		case "__typename":
			write = func(e *exec, _ *page[C], _ int) error { e.w.str(typename); return nil }
		case "cursor":
			c.cursors = true
			write = func(e *exec, pp *page[C], i int) error { e.w.str(pp.cursors[i]); return nil }
		case "node":
			o, err := plan(p, s, f.Selections)
			if err != nil {
				return nil, err
			}
			c.children = append(c.children, o)
			write = func(e *exec, pp *page[C], i int) error { return o.write(e, pp.items[i]) }
		default:
			return nil, unsupported{ReasonField}
		}
		members = append(members, edgeMember{key: quotedKey(f.Alias), write: write})
	}
	return func(e *exec, pp *page[C]) error {
		e.w.open('[')
		for i := range pp.items {
			e.w.elem()
			e.w.open('{')
			for _, m := range members {
				e.w.key(m.key)
				if err := m.write(e, pp, i); err != nil {
					return err
				}
			}
			e.w.close('}')
		}
		e.w.close(']')
		return nil
	}, nil
}

func planPageInfo[C any](p *planner, c *conn[C], sel ast.SelectionSet) (func(*exec, *page[C]) error, error) {
	var members []member[*page[C]]
	for _, f := range graphql.CollectFields(p.oc, sel, []string{"PageInfo"}) {
		if f.IsDeferred() || len(f.Deferrables) > 0 {
			return nil, unsupported{ReasonDefer}
		}
		var write func(e *exec, pp *page[C]) error
		switch f.Name {
		case "__typename":
			write = func(e *exec, _ *page[C]) error { e.w.str("PageInfo"); return nil }
		case "hasNextPage":
			write = func(e *exec, pp *page[C]) error { e.w.bool(pp.hasNext); return nil }
		case "hasPreviousPage":
			write = func(e *exec, pp *page[C]) error { e.w.bool(pp.hasPrev); return nil }
		case "startCursor", "endCursor":
			c.cursors = true
			end := f.Name == "endCursor"
			write = func(e *exec, pp *page[C]) error {
				switch n := len(pp.cursors); {
				case n == 0:
					e.w.null()
				case end:
					e.w.str(pp.cursors[n-1])
				default:
					e.w.str(pp.cursors[0])
				}
				return nil
			}
		default:
			return nil, unsupported{ReasonField}
		}
		members = append(members, member[*page[C]]{key: quotedKey(f.Alias), write: write})
	}
	return func(e *exec, pp *page[C]) error {
		e.w.open('{')
		for _, m := range members {
			e.w.key(m.key)
			if err := m.write(e, pp); err != nil {
				return err
			}
		}
		e.w.close('}')
		return nil
	}, nil
}

// write writes one page.
func (c *conn[C]) write(e *exec, pp *page[C]) error {
	e.w.open('{')
	for i := range c.members {
		m := &c.members[i]
		e.w.key(m.key)
		if err := m.write(e, pp); err != nil {
			return err
		}
	}
	e.w.close('}')
	return nil
}

// loadItems runs the item plans' edges for every item of every page.
func (c *conn[C]) loadItems(e *exec, items []C) error {
	for _, o := range c.children {
		if err := o.load(e, items); err != nil {
			return err
		}
	}
	return nil
}

// fromRoot is the page a root list resolver returned.
func (c *conn[C]) fromRoot(e *exec, rc *relay.Connection[C]) (*page[C], error) {
	pp := &page[C]{items: rc.Nodes()}
	if c.cursors {
		edges := rc.Edges()
		pp.cursors = make([]string, len(edges))
		for i := range edges {
			pp.cursors[i] = edges[i].Cursor
		}
	}
	info := rc.PageInfo()
	pp.hasNext, pp.hasPrev = info.HasNextPage, info.HasPreviousPage
	if c.count {
		n, err := rc.TotalCount(e.ctx)
		if err != nil {
			return nil, errFallback
		}
		pp.total = n
	}
	return pp, c.loadItems(e, pp.items)
}

// fromList is a nested page read by a batch.
func (c *conn[C]) fromList(l pg.List[C], total int) *page[C] {
	p := &page[C]{items: l.Items, hasNext: l.HasNext, hasPrev: l.HasPrev, total: total}
	if c.cursors && len(l.Items) > 0 {
		p.cursors = make([]string, len(l.Items))
		for i, it := range l.Items {
			p.cursors[i] = relay.EncodeCursor(l.Cursor(it))
		}
	}
	return p
}

// partnerships is a parent's partnerships connection (Partner.partnerships,
// Project.partnerships): one statement for every parent of the node, one
// more for their counts when totalCount is asked.
type partnerships[T any] struct {
	slot  int
	by    loaders.Parent
	id    func(T) int64
	field *ast.Field
	conn  *conn[*pg.Partnership]
}

func (n *partnerships[T]) load(e *exec, parents []T) error {
	args, err := partnershipArgs(n.field, e.vars)
	if err != nil {
		return errFallback
	}
	ids := make([]int64, len(parents))
	for i, p := range parents {
		ids[i] = n.id(p)
	}
	lists, err := e.b.Partnerships(e.ctx, n.by, ids, args)
	if err != nil {
		return errFallback
	}
	var counts map[int64]int
	if n.conn.count {
		if counts, err = e.b.PartnershipCounts(e.ctx, n.by, ids, loaders.PageArgs{PartnershipFilter: args.PartnershipFilter}); err != nil {
			return errFallback
		}
	}
	pages := make(map[int64]*page[*pg.Partnership], len(ids))
	var items []*pg.Partnership
	for _, id := range ids {
		l := lists[id]
		pages[id] = n.conn.fromList(l, counts[id])
		items = append(items, l.Items...)
	}
	e.slots[n.slot] = pages
	return n.conn.loadItems(e, items)
}

func (n *partnerships[T]) write(e *exec, v T) error {
	pages, _ := e.slots[n.slot].(map[int64]*page[*pg.Partnership])
	pp, ok := pages[n.id(v)]
	if !ok {
		return errFallback
	}
	return n.conn.write(e, pp)
}

// partnershipArgs coerces a partnerships field's arguments as gqlgen's
// generated argument code does, then decodes them as the resolvers do
// (loaders.PartnershipArgs). Any value it does not expect is an error: the
// field is then left to gqlgen, which reports it.
func partnershipArgs(f *ast.Field, vars map[string]any) (loaders.PageArgs, error) {
	raw := f.ArgumentMap(vars)
	var first, last *int32
	var after, before *string
	var err error
	for name, v := range raw {
		switch name {
		case "first":
			first, err = optInt32(v)
		case "last":
			last, err = optInt32(v)
		case "after":
			after, err = optString(v)
		case "before":
			before, err = optString(v)
		case "filter", "orderBy":
		default:
			err = fmt.Errorf("argument %s", name)
		}
		if err != nil {
			return loaders.PageArgs{}, err
		}
	}
	filter, err := partnershipFilter(raw["filter"])
	if err != nil {
		return loaders.PageArgs{}, err
	}
	order, err := partnershipOrder(raw["orderBy"])
	if err != nil {
		return loaders.PageArgs{}, err
	}
	return loaders.PartnershipArgs(first, after, last, before, filter, order)
}

func partnershipFilter(v any) (*model.PartnershipFilter, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("filter: %T", v)
	}
	f := &model.PartnershipFilter{}
	var err error
	for k, v := range m {
		switch k {
		case "partnerId":
			f.PartnerID, err = optString(v)
		case "projectId":
			f.ProjectID, err = optString(v)
		case "tierId":
			f.TierID, err = optString(v)
		case "categoryId":
			f.CategoryID, err = optString(v)
		case "stageId":
			f.StageID, err = optString(v)
		case "tagId":
			f.TagID, err = optString(v)
		case "assignedUserId":
			f.AssignedUserID, err = optString(v)
		case "isDefault":
			if v != nil {
				b, ok := v.(bool)
				if !ok {
					return nil, fmt.Errorf("isDefault: %T", v)
				}
				f.IsDefault = &b
			}
		case "updatedSince":
			if v != nil {
				t, terr := graphql.UnmarshalTime(v)
				if terr != nil {
					return nil, terr
				}
				f.UpdatedSince = &t
			}
		default:
			return nil, fmt.Errorf("filter.%s", k)
		}
		if err != nil {
			return nil, err
		}
	}
	return f, nil
}

func partnershipOrder(v any) (*model.PartnershipOrder, error) {
	if v == nil {
		return nil, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("orderBy: %T", v)
	}
	field, ok := m["field"].(string)
	if !ok {
		return nil, fmt.Errorf("orderBy.field: %T", m["field"])
	}
	o := &model.PartnershipOrder{Field: pg.PartnershipOrderField(field), Direction: model.OrderDirectionAsc}
	if d, set := m["direction"]; set && d != nil {
		s, ok := d.(string)
		if !ok || !model.OrderDirection(s).IsValid() {
			return nil, fmt.Errorf("orderBy.direction: %v", d)
		}
		o.Direction = model.OrderDirection(s)
	}
	if o.Field != pg.PartnershipOrderCreatedAt && o.Field != pg.PartnershipOrderUpdatedAt {
		return nil, fmt.Errorf("orderBy.field: %s", field)
	}
	return o, nil
}

func optInt32(v any) (*int32, error) {
	if v == nil {
		return nil, nil
	}
	n, err := graphql.UnmarshalInt32(v)
	return &n, err
}

func optString(v any) (*string, error) {
	switch s := v.(type) {
	case nil:
		return nil, nil
	case string:
		return &s, nil
	case json.Number:
		str := string(s)
		return &str, nil
	}
	return nil, fmt.Errorf("%T is not a string", v)
}
