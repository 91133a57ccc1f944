package relay

import (
	"context"
	"sync"
)

// PageInfo is Relay's page information.
type PageInfo struct {
	HasNextPage     bool    `json:"hasNextPage"`
	HasPreviousPage bool    `json:"hasPreviousPage"`
	StartCursor     *string `json:"startCursor"`
	EndCursor       *string `json:"endCursor"`
}

// Edge is one item of a connection with its cursor.
type Edge[T any] struct {
	Cursor string
	Node   T
}

// Connection is one page of a list. Its total count is computed only when a
// client asks for totalCount, and at most once.
type Connection[T any] struct {
	edges    []Edge[T]
	pageInfo PageInfo
	count    func(context.Context) (int, error)
	once     sync.Once
	total    int
	err      error
}

// NewConnection builds a connection from the items of a page in display order,
// their cursors, whether more items lie beyond each end of the page, and a
// function that counts the whole list.
func NewConnection[T any](items []T, cursor func(T) string, hasPrev, hasNext bool, count func(context.Context) (int, error)) *Connection[T] {
	c := &Connection[T]{edges: make([]Edge[T], len(items)), count: count}
	for i, it := range items {
		c.edges[i] = Edge[T]{Cursor: cursor(it), Node: it}
	}
	c.pageInfo = PageInfo{HasNextPage: hasNext, HasPreviousPage: hasPrev}
	if len(items) > 0 {
		start, end := c.edges[0].Cursor, c.edges[len(items)-1].Cursor
		c.pageInfo.StartCursor, c.pageInfo.EndCursor = &start, &end
	}
	return c
}

func (c *Connection[T]) Edges() []Edge[T] { return c.edges }

func (c *Connection[T]) Nodes() []T {
	nodes := make([]T, len(c.edges))
	for i, e := range c.edges {
		nodes[i] = e.Node
	}
	return nodes
}

func (c *Connection[T]) PageInfo() PageInfo { return c.pageInfo }

func (c *Connection[T]) TotalCount(ctx context.Context) (int, error) {
	c.once.Do(func() { c.total, c.err = c.count(ctx) })
	return c.total, c.err
}
