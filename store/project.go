package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var projects = named[pg.Project]{table: "projects", what: "Project",
	cols: []string{"id", "uuid", "organization_id", "name", "created_at", "updated_at"},
	kind: kind[pg.Project]{resourceType: "Project", event: "project", id: func(p *pg.Project) int64 { return p.ID },
		org: func(p *pg.Project) int64 { return p.OrganizationID }, updatedAt: func(p *pg.Project) *time.Time { return &p.UpdatedAt }}}

// CreateProject creates a project of the organization a acts on.
func (db *DB) CreateProject(ctx context.Context, a pg.Actor, c pg.ProjectCreate) (*pg.Project, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var p *pg.Project
	err := db.inTx(ctx, func(tx *Tx) error {
		p = &pg.Project{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, Name: c.Name, CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		p.ID, err = tx.insert(ctx, `INSERT INTO projects (uuid, organization_id, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
			p.UUID, p.OrganizationID, p.Name, p.CreatedAt, p.UpdatedAt)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "project.created", resourceType: "Project", resourceID: p.ID, after: p})
	})
	return p, err
}

// Project returns a project visible to a: its own, or, for partner users
// (seed 000), one of the organization that owns their partner, where they
// may create their partner's partnership (and see only their partner's).
func (db *DB) Project(ctx context.Context, a pg.Actor, id int64) (*pg.Project, error) {
	var p pg.Project
	err := db.read().get(ctx, &p, `SELECT `+qualify("t", projects.cols)+` FROM projects t WHERE t.id = ? AND (t.organization_id = ?
		OR t.organization_id IN (SELECT organization_id FROM partners WHERE guest_organization_id = ?))`,
		id, a.OrganizationID, a.OrganizationID)
	return &p, notFound(err, "Project")
}

// Projects lists the projects of the organization a acts on.
func (db *DB) Projects(ctx context.Context, a pg.Actor, search *string, p pg.PageRequest) (pg.List[*pg.Project], error) {
	return projects.list(ctx, db.read(), a, search, db.dialect, p)
}

// UpdateProject renames a project.
func (db *DB) UpdateProject(ctx context.Context, a pg.Actor, id int64, u pg.ProjectUpdate) (*pg.Project, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	return withTx(ctx, db, func(tx *Tx) (*pg.Project, error) {
		return projects.update(ctx, tx, a, id, u.Apply, "name = ?", func(p *pg.Project) []any { return []any{p.Name} })
	})
}

// DeleteProject deletes a project and its partnerships.
func (db *DB) DeleteProject(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		// Locked first, as DeletePartner locks its partner.
		if _, err := projects.lock(ctx, tx, a, id); err != nil {
			return err
		}
		if err := cascadePartnerships(ctx, tx, a, "project_id", id); err != nil {
			return err
		}
		return deleteOwned(ctx, tx, "projects", "Project", a, id)
	})
}
