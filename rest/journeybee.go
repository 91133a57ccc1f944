package rest

// Seed 001: PATCH a partnership, JourneyBee style.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

// customFieldTypes maps seed 001's value keys and type names to the schema's.
var customFieldTypes = map[string]struct{ graphType, member string }{
	"text":         {"TEXT", "text"},
	"number":       {"NUMBER", "number"},
	"date":         {"DATE", "date"},
	"boolean":      {"BOOLEAN", "boolean"},
	"select":       {"SELECT", "select"},
	"multi_select": {"MULTI_SELECT", "multiSelect"},
}

// seed001Members are the members of seed 001's body.
var seed001Members = members{
	"tierId": nil, "categoryId": nil, "stageUuid": nil,
	"assignedUsers": {"id": nil}, "tags": {"id": nil},
	"customFields": {"customFieldId": nil, "type": nil, "value": {
		"text": nil, "number": nil, "date": nil, "boolean": nil, "select": nil, "multi_select": {"id": nil},
	}},
	"fallbackData": {"name": nil, "logo_square_uuid": nil, "website_url": nil, "country_label": nil},
}

// updatePartnership is seed 001's PATCH. Its body is validated before its
// path's records are looked up (a bad body is 400 even for a partnership
// that does not exist), and every member it takes is of the owner's
// pipeline, so a caller who may not set those is refused (403) before what
// is wrong with its body is reported, and with a body that sets nothing.
func updatePartnership(c *call) (int, any, error) {
	body, err := c.decode(seed001Members)
	var input map[string]any
	if err == nil {
		input, err = journeyBeeInput(body)
	}
	// A body that sets nothing changes nothing the graph would refuse, but
	// the route is the owner's all the same.
	if err != nil || len(input) == 0 {
		if refused := c.pipelineRefused(); refused != nil {
			return 0, nil, refused
		}
	}
	if err != nil {
		return 0, nil, err
	}
	id, err := c.pathID("partnershipId", "Partnership")
	if err != nil {
		return 0, nil, err
	}
	if company := c.r.PathValue("companyId"); company != "" {
		if err := c.actsOnCompany(company); err != nil {
			return 0, nil, err
		}
	}
	input["id"] = id
	var data struct {
		UpdatePartnership struct {
			Partnership struct {
				DatabaseID int64     `json:"databaseId"`
				UUID       string    `json:"uuid"`
				UpdatedAt  time.Time `json:"updatedAt"`
			}
		}
	}
	if err := c.run(`mutation($input: UpdatePartnershipInput!) { updatePartnership(input: $input) { partnership { databaseId uuid updatedAt } } }`,
		map[string]any{"input": input}, &data); err != nil {
		return 0, nil, err
	}
	p := data.UpdatePartnership.Partnership
	return http.StatusOK, map[string]any{"id": p.DatabaseID, "uuid": p.UUID, "updated_at": p.UpdatedAt.UTC().Format(time.RFC3339)}, nil
}

// actsOnCompany checks the path's company, by integer id or UUID, is the
// organization the key acts on; any other is not found.
func (c *call) actsOnCompany(company string) error {
	var data struct {
		Organization struct {
			DatabaseID int64
			UUID       string
		}
	}
	if err := c.run(`{ organization { databaseId uuid } }`, nil, &data); err != nil {
		return err
	}
	if n, ok := positiveID(company); ok && n == data.Organization.DatabaseID {
		return nil
	}
	if u, err := uuid.Parse(company); err == nil && u.String() == data.Organization.UUID {
		return nil
	}
	return errNotFound("Partnership")
}

// pipelineRefused is the refusal of a caller who may not set the pipeline
// of the path's partnership (a partner user, seed 000), asked of the graph;
// nil when the caller may, or when the partnership is not to be found (that
// comes after validation).
func (c *call) pipelineRefused() error {
	id, err := c.pathID("partnershipId", "Partnership")
	if err != nil {
		return nil
	}
	var data struct {
		Partnership struct{ ViewerCanUpdatePipeline bool }
	}
	if c.run(`query($id: ID!) { partnership(id: $id) { viewerCanUpdatePipeline } }`, map[string]any{"id": id}, &data) != nil {
		return nil
	}
	if !data.Partnership.ViewerCanUpdatePipeline {
		return fromDomain(pg.ErrWriteRequired)
	}
	return nil
}

