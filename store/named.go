package store

import (
	"context"
	"strings"

	pg "partnergraph"
)

// named is an aggregate owned by one organization and listed by name search:
// projects, tiers, categories, stages, tags and custom fields share its reads.
type named[E any] struct {
	table string
	what  string
	cols  []string
	id    func(*E) int64
}

func (n named[E]) get(ctx context.Context, r runner, a pg.Actor, id int64) (*E, error) {
	v := new(E)
	err := r.get(ctx, v, `SELECT `+strings.Join(n.cols, ", ")+` FROM `+n.table+` WHERE id = ? AND organization_id = ?`, id, a.OrganizationID)
	return v, notFound(err, n.what)
}

func (n named[E]) list(ctx context.Context, r runner, a pg.Actor, search *string, d dialect, p pg.PageRequest) (pg.List[*E], error) {
	s := listSpec[*E]{table: n.table, cols: n.cols, where: []string{"t.organization_id = ?"}, args: []any{a.OrganizationID},
		order: byID[*E](), id: n.id}
	if search != nil && *search != "" {
		s.where, s.args = append(s.where, d.ilike("t.name")), append(s.args, likePattern(*search))
	}
	return list(ctx, r, s, p)
}

// checkOwned verifies that every id names a row of n owned by the
// organization a acts on; field names the input for the error.
func (n named[E]) checkOwned(ctx context.Context, tx *Tx, a pg.Actor, field string, ids ...int64) error {
	ids = unique(ids)
	if len(ids) == 0 {
		return nil
	}
	inList, args := in(ids)
	var count int
	if err := tx.get(ctx, &count, `SELECT COUNT(*) FROM `+n.table+` WHERE organization_id = ? AND id IN `+inList,
		append([]any{a.OrganizationID}, args...)...); err != nil {
		return err
	}
	if count != len(ids) {
		return &pg.Error{Code: pg.NotFound, Field: field, Message: n.what + " not found."}
	}
	return nil
}

func unique(ids []int64) []int64 {
	seen := make(map[int64]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
