package rest

// Seed 000: the Partnership resource of projects (partner users' API).

import (
	"encoding/json"
	"net/http"
	"strings"

	pg "partnergraph"
)

const partnershipSelection = `databaseId isDefault isSupport
	partner { databaseId uuid companyName email partnerType salesAmount frequency paymentTerms websiteUrl countryLabel invitationStatus }
	project { databaseId uuid name }`

type gqlPartnership struct {
	DatabaseID int64 `json:"databaseId"`
	IsDefault  bool  `json:"isDefault"`
	IsSupport  bool  `json:"isSupport"`
	Partner    struct {
		DatabaseID       int64   `json:"databaseId"`
		UUID             string  `json:"uuid"`
		CompanyName      string  `json:"companyName"`
		Email            string  `json:"email"`
		PartnerType      string  `json:"partnerType"`
		SalesAmount      int64   `json:"salesAmount"`
		Frequency        string  `json:"frequency"`
		PaymentTerms     string  `json:"paymentTerms"`
		WebsiteURL       *string `json:"websiteUrl"`
		CountryLabel     *string `json:"countryLabel"`
		InvitationStatus *string `json:"invitationStatus"`
	} `json:"partner"`
	Project *struct {
		DatabaseID int64  `json:"databaseId"`
		UUID       string `json:"uuid"`
		Name       string `json:"name"`
	} `json:"project"`
}

// PartnershipResource is seed 000's Partnership: flags as integers 0/1.
type PartnershipResource struct {
	ID        int64            `json:"id"`
	IsDefault int              `json:"is_default"`
	IsSupport int              `json:"is_support"`
	Partner   PartnerResource  `json:"partner"`
	Presale   *ProjectResource `json:"presale"`
}

// PartnerResource is the partner a partnership links to.
type PartnerResource struct {
	ID               int64   `json:"id"`
	UUID             string  `json:"uuid"`
	CompanyName      string  `json:"company_name"`
	Email            string  `json:"email"`
	PartnerType      string  `json:"partner_type"`
	SalesAmount      int64   `json:"sales_amount"`
	Frequency        string  `json:"frequency"`
	PaymentTerms     string  `json:"payment_terms"`
	WebsiteURL       *string `json:"website_url"`
	CountryLabel     *string `json:"country_label"`
	InvitationStatus *string `json:"invitation_status"`
}

// ProjectResource is the project ("presale") of a partnership.
type ProjectResource struct {
	ID   int64  `json:"id"`
	UUID string `json:"uuid"`
	Name string `json:"name"`
}

