package partnergraph

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// The GraphQL object types with global IDs. Events name their resources
// with the same words.
const (
	TypeOrganization       = "Organization"
	TypeUser               = "User"
	TypeAPIKey             = "ApiKey"
	TypeConnection         = "Connection"
	TypePartner            = "Partner"
	TypeProject            = "Project"
	TypePartnership        = "Partnership"
	TypeTier               = "Tier"
	TypeCategory           = "Category"
	TypeStage              = "Stage"
	TypeTag                = "Tag"
	TypeCustomField        = "CustomField"
	TypeRelationship       = "Relationship"
	TypePartnerIntegration = "PartnerIntegration"
	TypeEvent              = "Event"
	TypeWebhookEndpoint    = "WebhookEndpoint"
	TypeWebhookAttempt     = "WebhookAttempt"
)

// GlobalID returns the opaque global ID of the object of typ with database id.
func GlobalID(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// ParseGlobalID decodes a global ID into its type and database id.
func ParseGlobalID(gid string) (typ string, id int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(gid)
	if err != nil || len(gid) > 128 {
		return "", 0, false
	}
	typ, num, found := strings.Cut(string(b), ":")
	if !found || typ == "" {
		return "", 0, false
	}
	id, err = strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return typ, id, true
}

// Each node's id field binds to its GlobalID method. A method without a
// context is resolved inline; as a resolver, gqlgen would run every id of a
// response in a goroutine of its own.

func (o *Organization) GlobalID() string       { return GlobalID(TypeOrganization, o.ID) }
func (u *User) GlobalID() string               { return GlobalID(TypeUser, u.ID) }
func (k *APIKey) GlobalID() string             { return GlobalID(TypeAPIKey, k.ID) }
func (c *Connection) GlobalID() string         { return GlobalID(TypeConnection, c.ID) }
func (p *Partner) GlobalID() string            { return GlobalID(TypePartner, p.ID) }
func (p *Project) GlobalID() string            { return GlobalID(TypeProject, p.ID) }
func (p *Partnership) GlobalID() string        { return GlobalID(TypePartnership, p.ID) }
func (t *Tier) GlobalID() string               { return GlobalID(TypeTier, t.ID) }
func (c *Category) GlobalID() string           { return GlobalID(TypeCategory, c.ID) }
func (s *Stage) GlobalID() string              { return GlobalID(TypeStage, s.ID) }
func (t *Tag) GlobalID() string                { return GlobalID(TypeTag, t.ID) }
func (f *CustomField) GlobalID() string        { return GlobalID(TypeCustomField, f.ID) }
func (r *Relationship) GlobalID() string       { return GlobalID(TypeRelationship, r.ID) }
func (i *PartnerIntegration) GlobalID() string { return GlobalID(TypePartnerIntegration, i.ID) }
func (e *Event) GlobalID() string              { return GlobalID(TypeEvent, e.ID) }
func (e *WebhookEndpoint) GlobalID() string    { return GlobalID(TypeWebhookEndpoint, e.ID) }
func (a *WebhookAttempt) GlobalID() string     { return GlobalID(TypeWebhookAttempt, a.ID) }

// ResourceGlobalID is the global ID of the object the event is about.
func (e *Event) ResourceGlobalID() string { return GlobalID(e.ResourceType, e.ResourceID) }
