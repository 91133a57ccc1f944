package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	pg "partnergraph"
)

type keyKind int

const (
	keyInt keyKind = iota
	keyString
	keyTime
)

// ordering is one way to sort a list: by expr, then by id, so the order is
// total and a (key, id) pair is an exact keyset position. A unique column
// is a position by itself.
type ordering[T any] struct {
	name   string
	col    string // unqualified column
	kind   keyKind
	desc   bool
	unique bool
	key    func(T) string
}

func byID[T any]() ordering[T] {
	return ordering[T]{name: "id", col: "id", kind: keyInt, key: func(T) string { return "" }}
}

func byTime[T any](name, col string, desc bool, t func(T) time.Time) ordering[T] {
	return ordering[T]{name: name, col: col, kind: keyTime, desc: desc, key: func(v T) string { return t(v).UTC().Format(time.RFC3339Nano) }}
}

// listSpec describes a list query over one table.
type listSpec[T any] struct {
	table string   // table name; aliased as t
	cols  []string // columns of T
	where []string // conditions on t, joined with AND
	args  []any
	// visible, when set, are alternative conditions: a row is listed when
	// any holds (and where does). Kept apart from where so a page can
	// read each alternative along its own index instead of an OR that
	// defeats them all.
	visible []cond
	order   ordering[T]
	id      func(T) int64
}

func (s listSpec[T]) selectList(alias string) string {
	q := make([]string, len(s.cols))
	for i, c := range s.cols {
		q[i] = alias + "." + c
	}
	return strings.Join(q, ", ")
}

// keyValue is the ordering key c holds; field names the argument that
// carried c (after or before), for the error of a cursor that does not fit.
func (s listSpec[T]) keyValue(c *pg.Cursor, field string) (any, error) {
	if c.Order != s.order.name {
		return nil, pg.InvalidField(field, "The cursor belongs to another ordering.")
	}
	var v any
	var err error
	switch s.order.kind {
	case keyTime:
		v, err = time.Parse(time.RFC3339Nano, c.Key)
	case keyString:
		v = c.Key
	default:
		v, err = strconv.ParseInt(c.Key, 10, 64)
	}
	if err != nil {
		return nil, pg.InvalidField(field, "The cursor is not valid.")
	}
	return v, nil
}

// keyset returns the condition for items strictly after (or before) c.
func (s listSpec[T]) keyset(c *pg.Cursor, after bool) (string, []any, error) {
	if s.order.name == "id" {
		op := ">"
		if after == s.order.desc {
			op = "<"
		}
		return "t.id " + op + " ?", []any{c.ID}, nil
	}
	field := "before"
	if after {
		field = "after"
	}
	v, err := s.keyValue(c, field)
	if err != nil {
		return "", nil, err
	}
	op := ">"
	if after == s.order.desc {
		op = "<"
	}
	if s.order.unique {
		return fmt.Sprintf("t.%s %s ?", s.order.col, op), []any{v}, nil
	}
	return fmt.Sprintf("(t.%s, t.id) %s (?, ?)", s.order.col, op), []any{v, c.ID}, nil
}

// filters returns the WHERE conditions and args of a page request.
// cond is an SQL condition on t and its arguments.
type cond struct {
	sql  string
	args []any
}

// conditions returns every condition of s: visible joined with OR, and where.
func (s listSpec[T]) conditions() ([]string, []any) {
	var where []string
	var args []any
	if len(s.visible) > 0 {
		alts := make([]string, len(s.visible))
		for i, v := range s.visible {
			alts[i] = v.sql
			args = append(args, v.args...)
		}
		where = append(where, "("+strings.Join(alts, " OR ")+")")
	}
	return append(where, s.where...), append(args, s.args...)
}

func (s listSpec[T]) filters(p pg.PageRequest) ([]string, []any, error) {
	where, args := s.conditions()
	for _, b := range []struct {
		c     *pg.Cursor
		after bool
	}{{p.After, true}, {p.Before, false}} {
		if b.c == nil {
			continue
		}
		cond, a, err := s.keyset(b.c, b.after)
		if err != nil {
			return nil, nil, err
		}
		where = append(where, cond)
		args = append(args, a...)
	}
	return where, args, nil
}

func (s listSpec[T]) orderBy(alias string, backward bool) string {
	desc := s.order.desc != backward
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	if s.order.name == "id" {
		return alias + ".id" + dir
	}
	if s.order.unique {
		return alias + "." + s.order.col + dir
	}
	return alias + "." + s.order.col + dir + ", " + alias + ".id" + dir
}