func (p gqlPartnership) resource() PartnershipResource {
	r := PartnershipResource{ID: p.DatabaseID, IsDefault: flag(p.IsDefault), IsSupport: flag(p.IsSupport),
		Partner: PartnerResource{ID: p.Partner.DatabaseID, UUID: p.Partner.UUID, CompanyName: p.Partner.CompanyName,
			Email: p.Partner.Email, PartnerType: strings.ToLower(p.Partner.PartnerType), SalesAmount: p.Partner.SalesAmount,
			Frequency: p.Partner.Frequency, PaymentTerms: p.Partner.PaymentTerms, WebsiteURL: p.Partner.WebsiteURL,
			CountryLabel: p.Partner.CountryLabel, InvitationStatus: lower(p.Partner.InvitationStatus)}}
	if p.Project != nil {
		r.Presale = &ProjectResource{ID: p.Project.DatabaseID, UUID: p.Project.UUID, Name: p.Project.Name}
	}
	return r
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

func lower(s *string) *string {
	if s == nil {
		return nil
	}
	l := strings.ToLower(*s)
	return &l
}

func getPartnership(c *call) (int, any, error) {
	id, err := c.pathID("id", "Partnership")
	if err != nil {
		return 0, nil, err
	}
	var data struct{ Partnership gqlPartnership }
	if err := c.run(`query($id: ID!) { partnership(id: $id) { `+partnershipSelection+` } }`, map[string]any{"id": id}, &data); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, data.Partnership.resource(), nil
}

// flags decodes the optional is_default and is_support booleans of seed
// 000's payloads into GraphQL input fields.
func flags(body map[string]json.RawMessage, input map[string]any) error {
	for key, field := range map[string]string{"is_default": "isDefault", "is_support": "isSupport"} {
		raw, ok := body[key]
		if !ok {
			continue
		}
		// null is no boolean either: it would unmarshal as false.
		var v bool
		if isNull(raw) || json.Unmarshal(raw, &v) != nil {
			return unprocessable(key, "%s must be true or false.", key)
		}
		input[field] = v
	}
	return nil
}

func unprocessable(field, format string, args ...any) *apiError {
	e := badRequest(field, format, args...)
	e.status = http.StatusUnprocessableEntity
	return e
}

// createProjectPartnership is seed 000's POST. Its body is validated before
// its path's project is looked up, as every route checks.
func createProjectPartnership(c *call) (int, any, error) {
	body, err := c.decode(members{"partner_id": nil, "is_default": nil, "is_support": nil})
	if err != nil {
		return 0, nil, err
	}
	input := map[string]any{}
	raw, ok := body["partner_id"]
	var partner int64
	if !ok {
		return 0, nil, unprocessable("partner_id", "partner_id is required.")
	}
	if err := json.Unmarshal(raw, &partner); err != nil || partner <= 0 {
		return 0, nil, unprocessable("partner_id", "partner_id must be a positive integer.")
	}
	input["partnerId"] = globalID("Partner", partner)
	if err := flags(body, input); err != nil {
		return 0, nil, err
	}
	if input["projectId"], err = c.pathID("id", "Project"); err != nil {
		return 0, nil, err
	}
	var data struct {
		CreatePartnership struct{ Partnership gqlPartnership }
	}
	err = c.run(`mutation($input: CreatePartnershipInput!) { createPartnership(input: $input) { partnership { `+partnershipSelection+` } } }`,
		map[string]any{"input": input}, &data)
	if err != nil {
		return 0, nil, projectNotFound(err)
	}
	return http.StatusCreated, data.CreatePartnership.Partnership.resource(), nil
}

// projectNotFound reports a missing project of the path as 404, like a
// missing partnership, and a missing partner of the body as bad input.
func projectNotFound(err error) error {
	e := asAPIError(err)
	if e.code == pg.NotFound && e.pointer == "projectId" {
		e.status, e.pointer = http.StatusNotFound, ""
	}
	return e
}

func patchPartnership(c *call) (int, any, error) {
	body, err := c.decode(members{"is_default": nil, "is_support": nil})
	if err != nil {
		return 0, nil, err
	}
	input := map[string]any{}
	if err := flags(body, input); err != nil {
		return 0, nil, err
	}
	if input["id"], err = c.pathID("id", "Partnership"); err != nil {
		return 0, nil, err
	}
	var data struct {
		UpdatePartnership struct{ Partnership gqlPartnership }
	}
	if err := c.run(`mutation($input: UpdatePartnershipInput!) { updatePartnership(input: $input) { partnership { `+partnershipSelection+` } } }`,
		map[string]any{"input": input}, &data); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, data.UpdatePartnership.Partnership.resource(), nil
}

func deletePartnership(c *call) (int, any, error) {
	id, err := c.pathID("id", "Partnership")
	if err != nil {
		return 0, nil, err
	}
	if err := c.run(`mutation($id: ID!) { deletePartnership(input: {id: $id}) { deletedId } }`, map[string]any{"id": id}, nil); err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, nil
}

func listProjectPartnerships(c *call) (int, any, error) {
	project, err := c.pathID("id", "Project")
	if err != nil {
		return 0, nil, err
	}
	out := []PartnershipResource{}
	vars := map[string]any{"id": project}
	for {
		var data struct {
			Node *struct {
				Partnerships struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
					Nodes []gqlPartnership
				}
			}
		}
		if err := c.run(`query($id: ID!, $after: String) { node(id: $id) { ... on Project {
			partnerships(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { `+partnershipSelection+` } } } } }`, vars, &data); err != nil {
			return 0, nil, err
		}
		if data.Node == nil {
			return 0, nil, errNotFound("Project")
		}
		for _, p := range data.Node.Partnerships.Nodes {
			out = append(out, p.resource())
		}
		if !data.Node.Partnerships.PageInfo.HasNextPage {
			return http.StatusOK, out, nil
		}
		vars["after"] = *data.Node.Partnerships.PageInfo.EndCursor
	}
}
