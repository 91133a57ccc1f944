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

// Connection is one page of a list. Its cursors are encoded only when a
// client asks for edges or page info (most ask for nodes alone), and its
// total count only when a client asks for totalCount, and at most once.
type Connection[T any] struct {
	items            []T
	cursor           func(T) string
	hasPrev, hasNext bool
	count            func(context.Context) (int, error)
	once             sync.Once
	total            int
	err              error
}

// NewConnection builds a connection from the items of a page in display order,
// their cursors, whether more items lie beyond each end of the page, and a
// function that counts the whole list.
func NewConnection[T any](items []T, cursor func(T) string, hasPrev, hasNext bool, count func(context.Context) (int, error)) *Connection[T] {
	return &Connection[T]{items: items, cursor: cursor, hasPrev: hasPrev, hasNext: hasNext, count: count}
}

func (c *Connection[T]) Edges() []Edge[T] {
	edges := make([]Edge[T], len(c.items))
	for i, it := range c.items {
		edges[i] = Edge[T]{Cursor: c.cursor(it), Node: it}
	}
	return edges
}

func (c *Connection[T]) Nodes() []T { return c.items }

func (c *Connection[T]) PageInfo() PageInfo {
	p := PageInfo{HasNextPage: c.hasNext, HasPreviousPage: c.hasPrev}
	if n := len(c.items); n > 0 {
		start, end := c.cursor(c.items[0]), c.cursor(c.items[n-1])
		p.StartCursor, p.EndCursor = &start, &end
	}
	return p
}

func (c *Connection[T]) TotalCount(ctx context.Context) (int, error) {
	c.once.Do(func() { c.total, c.err = c.count(ctx) })
	return c.total, c.err
}
