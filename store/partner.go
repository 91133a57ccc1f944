package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var partnerCols = []string{"id", "uuid", "organization_id", "company_name", "email", "partner_type", "sales_amount",
	"frequency", "payment_terms", "website_url", "logo_square_uuid", "country_label", "invitation_status",
	"guest_organization_id", "created_at", "updated_at"}

// partnerVisible is who sees a partner: its owner organization, and the
// organization that accepted its invitation (its partner users).
const partnerVisible = "(t.organization_id = ? OR t.guest_organization_id = ?)"

const invitationPrefix = "pgi_"

// CreatePartner creates a partner owned by the organization a acts on.
func (db *DB) CreatePartner(ctx context.Context, a pg.Actor, c pg.PartnerCreate) (*pg.Partner, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var p *pg.Partner
	err := db.inTx(ctx, func(tx *Tx) error {
		p = &pg.Partner{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, CompanyName: c.CompanyName, Email: c.Email,
			PartnerType: c.PartnerType, SalesAmount: c.SalesAmount, Frequency: c.Frequency, PaymentTerms: c.PaymentTerms,
			WebsiteURL: c.WebsiteURL, LogoSquareUUID: c.LogoSquareUUID, CountryLabel: c.CountryLabel, CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		p.ID, err = tx.insert(ctx, `INSERT INTO partners (uuid, organization_id, company_name, email, partner_type, sales_amount, frequency,
			payment_terms, website_url, logo_square_uuid, country_label, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.UUID, p.OrganizationID, p.CompanyName, p.Email, p.PartnerType, p.SalesAmount, p.Frequency, p.PaymentTerms,
			p.WebsiteURL, p.LogoSquareUUID, p.CountryLabel, p.CreatedAt, p.UpdatedAt)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: p.OrganizationID, typ: "partner.created", resourceType: "Partner", resourceID: p.ID, after: p})
	})
	return p, err
}

// Partner returns a partner visible to a.
func (db *DB) Partner(ctx context.Context, a pg.Actor, id int64) (*pg.Partner, error) {
	return getPartner(ctx, db.read(), a, id, false)
}

// ErrPartnerOwnerOnly refuses a partner user (seed 000) a change to the
// partner it reads: the partner, its invitation, relationships and
// integrations are its owner's to change.
var ErrPartnerOwnerOnly = pg.Errorf(pg.Forbidden, "Only the organization that owns the partner may change it; its partner users read it.")

// getPartner reads a partner visible to a; owned requires a to own it, as
// changes do: a partner user, who reads it, is refused (ErrPartnerOwnerOnly).
func getPartner(ctx context.Context, r runner, a pg.Actor, id int64, owned bool) (*pg.Partner, error) {
	var p pg.Partner
	err := r.get(ctx, &p, `SELECT `+qualify("t", partnerCols)+` FROM partners t WHERE t.id = ? AND `+partnerVisible, id, a.OrganizationID, a.OrganizationID)
	if err != nil {
		return nil, notFound(err, "Partner")
	}
	if owned && p.OrganizationID != a.OrganizationID {
		return nil, ErrPartnerOwnerOnly
	}
	return &p, nil
}

// PartnerByUUID returns a partner visible to a by its UUID, in any case.
func (db *DB) PartnerByUUID(ctx context.Context, a pg.Actor, id string) (*pg.Partner, error) {
	var p pg.Partner
	err := db.read().get(ctx, &p, `SELECT `+qualify("t", partnerCols)+` FROM partners t WHERE t.uuid = ? AND `+partnerVisible,
		canonicalUUID(id), a.OrganizationID, a.OrganizationID)
	return &p, notFound(err, "Partner")
}

// GuestPartners returns the partners whose invitation a's organization accepted.
func (db *DB) GuestPartners(ctx context.Context, a pg.Actor) ([]*pg.Partner, error) {
	var ps []*pg.Partner
	err := db.read().all(ctx, &ps, `SELECT `+strings.Join(partnerCols, ", ")+` FROM partners WHERE guest_organization_id = ? ORDER BY id`, a.OrganizationID)
	return ps, err
}

// Partners lists the partners visible to a.
func (db *DB) Partners(ctx context.Context, a pg.Actor, f pg.PartnerFilter, o pg.Order[pg.PartnerOrderField], p pg.PageRequest) (pg.List[*pg.Partner], error) {
	s := listSpec[*pg.Partner]{table: "partners", cols: partnerCols,
		visible: []cond{{"t.organization_id = ?", []any{a.OrganizationID}}, {"t.guest_organization_id = ?", []any{a.OrganizationID}}},
		id:      func(p *pg.Partner) int64 { return p.ID }}
	if f.PartnerType != nil {
		s.where, s.args = append(s.where, "t.partner_type = ?"), append(s.args, *f.PartnerType)
	}
	if f.InvitationStatus != nil {
		s.where, s.args = append(s.where, "t.invitation_status = ?"), append(s.args, *f.InvitationStatus)
	}
	if f.Search != nil && *f.Search != "" {
		s.where, s.args = append(s.where, db.dialect.ilike("t.company_name")), append(s.args, likePattern(*f.Search))
	}
	switch o.Field {
	case pg.PartnerOrderCompanyName:
		s.order = ordering[*pg.Partner]{name: "company_name", col: "company_name", kind: keyString, desc: o.Desc,
			key: func(p *pg.Partner) string { return p.CompanyName }}
	case pg.PartnerOrderSalesAmount:
		s.order = ordering[*pg.Partner]{name: "sales_amount", col: "sales_amount", kind: keyInt, desc: o.Desc,
			key: func(p *pg.Partner) string { return itoa(p.SalesAmount) }}
	case pg.PartnerOrderUpdatedAt:
		s.order = byTime("updated_at", "updated_at", o.Desc, func(p *pg.Partner) time.Time { return p.UpdatedAt })
	case pg.PartnerOrderCreatedAt:
		s.order = byTime("created_at", "created_at", o.Desc, func(p *pg.Partner) time.Time { return p.CreatedAt })
	default:
		s.order = byID[*pg.Partner]()
		s.order.desc = o.Desc
	}
	return list(ctx, db.read(), s, p)
}

// partnerKind describes partners to their updates.
var partnerKind = kind[pg.Partner]{resourceType: "Partner", event: "partner", id: func(p *pg.Partner) int64 { return p.ID },
	org: func(p *pg.Partner) int64 { return p.OrganizationID }, updatedAt: func(p *pg.Partner) *time.Time { return &p.UpdatedAt }}

// UpdatePartner changes a partner owned by the organization a acts on.
func (db *DB) UpdatePartner(ctx context.Context, a pg.Actor, id int64, u pg.PartnerUpdate) (*pg.Partner, error) {
	return withTx(ctx, db, func(tx *Tx) (*pg.Partner, error) { return updatePartner(ctx, tx, a, id, u) })
}

func updatePartner(ctx context.Context, tx *Tx, a pg.Actor, id int64, u pg.PartnerUpdate) (*pg.Partner, error) {
	before, err := lockPartner(ctx, tx, a, id)
	if err != nil {
		return nil, err
	}
	// Authorization (lockPartner) before validation.
	if err := u.Validate(); err != nil {
		return nil, err
	}
	p := *before
	u.Apply(&p)
	return save(ctx, tx, a, partnerKind, edit[pg.Partner]{before: before, after: &p}, func() error {
		_, err := tx.exec(ctx, `UPDATE partners SET company_name = ?, email = ?, partner_type = ?, sales_amount = ?, frequency = ?,
			payment_terms = ?, website_url = ?, logo_square_uuid = ?, country_label = ?, updated_at = ? WHERE id = ?`,
			p.CompanyName, p.Email, p.PartnerType, p.SalesAmount, p.Frequency, p.PaymentTerms, p.WebsiteURL, p.LogoSquareUUID,
			p.CountryLabel, p.UpdatedAt, p.ID)
		return err
	})
}

// lockPartner reads a partner owned by the organization a acts on in tx,
// locked until tx ends, for a change; a partner user, who reads it, is
// refused (ErrPartnerOwnerOnly).
func lockPartner(ctx context.Context, tx *Tx, a pg.Actor, id int64) (*pg.Partner, error) {
	var p pg.Partner
	err := tx.get(ctx, &p, `SELECT `+qualify("t", partnerCols)+` FROM partners t WHERE t.id = ? AND `+partnerVisible+tx.db.dialect.forUpdate(),
		id, a.OrganizationID, a.OrganizationID)
	if err != nil {
		return nil, notFound(err, "Partner")
	}
	if p.OrganizationID != a.OrganizationID {
		return nil, ErrPartnerOwnerOnly
	}
	return &p, nil
}

// DeletePartner deletes a partner owned by the organization a acts on, with
// its partnerships, relationships and integrations, each with its event.
func (db *DB) DeletePartner(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		// Locked first, so no partnership of it is created or changed
		// between listing them and the cascade that deletes them.
		if _, err := lockPartner(ctx, tx, a, id); err != nil {
			return err
		}
		if err := cascadePartnerships(ctx, tx, a, "partner_id", id); err != nil {
			return err
		}
		if err := cascadePartnerRecords(ctx, tx, a, id); err != nil {
			return err
		}
		return deleteOwned(ctx, tx, "partners", "Partner", a, id)
	})
}

// InvitePartner marks a partner INVITED and returns a one-time token for
// its organization to accept; inviting again replaces the token.
func (db *DB) InvitePartner(ctx context.Context, a pg.Actor, id int64) (*pg.Partner, string, error) {
	token := newSecret(invitationPrefix)
	var p *pg.Partner
	err := db.inTx(ctx, func(tx *Tx) error {
		var err error
		if p, err = lockPartner(ctx, tx, a, id); err != nil {
			return err
		}
		if p.InvitationStatus != nil && *p.InvitationStatus == pg.InvitationAccepted {
			return pg.Errorf(pg.Conflict, "The partner has already accepted an invitation.")
		}
		invited := pg.InvitationInvited
		p.InvitationStatus, p.UpdatedAt = &invited, tx.now
		if _, err = tx.exec(ctx, `UPDATE partners SET invitation_status = ?, invitation_token_hash = ?, updated_at = ? WHERE id = ?`,
			invited, hashKey(token), tx.now, p.ID); err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: p.OrganizationID, typ: "partner.invited", resourceType: "Partner", resourceID: p.ID, after: p})
	})
	if err != nil {
		return nil, "", err
	}
	return p, token, nil
}

// AcceptPartnerInvitation makes the organization a acts on the guest
// organization of the partner the token was issued for.
func (db *DB) AcceptPartnerInvitation(ctx context.Context, a pg.Actor, token string) (*pg.Partner, error) {
	var p pg.Partner
	err := db.inTx(ctx, func(tx *Tx) error {
		err := tx.get(ctx, &p, `SELECT `+strings.Join(partnerCols, ", ")+` FROM partners WHERE invitation_token_hash = ? AND invitation_status = ?`,
			hashKey(token), pg.InvitationInvited)
		if err != nil {
			if notFound(err, "") != err {
				return &pg.Error{Code: pg.NotFound, Field: "token", Message: "Invitation not found or already used."}
			}
			return err
		}
		if p.OrganizationID == a.OrganizationID {
			return pg.InvalidField("token", "An organization cannot accept its own partner's invitation.")
		}
		accepted := pg.InvitationAccepted
		p.InvitationStatus, p.GuestOrganizationID, p.UpdatedAt = &accepted, &a.OrganizationID, tx.now
		if _, err = tx.exec(ctx, `UPDATE partners SET invitation_status = ?, guest_organization_id = ?, invitation_token_hash = NULL, updated_at = ? WHERE id = ?`,
			accepted, a.OrganizationID, tx.now, p.ID); err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: p.OrganizationID, typ: "partner.invitation_accepted", resourceType: "Partner", resourceID: p.ID, after: &p})
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// resources names, per table, a resource's type and its events' prefix.
var resources = map[string][2]string{
	"partners": {"Partner", "partner"}, "projects": {"Project", "project"}, "partnerships": {"Partnership", "partnership"},
	"tiers": {"Tier", "tier"}, "categories": {"Category", "category"}, "stages": {"Stage", "stage"}, "tags": {"Tag", "tag"},
	"custom_fields": {"CustomField", "custom_field"}, "relationships": {"Relationship", "relationship"},
	"webhook_endpoints": {"WebhookEndpoint", "webhook_endpoint"},
}

// deleteOwned deletes a row of table owned by the organization a acts on,
// and emits its deleted event.
func deleteOwned(ctx context.Context, tx *Tx, table, what string, a pg.Actor, id int64) error {
	n, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE id = ? AND organization_id = ?`, id, a.OrganizationID)
	if err == nil && n == 0 {
		return pg.NotFoundf("%s not found.", what)
	}
	if err != nil || table == "webhook_endpoints" {
		return err
	}
	r := resources[table]
	return tx.emit(ctx, a, change{org: a.OrganizationID, typ: r[1] + ".deleted", resourceType: r[0], resourceID: id})
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