func whereClause(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

func (s listSpec[T]) cursor(v T) pg.Cursor {
	return pg.Cursor{Order: s.order.name, Key: s.order.key(v), ID: s.id(v)}
}

// page trims the extra row fetched to learn whether more exist, and puts a
// backward page back in display order.
func (s listSpec[T]) page(items []T, p pg.PageRequest) pg.List[T] {
	more := len(items) > p.Limit
	if more {
		items = items[:p.Limit]
	}
	l := pg.List[T]{Items: items, Cursor: s.cursor}
	if p.Backward {
		slices.Reverse(items)
		l.HasPrev, l.HasNext = more, p.Before != nil
	} else {
		l.HasNext, l.HasPrev = more, p.After != nil
	}
	return l
}

// list runs one page of s.
func list[T any](ctx context.Context, r runner, s listSpec[T], p pg.PageRequest) (pg.List[T], error) {
	q, args, err := s.pageQuery(p)
	if err != nil {
		return pg.List[T]{}, err
	}
	var items []T
	if err := r.all(ctx, &items, q, args...); err != nil {
		return pg.List[T]{}, fmt.Errorf("list %s: %w", s.table, err)
	}
	l := s.page(items, p)
	l.Count = func(ctx context.Context) (int, error) {
		where, args := s.conditions()
		var n int
		err := r.get(ctx, &n, "SELECT COUNT(*) FROM "+s.table+" t"+whereClause(where), args...)
		return n, err
	}
	return l, nil
}

// pageQuery is the statement of one page of s. With alternative visibility
// conditions it is a UNION ALL of one page per alternative (each excluding
// the rows of those before it), merged and cut to a page: every arm walks
// its own index from the cursor, so a page costs the same at any depth.
func (s listSpec[T]) pageQuery(p pg.PageRequest) (string, []any, error) {
	if len(s.visible) < 2 {
		where, args, err := s.filters(p)
		if err != nil {
			return "", nil, err
		}
		return "SELECT " + s.selectList("t") + " FROM " + s.table + " t" + whereClause(where) +
			" ORDER BY " + s.orderBy("t", p.Backward) + " LIMIT ?", append(args, p.Limit+1), nil
	}
	rest := s
	rest.visible = nil
	where, filterArgs, err := rest.filters(p)
	if err != nil {
		return "", nil, err
	}
	var arms []string
	var args []any
	for i, v := range s.visible {
		conds := []string{v.sql}
		args = append(args, v.args...)
		for _, prev := range s.visible[:i] {
			conds = append(conds, "NOT ("+prev.sql+")")
			args = append(args, prev.args...)
		}
		conds = append(conds, where...)
		args = append(append(args, filterArgs...), p.Limit+1)
		arms = append(arms, fmt.Sprintf("SELECT * FROM (SELECT %s FROM %s t%s ORDER BY %s LIMIT ?) a%d",
			s.selectList("t"), s.table, whereClause(conds), s.orderBy("t", p.Backward), i))
	}
	q := "SELECT * FROM (" + strings.Join(arms, " UNION ALL ") + ") u ORDER BY " + s.orderBy("u", p.Backward) + " LIMIT ?"
	return q, append(args, p.Limit+1), nil
}

// listByParent runs one page of s for each parent at once: a window function
// numbers each parent's rows, so one statement serves any number of parents.
func listByParent[T any](ctx context.Context, r runner, s listSpec[T], parentCol string, parent func(T) int64, parents []int64, p pg.PageRequest) (map[int64]pg.List[T], error) {
	where, args, err := s.filters(p)
	if err != nil {
		return nil, err
	}
	inList, inArgs := in(parents)
	where = append(where, "t."+parentCol+" IN "+inList)
	args = append(args, inArgs...)
	q := "SELECT " + s.selectList("w") + " FROM (SELECT " + s.selectList("t") +
		", ROW_NUMBER() OVER (PARTITION BY t." + parentCol + " ORDER BY " + s.orderBy("t", p.Backward) + ") AS rn FROM " +
		s.table + " t" + whereClause(where) + ") w WHERE w.rn <= ? ORDER BY w." + parentCol + ", w.rn"
	var items []T
	if err := r.all(ctx, &items, q, append(args, p.Limit+1)...); err != nil {
		return nil, fmt.Errorf("list %s by %s: %w", s.table, parentCol, err)
	}
	grouped := make(map[int64][]T, len(parents))
	for _, it := range items {
		grouped[parent(it)] = append(grouped[parent(it)], it)
	}
	out := make(map[int64]pg.List[T], len(parents))
	for _, id := range parents {
		out[id] = s.page(grouped[id], p)
	}
	return out, nil
}

// countByParent counts s's rows for each parent in one statement.
func countByParent[T any](ctx context.Context, r runner, s listSpec[T], parentCol string, parents []int64) (map[int64]int, error) {
	inList, inArgs := in(parents)
	where, args := s.conditions()
	where = append(where, "t."+parentCol+" IN "+inList)
	var rows []struct {
		Parent int64 `db:"parent"`
		N      int   `db:"n"`
	}
	q := "SELECT t." + parentCol + " AS parent, COUNT(*) AS n FROM " + s.table + " t" + whereClause(where) + " GROUP BY t." + parentCol
	if err := r.all(ctx, &rows, q, append(args, inArgs...)...); err != nil {
		return nil, fmt.Errorf("count %s by %s: %w", s.table, parentCol, err)
	}
	out := make(map[int64]int, len(parents))
	for _, row := range rows {
		out[row.Parent] = row.N
	}
	return out, nil
}
