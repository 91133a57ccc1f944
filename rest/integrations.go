package rest

// Seed 003: partner integrations, as JSON:API documents.

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

const integrationSelection = `uuid login status connectedAt disconnectedAt createdAt updatedAt business { uuid } partner { uuid }`

type gqlIntegration struct {
	UUID           string     `json:"uuid"`
	Login          string     `json:"login"`
	Status         string     `json:"status"`
	ConnectedAt    *time.Time `json:"connectedAt"`
	DisconnectedAt *time.Time `json:"disconnectedAt"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
	Business       struct{ UUID string }
	Partner        struct{ UUID string }
}

// document renders an integration as a JSON:API document; the password is
// write-only and never part of it.
func (i gqlIntegration) document() map[string]any {
	return map[string]any{"data": map[string]any{
		"type": "partner_integrations",
		"id":   i.UUID,
		"attributes": map[string]any{
			"integration_login": i.Login,
			"status":            strings.ToLower(i.Status),
			"connected_at":      i.ConnectedAt,
			"disconnected_at":   i.DisconnectedAt,
			"created_at":        i.CreatedAt,
			"updated_at":        i.UpdatedAt,
		},
		"relationships": map[string]any{
			"business": map[string]any{"data": map[string]string{"type": "business", "id": i.Business.UUID}},
			"partner":  map[string]any{"data": map[string]string{"type": "partner", "id": i.Partner.UUID}},
		},
	}}
}

// integrationRequest is the JSON:API document both endpoints take.
type integrationRequest struct {
	Data *struct {
		Type          *string                `json:"type"`
		Attributes    *integrationAttributes `json:"attributes"`
		Relationships *struct {
			Business json.RawMessage `json:"business"`
			Partner  json.RawMessage `json:"partner"`
		} `json:"relationships"`
	} `json:"data"`
}

// integrationAttributes are connect's attributes: the credentials.
type integrationAttributes struct {
	Login    json.RawMessage `json:"integration_login"`
	Password json.RawMessage `json:"integration_password"`
}

func jsonAPIError(status int, pointer, detail string) *apiError {
	return &apiError{status: status, code: "BAD_USER_INPUT", message: detail, pointer: pointer}
}

// seed003Members are the members of seed 003's documents, with JSON:API's
// own meta and jsonapi. A relationship is as the seed shows it ({id, type})
// or as JSON:API defines it ({data: {id, type}}). Disconnect takes connect's
// document as well (its attributes are not read), so a client may send the
// same document to both.
var seed003Members = func() members {
	relationship := members{"id": nil, "type": nil, "data": {"id": nil, "type": nil, "meta": nil}, "meta": nil}
	return members{"jsonapi": nil, "meta": nil, "data": {
		"type": nil, "meta": nil,
		"attributes":    {"integration_login": nil, "integration_password": nil},
		"relationships": {"business": relationship, "partner": relationship},
	}}
}()

// decodeIntegration reads the document and returns the GraphQL input.
func decodeIntegration(body []byte, withCredentials bool) (map[string]any, error) {
	var req integrationRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, jsonAPIError(http.StatusBadRequest, "/", "The request body must be a JSON:API document.")
	}
	if faults := memberFaults(body, seed003Members); len(faults) > 0 {
		return nil, jsonAPIError(http.StatusUnprocessableEntity, faults[0].pointer(), faults[0].message())
	}
	d := req.Data
	switch {
	case d == nil:
		return nil, jsonAPIError(http.StatusUnprocessableEntity, "/data", "data is required.")
	case d.Type == nil:
		return nil, jsonAPIError(http.StatusUnprocessableEntity, "/data/type", "type is required.")
	case *d.Type != "partner_integrations":
		return nil, jsonAPIError(http.StatusConflict, "/data/type", "type must be partner_integrations.")
	case d.Relationships == nil:
		return nil, jsonAPIError(http.StatusUnprocessableEntity, "/data/relationships", "relationships is required.")
	}
	type related struct {
		raw         json.RawMessage
		name, field string
		typ         string
		id          string
	}
	rels := []related{{d.Relationships.Business, "business", "businessId", pg.TypeOrganization, ""},
		{d.Relationships.Partner, "partner", "partnerId", pg.TypePartner, ""}}
	for i := range rels {
		var err error
		if rels[i].id, err = relationshipID(rels[i].raw, rels[i].name); err != nil {
			return nil, err
		}
	}
	input := map[string]any{}
	if withCredentials {
		if err := credentials(d.Attributes, input); err != nil {
			return nil, err
		}
	}
	// Validation done, the related resources: one of an id no resource
	// can have is not found.
	for _, rel := range rels {
		var err error
		if input[rel.field], err = relatedID(rel.id, rel.typ, rel.name); err != nil {
			return nil, err
		}
	}
	return input, nil
}

// credentials validates connect's attributes into input.
func credentials(attrs *integrationAttributes, input map[string]any) error {
	if attrs == nil {
		return jsonAPIError(http.StatusUnprocessableEntity, "/data/attributes", "attributes is required.")
	}
	login, ok := stringOrNumber(attrs.Login)
	if !ok || login == "" {
		return jsonAPIError(http.StatusUnprocessableEntity, "/data/attributes/integration_login", "integration_login must be a non-empty string.")
	}
	// The seed lists the password as an integer; a string or a number is
	// accepted and stored as text.
	password, ok := stringOrNumber(attrs.Password)
	if !ok || password == "" {
		return jsonAPIError(http.StatusUnprocessableEntity, "/data/attributes/integration_password", "integration_password must be a non-empty string or number.")
	}
	input["login"], input["password"] = login, password
	return nil
}

// relationshipID reads a relationship as the seed shows it ({id, type}) or
// as JSON:API defines it ({data: {id, type}}).
func relationshipID(raw json.RawMessage, want string) (string, error) {
	pointer := "/data/relationships/" + want
	if raw == nil || isNull(raw) {
		return "", jsonAPIError(http.StatusUnprocessableEntity, pointer, want+" is required.")
	}
	var rel struct {
		ID   json.RawMessage `json:"id"`
		Type *string         `json:"type"`
		Data *struct {
			ID   json.RawMessage `json:"id"`
			Type *string         `json:"type"`
		} `json:"data"`
	}
	if err := json.Unmarshal(raw, &rel); err != nil {
		return "", jsonAPIError(http.StatusUnprocessableEntity, pointer, want+" must be a relationship object.")
	}
	id, typ := rel.ID, rel.Type
	if rel.Data != nil {
		id, typ = rel.Data.ID, rel.Data.Type
		pointer += "/data"
	}
	if typ != nil && *typ != want {
		return "", jsonAPIError(http.StatusConflict, pointer+"/type", "type must be "+want+".")
	}
	s, ok := stringOrNumber(id)
	if !ok || s == "" {
		return "", jsonAPIError(http.StatusUnprocessableEntity, pointer+"/id", "id is required.")
	}
	return s, nil
}

// relatedID is the GraphQL ID of a related resource the document names by
// its integer id or its UUID (in any case: RFC 9562), as a business or
// partner is known elsewhere (seed 001's companyId, seed 004's UUIDs). An id
// of neither form names no resource: that resource is not found (404), as
// JSON:API answers for a missing related resource.
func relatedID(id, typ, name string) (string, error) {
	if n, ok := positiveID(id); ok {
		return globalID(typ, n), nil
	}
	if u, err := uuid.Parse(id); err == nil {
		return u.String(), nil
	}
	if t, _, ok := pg.ParseGlobalID(id); ok && t == typ {
		return id, nil
	}
	e := errNotFound(strings.ToUpper(name[:1]) + name[1:])
	e.pointer = "/data/relationships/" + name
	return "", e
}

func stringOrNumber(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}

// connectIntegration is seed 003's connect: 201 with the integration it
// created, or 200 with the one that existed (connected again, with its
// credentials replaced when they differ), as HTTP has 201 for a new
// resource only.
func connectIntegration(c *call) (int, any, error) {
	input, err := decodeIntegration(c.body, true)
	if err != nil {
		return 0, nil, err
	}
	var data struct {
		ConnectPartnerIntegration struct {
			PartnerIntegration gqlIntegration
			Created            bool
		}
	}
	if err := c.run(`mutation($input: ConnectPartnerIntegrationInput!) { connectPartnerIntegration(input: $input) { created partnerIntegration { `+integrationSelection+` } } }`,
		map[string]any{"input": input}, &data); err != nil {
		return 0, nil, err
	}
	status := http.StatusOK
	if data.ConnectPartnerIntegration.Created {
		status = http.StatusCreated
	}
	return status, data.ConnectPartnerIntegration.PartnerIntegration.document(), nil
}

func disconnectIntegration(c *call) (int, any, error) {
	input, err := decodeIntegration(c.body, false)
	if err != nil {
		return 0, nil, err
	}
	var data struct {
		DisconnectPartnerIntegration struct{ PartnerIntegration gqlIntegration }
	}
	if err := c.run(`mutation($input: DisconnectPartnerIntegrationInput!) { disconnectPartnerIntegration(input: $input) { partnerIntegration { `+integrationSelection+` } } }`,
		map[string]any{"input": input}, &data); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, data.DisconnectPartnerIntegration.PartnerIntegration.document(), nil
}
