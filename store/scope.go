package store

import (
	"context"
	"fmt"

	pg "partnergraph"
)

// The scopes of the batch reads that load a graph's edges by id. A loader
// reaches records through others the caller was already allowed to see, but
// each of its statements still names the actor, so no query runs unscoped:
// an id that strays outside what the access model lets the actor see finds
// nothing, and its loader reports NOT_FOUND.
//
// Each scope is a condition on the table aliased t, with its arguments; it
// adds subqueries to a statement, never a statement.

// readableOrgs is where a's partnerships and their projects live: the
// organization acted on, and for partner users (seed 000) the organizations
// whose partners a's organization is the guest of.
func readableOrgs(col string, a pg.Actor) cond {
	return cond{"(" + col + " = ? OR " + col + " IN (SELECT organization_id FROM partners WHERE guest_organization_id = ?))",
		[]any{a.OrganizationID, a.OrganizationID}}
}

// ownScope is the records of the organization acted on, col naming their
// organization: the taxonomy a partnership's pipeline points at (tiers,
// categories, stages, tags, custom fields, assigned users) is its owner's,
// read by no one else. A partnership's links and values name only records
// of its own organization (every write checks them against the owner,
// countReferences), so this scope on the linked record is also the
// partnership's: partner users, who read the partnership itself, read its
// pipeline empty (pg.Actor.CanReadPipeline), at no lookup of its row.
func ownScope(col string, a pg.Actor) cond {
	return cond{col + " = ?", []any{a.OrganizationID}}
}

// linkedScope is ownScope on records reached through a list of
// partnerships' links (their tags, their users), found by their keys. On
// SQLite the column's index is kept out of the plan (dialect.byKey): with
// it, SQLite walks the organization's records in name order, which spares
// it a sort, and probes every listed partnership's links for each record,
// 3× the work of following the links from the list and sorting what they
// find (bench/'s dashboard: 18 ms against 6 ms for its tags).
func linkedScope(d dialect, col string, a pg.Actor) cond {
	return ownScope(d.byKey(col), a)
}

// userScope is the users a may see: those of the organization acted on and
// of the key's own, and of the organizations a's organization lets act on
// it (the actors of its events). Partner users see none of the owner's:
// its users are named by the pipeline (assigned users) and as the actors
// of the owner's events, neither of which is theirs to read.
func userScope(a pg.Actor) cond {
	return cond{`(t.organization_id IN (?, ?)
		OR t.organization_id IN (SELECT grantee_organization_id FROM connections WHERE organization_id = ?))`,
		[]any{a.OrganizationID, a.KeyOrganizationID, a.OrganizationID}}
}

// organizationScope is the organizations a may see: its own two, those its
// records name (guests of its partners, companies of its relationships,
// businesses of its integrations, either side of its connections) and the
// owners of the partners it is the guest of.
func organizationScope(a pg.Actor) cond {
	org := a.OrganizationID
	return cond{`(t.id IN (?, ?)
		OR t.id IN (SELECT guest_organization_id FROM partners WHERE organization_id = ?)
		OR t.id IN (SELECT organization_id FROM partners WHERE guest_organization_id = ?)
		OR t.id IN (SELECT company_id FROM relationships WHERE organization_id = ?)
		OR t.id IN (SELECT business_id FROM partner_integrations WHERE organization_id = ?)
		OR t.id IN (SELECT grantee_organization_id FROM connections WHERE organization_id = ?)
		OR t.id IN (SELECT organization_id FROM connections WHERE grantee_organization_id = ?))`,
		[]any{org, a.KeyOrganizationID, org, org, org, org, org, org}}
}

// byIDs loads the rows of table by id that scope lets through, in one
// statement. Rows come back in no particular order; loaders line them up
// with their keys.
func byIDs[T any](ctx context.Context, r runner, table string, cols []string, scope cond, ids []int64) ([]T, error) {
	inList, args := in(ids)
	var out []T
	q := "SELECT " + qualify("t", cols) + " FROM " + table + " t WHERE t.id IN " + inList + " AND " + scope.sql
	if err := r.all(ctx, &out, q, append(args, scope.args...)...); err != nil {
		return nil, fmt.Errorf("load %s: %w", table, err)
	}
	return out, nil
}

// OrganizationsByIDs loads the organizations a may see, for a loader.
func (db *DB) OrganizationsByIDs(ctx context.Context, a pg.Actor, ids []int64) ([]*pg.Organization, error) {
	return byIDs[*pg.Organization](ctx, db.read(), "organizations", organizationCols, organizationScope(a), ids)
}

// UsersByIDs loads the users a may see, for a loader.
func (db *DB) UsersByIDs(ctx context.Context, a pg.Actor, ids []int64) ([]*pg.User, error) {
	return byIDs[*pg.User](ctx, db.read(), "users", userCols, userScope(a), ids)
}

// PartnersByIDs loads the partners a may see (its own, and those it is the
// guest of), for a loader.
func (db *DB) PartnersByIDs(ctx context.Context, a pg.Actor, ids []int64) ([]*pg.Partner, error) {
	return byIDs[*pg.Partner](ctx, db.read(), "partners", partnerCols, cond{partnerVisible, []any{a.OrganizationID, a.OrganizationID}}, ids)
}

// EventsByIDs loads events of the organization a acts on, for a loader.
func (db *DB) EventsByIDs(ctx context.Context, a pg.Actor, ids []int64) ([]*pg.Event, error) {
	return byIDs[*pg.Event](ctx, db.read(), "events", eventCols, eventsVisible(a), ids)
}

// CustomFieldsByIDs loads the custom fields of the organization acted on,
// for a loader.
func (db *DB) CustomFieldsByIDs(ctx context.Context, a pg.Actor, ids []int64) ([]*pg.CustomField, error) {
	return byIDs[*pg.CustomField](ctx, db.read(), "custom_fields", customFields.cols, ownScope("t.organization_id", a), ids)
}
