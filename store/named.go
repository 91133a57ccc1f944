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
	kind[E]
}

func (n named[E]) get(ctx context.Context, r runner, a pg.Actor, id int64) (*E, error) {
	v := new(E)
	err := r.get(ctx, v, `SELECT `+strings.Join(n.cols, ", ")+` FROM `+n.table+` WHERE id = ? AND organization_id = ?`, id, a.OrganizationID)
	return v, notFound(err, n.what)
}

// lock reads a row of the organization a acts on in tx, locked until tx
// ends, for an update.
func (n named[E]) lock(ctx context.Context, tx *Tx, a pg.Actor, id int64) (*E, error) {
	v := new(E)
	err := tx.get(ctx, v, `SELECT `+strings.Join(n.cols, ", ")+` FROM `+n.table+` WHERE id = ? AND organization_id = ?`+tx.db.dialect.forUpdate(),
		id, a.OrganizationID)
	return v, notFound(err, n.what)
}

// update applies apply to a row of the organization a acts on and, when
// that changed it, writes the columns set names (from the values of args)
// and updated_at.
func (n named[E]) update(ctx context.Context, tx *Tx, a pg.Actor, id int64, apply func(*E), set string, args func(*E) []any) (*E, error) {
	before, err := n.lock(ctx, tx, a, id)
	if err != nil {
		return nil, err
	}
	v := *before
	apply(&v)
	return save(ctx, tx, a, n.kind, edit[E]{before: before, after: &v}, func() error {
		_, err := tx.exec(ctx, `UPDATE `+n.table+` SET `+set+`, updated_at = ? WHERE id = ?`, append(args(&v), *n.updatedAt(&v), n.id(&v))...)
		return err
	})
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
