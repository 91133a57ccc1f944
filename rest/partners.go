package rest

// Seed 004: POST /partners across organizations, FastAPI style.

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

// partnerBody validates seed 004's body, reporting every bad field at once
// as FastAPI does.
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
	input := map[string]any{}
	str := func(key, field string, max int) {
		raw, ok := m[key]
		if !ok {
			errs = append(errs, fieldError{loc: []any{"body", key}, msg: "Field required", kind: "missing"})
			return
		}
		var s string
		if json.Unmarshal(raw, &s) != nil || isNull(raw) {
			errs = append(errs, fieldError{loc: []any{"body", key}, msg: "Input should be a valid string", kind: "string_type"})
			return
		}
		switch n := utf8.RuneCountInString(s); {
		case n < 1:
			errs = append(errs, fieldError{loc: []any{"body", key}, msg: "String should have at least 1 character", kind: "string_too_short"})
		case n > max:
			errs = append(errs, fieldError{loc: []any{"body", key}, msg: "String should have at most " + itoa(max) + " characters", kind: "string_too_long"})
		default:
			input[field] = s
		}
	}
	str("company_name", "companyName", 100)
	str("email", "email", 100)
	if v, ok := input["email"].(string); ok {
		if err := pg.ValidateEmail("email", v); err != nil {
			delete(input, "email")
			errs = append(errs, fieldError{loc: []any{"body", "email"}, msg: "value is not a valid email address", kind: "value_error"})
		}
	}
	str("frequency", "frequency", 30)
	str("payment_terms", "paymentTerms", 50)
	if raw, ok := m["sales_amount"]; !ok {
		errs = append(errs, fieldError{loc: []any{"body", "sales_amount"}, msg: "Field required", kind: "missing"})
	} else {
		var n json.Number
		var i int64
		switch {
		case json.Unmarshal(raw, &n) != nil || isNull(raw):
			errs = append(errs, fieldError{loc: []any{"body", "sales_amount"}, msg: "Input should be a valid integer", kind: "int_type"})
		case json.Unmarshal(raw, &i) != nil:
			errs = append(errs, fieldError{loc: []any{"body", "sales_amount"}, msg: "Input should be a valid integer", kind: "int_parsing"})
		case i < 0:
			errs = append(errs, fieldError{loc: []any{"body", "sales_amount"}, msg: "Input should be greater than or equal to 0", kind: "greater_than_equal"})
		case i > 2147483647:
			errs = append(errs, fieldError{loc: []any{"body", "sales_amount"}, msg: "Input should be less than or equal to 2147483647", kind: "less_than_equal"})
		default:
			input["salesAmount"] = i
		}
	}
	if raw, ok := m["partner_type"]; !ok {
		errs = append(errs, fieldError{loc: []any{"body", "partner_type"}, msg: "Field required", kind: "missing"})
	} else {
		var s string
		if json.Unmarshal(raw, &s) != nil || (s != "customer" && s != "supplier") {
			errs = append(errs, fieldError{loc: []any{"body", "partner_type"}, msg: "Input should be 'customer' or 'supplier'", kind: "enum"})
		} else {
			input["partnerType"] = strings.ToUpper(s)
		}
	}
	return input, errs
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

func itoa(n int) string { return strconv.Itoa(n) }
