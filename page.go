package partnergraph

import "context"

// MaxPageSize is the most items one page may hold.
const MaxPageSize = 100

// DefaultPageSize is the page size when a client asks for none.
const DefaultPageSize = 20

// Cursor is a keyset position in an ordered list: the sort key and id of an
// item. Order names the ordering it belongs to, so a cursor from one ordering
// is refused by another.
type Cursor struct {
	Order string
	Key   string
	ID    int64
}

// PageRequest asks for one page of a list: Limit items after After (or,
// walking Backward, the last Limit items before Before).
type PageRequest struct {
	Limit         int
	Backward      bool
	After, Before *Cursor
}

// List is one page of a list.
type List[T any] struct {
	Items            []T
	HasNext, HasPrev bool
	// Cursor returns the keyset position of an item of this list.
	Cursor func(T) Cursor
	// Count counts the whole list (all pages); it runs only when called.
	Count func(context.Context) (int, error)
}
