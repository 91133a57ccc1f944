package rest

// Seed 004: POST /partners across organizations, FastAPI style.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
	"partnergraph/auth"
)

// PartnerResponse is seed 004's response: id is the partner's UUID.
type PartnerResponse struct {
	CompanyName         string    `json:"company_name"`
	SalesAmount         int64     `json:"sales_amount"`
	PartnerType         string    `json:"partner_type"`
	Email               string    `json:"email"`
	Frequency           string    `json:"frequency"`
	PaymentTerms        string    `json:"payment_terms"`
	ID                  string    `json:"id"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
	InvitationStatus    *string   `json:"invitation_status"`
	GuestOrganizationID *string   `json:"guest_organization_id"`
}

// seed004Members are seed 004's body members, in the document's order.
var seed004Members = []string{"company_name", "sales_amount", "partner_type", "email", "frequency", "payment_terms"}

// seed004Body is seed004Members as a body's members.
var seed004Body = func() members {
	m := members{}
	for _, name := range seed004Members {
		m[name] = nil
	}
	return m
}()

// partnerBody decodes seed 004's headers and body into the createPartner
// input, reporting every fault at once as FastAPI does: a missing or
// malformed header or member is this decoder's to report; every limit a
// decoded value breaks is the domain's (PartnerCreate.Validate), translated.
func partnerBody(r *http.Request, body []byte) (map[string]any, []fieldError) {
	var errs []fieldError
	for _, h := range []string{auth.RequesterHeader, auth.TargetHeader} {
		v := strings.TrimSpace(r.Header.Get(h))
		switch {
		case v == "":
			errs = append(errs, fieldError{loc: []any{"header", h}, msg: "Field required", kind: "missing"})
		case uuid.Validate(v) != nil:
			errs = append(errs, fieldError{loc: []any{"header", h}, msg: "Input should be a valid UUID", kind: "uuid_parsing"})
		}
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return nil, append(errs, fieldError{loc: []any{"body"}, msg: "Input should be a valid dictionary or object", kind: "model_attributes_type"})
	}
	c, byMember := decodePartner(m)
	// Members the document does not name are pydantic's extra_forbidden;
	// one sent twice (which Python's decoder would keep the last of) is
	// refused alike, after the document's own.
	var extra []fieldError
	for _, f := range memberFaults(body, seed004Body) {
		fe := fieldError{loc: append([]any{"body"}, f.path...), msg: "Extra inputs are not permitted", kind: "extra_forbidden"}
		if f.duplicate {
			fe.msg, fe.kind = "Value error, "+f.message(), "value_error"
		}
		extra = append(extra, fe)
	}
	if err := c.Validate(); err != nil {
		for _, fe := range pg.AsError(err).Fields {
			if member := snake(fe.Field); byMember[member] == nil {
				byMember[member] = []fieldError{fastAPIField(fe)}
			}
		}
	}
	for _, member := range seed004Members {
		errs = append(errs, byMember[member]...)
	}
	errs = append(errs, extra...)
	input := map[string]any{"companyName": c.CompanyName, "email": c.Email, "partnerType": c.PartnerType,
		"salesAmount": c.SalesAmount, "frequency": c.Frequency, "paymentTerms": c.PaymentTerms}
	return input, errs
}

// decodePartner reads each member of seed 004's body into a PartnerCreate,
// and reports, by member, those missing or of the wrong JSON type.
func decodePartner(m map[string]json.RawMessage) (pg.PartnerCreate, map[string][]fieldError) {
	var c pg.PartnerCreate
	bad := map[string][]fieldError{}
	fail := func(member, msg, kind string) {
		bad[member] = []fieldError{{loc: []any{"body", member}, msg: msg, kind: kind}}
	}
	present := func(member string) (json.RawMessage, bool) {
		raw, ok := m[member]
		if !ok {
			fail(member, "Field required", "missing")
		}
		return raw, ok
	}
	for member, dst := range map[string]*string{"company_name": &c.CompanyName, "email": &c.Email, "frequency": &c.Frequency, "payment_terms": &c.PaymentTerms} {
		if raw, ok := present(member); ok && (isNull(raw) || json.Unmarshal(raw, dst) != nil) {
			fail(member, "Input should be a valid string", "string_type")
		}
	}
	if raw, ok := present("sales_amount"); ok {
		var n json.Number
		switch {
		case isNull(raw) || json.Unmarshal(raw, &n) != nil:
			fail("sales_amount", "Input should be a valid integer", "int_type")
		case json.Unmarshal(raw, &c.SalesAmount) != nil:
			fail("sales_amount", "Input should be a valid integer", "int_parsing")
		}
	}
	if raw, ok := present("partner_type"); ok {
		var s string
		if json.Unmarshal(raw, &s) != nil || isNull(raw) {
			fail("partner_type", "Input should be 'customer' or 'supplier'", "enum")
		}
		// The document's values are lower case; any other is the
		// domain's to refuse.
		c.PartnerType = pg.PartnerType(s)
		if s == "customer" || s == "supplier" {
			c.PartnerType = pg.PartnerType(strings.ToUpper(s))
		}
	}
	return c, bad
}

// fastAPIField translates the domain's report of a bad field into
// FastAPI's (pydantic's) words for it.
func fastAPIField(fe pg.FieldError) fieldError {
	loc := []any{"body"}
	for _, part := range strings.Split(fe.Field, ".") {
		loc = append(loc, snake(part))
	}
	var n int64
	if fe.Limit != nil {
		n = *fe.Limit
	}
	plural := "s"
	if n == 1 {
		plural = ""
	}
	out := fieldError{loc: loc, msg: fe.Message, kind: "value_error"}
	switch {
	case fe.Reason == pg.ReasonRequired, fe.Reason == pg.ReasonTooShort:
		out.msg, out.kind = fmt.Sprintf("String should have at least %d character%s", n, plural), "string_too_short"
	case fe.Reason == pg.ReasonTooLong:
		out.msg, out.kind = fmt.Sprintf("String should have at most %d character%s", n, plural), "string_too_long"
	case fe.Reason == pg.ReasonBelowMinimum:
		out.msg, out.kind = fmt.Sprintf("Input should be greater than or equal to %d", n), "greater_than_equal"
	case fe.Reason == pg.ReasonAboveMaximum:
		out.msg, out.kind = fmt.Sprintf("Input should be less than or equal to %d", n), "less_than_equal"
	case fe.Reason == pg.ReasonInvalidChoice && fe.Field == "partnerType":
		out.msg, out.kind = "Input should be 'customer' or 'supplier'", "enum"
	case fe.Reason == pg.ReasonInvalidFormat && fe.Field == "email":
		out.msg = "value is not a valid email address"
	}
	return out
}

func createPartner(c *call) (int, any, error) {
	input, errs := partnerBody(c.r, c.body)
	if len(errs) > 0 {
		return 0, nil, &apiError{status: http.StatusUnprocessableEntity, code: pg.BadUserInput, message: "Validation failed.", errs: errs}
	}
	var data struct {
		CreatePartner struct {
			Partner struct {
				UUID              string
				CompanyName       string
				SalesAmount       int64
				PartnerType       string
				Email             string
				Frequency         string
				PaymentTerms      string
				CreatedAt         time.Time
				UpdatedAt         time.Time
				InvitationStatus  *string
				GuestOrganization *struct{ UUID string }
			}
		}
	}
	if err := c.run(`mutation($input: CreatePartnerInput!) { createPartner(input: $input) { partner {
		uuid companyName salesAmount partnerType email frequency paymentTerms createdAt updatedAt invitationStatus guestOrganization { uuid } } } }`,
		map[string]any{"input": input}, &data); err != nil {
		return 0, nil, err
	}
	p := data.CreatePartner.Partner
	resp := PartnerResponse{CompanyName: p.CompanyName, SalesAmount: p.SalesAmount, PartnerType: strings.ToLower(p.PartnerType),
		Email: p.Email, Frequency: p.Frequency, PaymentTerms: p.PaymentTerms, ID: p.UUID, CreatedAt: p.CreatedAt.UTC(),
		UpdatedAt: p.UpdatedAt.UTC(), InvitationStatus: lower(p.InvitationStatus)}
	if p.GuestOrganization != nil {
		resp.GuestOrganizationID = &p.GuestOrganization.UUID
	}
	return http.StatusOK, resp, nil
}