// journeyBeeInput maps seed 001's body onto UpdatePartnershipInput.
func journeyBeeInput(body map[string]json.RawMessage) (map[string]any, error) {
	input := map[string]any{}
	for key, typ := range map[string]string{"tierId": "Tier", "categoryId": "Category"} {
		raw, ok := body[key]
		if !ok {
			continue
		}
		if isNull(raw) {
			input[key] = nil
			continue
		}
		n, err := positiveInt(raw)
		if err != nil {
			return nil, badRequest(key, "%s must be an integer or null.", key)
		}
		input[key] = globalID(typ, n)
	}
	if raw, ok := body["stageUuid"]; ok {
		var s string
		switch {
		case isNull(raw):
			input["stageId"] = nil
		case json.Unmarshal(raw, &s) == nil && s != "":
			input["stageUuid"] = s
		default:
			return nil, badRequest("stageUuid", "stageUuid must be a string.")
		}
	}
	for key, spec := range map[string]struct{ field, typ string }{"assignedUsers": {"assignedUserIds", "User"}, "tags": {"tagIds", "Tag"}} {
		raw, ok := body[key]
		if !ok {
			continue
		}
		ids, err := idArray(key, raw)
		if err != nil {
			return nil, err
		}
		gids := make([]string, len(ids))
		for i, id := range ids {
			gids[i] = globalID(spec.typ, id)
		}
		input[spec.field] = gids
	}
	if raw, ok := body["customFields"]; ok {
		fields, err := customFields(raw)
		if err != nil {
			return nil, err
		}
		input["customFields"] = fields
	}
	if raw, ok := body["fallbackData"]; ok {
		if isNull(raw) {
			input["fallbackData"] = nil
		} else {
			var fd struct {
				Name           *string `json:"name"`
				LogoSquareUUID *string `json:"logo_square_uuid"`
				WebsiteURL     *string `json:"website_url"`
				CountryLabel   *string `json:"country_label"`
			}
			if err := strictUnmarshal(raw, &fd); err != nil {
				return nil, badRequest("fallbackData", "fallbackData must be an object of strings.")
			}
			input["fallbackData"] = map[string]any{"name": fd.Name, "logoSquareUuid": fd.LogoSquareUUID, "websiteUrl": fd.WebsiteURL, "countryLabel": fd.CountryLabel}
		}
	}
	return input, nil
}

// idArray reads an array of ids: integers, or objects with an integer id.
func idArray(key string, raw json.RawMessage) ([]int64, error) {
	var items []json.RawMessage
	if isNull(raw) {
		return []int64{}, nil
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, badRequest(key, "%s must be an array of ids.", key)
	}
	ids := make([]int64, 0, len(items))
	for _, item := range items {
		n, err := positiveInt(item)
		if err != nil {
			var obj struct {
				ID json.RawMessage `json:"id"`
			}
			if json.Unmarshal(item, &obj) != nil || obj.ID == nil {
				return nil, badRequest(key, "%s must be an array of ids.", key)
			}
			if n, err = positiveInt(obj.ID); err != nil {
				return nil, badRequest(key, "%s must be an array of ids.", key)
			}
		}
		ids = append(ids, n)
	}
	return ids, nil
}

func customFields(raw json.RawMessage) ([]map[string]any, error) {
	var items []struct {
		CustomFieldID json.RawMessage            `json:"customFieldId"`
		Type          *string                    `json:"type"`
		Value         map[string]json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, badRequest("customFields", "customFields must be an array of objects.")
	}
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		id, err := positiveInt(it.CustomFieldID)
		if err != nil {
			return nil, badRequest("customFields", "customFieldId must be an integer.")
		}
		v := map[string]any{"customFieldId": globalID("CustomField", id)}
		if it.Type != nil {
			t, ok := customFieldTypes[*it.Type]
			if !ok {
				return nil, badRequest("customFields", "Unknown custom field type %q.", *it.Type)
			}
			v["type"] = t.graphType
		}
		for key, member := range it.Value {
			t, ok := customFieldTypes[key]
			if !ok {
				return nil, badRequest("customFields", "Unknown custom field value %q.", key)
			}
			var decoded any
			var err error
			switch key {
			case "text", "date":
				var s string
				err = json.Unmarshal(member, &s)
				decoded = s
			case "number":
				var f float64
				err = json.Unmarshal(member, &f)
				decoded = f
			case "boolean":
				var b bool
				err = json.Unmarshal(member, &b)
				decoded = b
			case "select":
				decoded, err = positiveInt(member)
			case "multi_select":
				decoded, err = idArray("customFields", member)
			}
			if err != nil || isNull(member) {
				return nil, badRequest("customFields", "Custom field value %q has the wrong type.", key)
			}
			v[t.member] = decoded
		}
		out = append(out, v)
	}
	return out, nil
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

func positiveInt(raw json.RawMessage) (int64, error) {
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return 0, err
	}
	if n <= 0 {
		return 0, strconv.ErrRange
	}
	return n, nil
}

func strictUnmarshal(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
