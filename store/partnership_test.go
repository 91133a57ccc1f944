package store_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// ownerOf creates an organization and returns its admin's actor.
func ownerOf(t *testing.T, db *store.DB, name string) pg.Actor {
	t.Helper()
	org, err := db.CreateOrganization(context.Background(), name)
	pgtest.Must(t, err)
	return pg.Actor{OrganizationID: org.ID, KeyOrganizationID: org.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
}

func newPartner(t *testing.T, db *store.DB, a pg.Actor, name string) *pg.Partner {
	t.Helper()
	p, err := db.CreatePartner(context.Background(), a, pg.PartnerCreate{CompanyName: name, Email: "p@example.com",
		PartnerType: pg.PartnerTypeCustomer, Frequency: "monthly", PaymentTerms: "net 30"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestOnePartnershipPerProject: a partner has at most one partnership per
// project (seed 000), held by a unique index on both engines.
func TestOnePartnershipPerProject(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		db := pgtest.OpenDB(t, dialect)
		ctx := context.Background()
		a := ownerOf(t, db, "Owner")
		p, q := newPartner(t, db, a, "P"), newPartner(t, db, a, "Q")
		one, err := db.CreateProject(ctx, a, pg.ProjectCreate{Name: "One"})
		pgtest.Must(t, err)
		two, err := db.CreateProject(ctx, a, pg.ProjectCreate{Name: "Two"})
		pgtest.Must(t, err)
		create := func(partner int64, project *int64) error {
			_, err := db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: partner, ProjectID: project})
			return err
		}
		pgtest.Must(t, create(p.ID, &one.ID))
		err = create(p.ID, &one.ID)
		if e := pg.AsError(err); e.Code != pg.Conflict || e.Field != "partnerId" {
			t.Fatalf("the same partner in the same project again: %v", err)
		}
		// Another project, another partner, and partnerships outside any
		// project are all fine.
		pgtest.Must(t, create(p.ID, &two.ID))
		pgtest.Must(t, create(q.ID, &one.ID))
		pgtest.Must(t, create(p.ID, nil))
		pgtest.Must(t, create(p.ID, nil))
	})
}

// TestPartnershipPerProjectMigrationKeepsDuplicates applies the migration
// that brings the rule to a database made before it, holding the same
// partner twice in a project: the first keeps the project, the second
// leaves it with its data, and the rule holds from then on.
func TestPartnershipPerProjectMigrationKeepsDuplicates(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		dsn := pgtest.DSN(t, dialect)
		db, err := store.Open(context.Background(), dsn, store.Options{SecretKey: pgtest.SecretKey})
		pgtest.Must(t, err)
		defer db.Close()
		ctx := context.Background()
		a := ownerOf(t, db, "Owner")
		p := newPartner(t, db, a, "P")
		project, err := db.CreateProject(ctx, a, pg.ProjectCreate{Name: "One"})
		pgtest.Must(t, err)
		first, err := db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID, ProjectID: &project.ID, IsSupport: true})
		pgtest.Must(t, err)
		second, err := db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID, IsSupport: true})
		pgtest.Must(t, err)

		raw := rawDB(t, dialect, dsn)
		// The database as it was before the rule: the second partnership
		// in the same project.
		mustExec(t, raw, `DROP INDEX partnerships_partner_project`)
		mustExec(t, raw, raw.Rebind(`UPDATE partnerships SET project_id = ? WHERE id = ?`), project.ID, second.ID)
		up, err := os.ReadFile("migrations/" + dialect + "/0005_partnership_per_project.sql")
		pgtest.Must(t, err)
		body, _, _ := strings.Cut(string(up), "-- +goose Down")
		mustExec(t, raw, body)

		got, err := db.Partnership(ctx, a, second.ID)
		pgtest.Must(t, err)
		if got.ProjectID != nil || !got.IsSupport {
			t.Fatalf("the duplicate: project %v, isSupport %v; want it out of the project, its data kept", got.ProjectID, got.IsSupport)
		}
		if got, err := db.Partnership(ctx, a, first.ID); err != nil || got.ProjectID == nil || *got.ProjectID != project.ID {
			t.Fatalf("the first lost its project: %+v %v", got, err)
		}
		_, err = db.CreatePartnership(ctx, a, pg.PartnershipCreate{PartnerID: p.ID, ProjectID: &project.ID})
		if pg.ErrorCode(err) != pg.Conflict {
			t.Fatalf("after the migration a duplicate is %v, want CONFLICT", err)
		}
	})
}

func mustExec(t *testing.T, db *sqlx.DB, query string, args ...any) {
	t.Helper()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
