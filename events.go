package partnergraph

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Event records one committed change: its type names the resource and the
// change (partnership.updated, partnership.stage_changed …). It is written in
// the change's own transaction (the outbox).
type Event struct {
	ID             int64     `db:"id" json:"databaseId"`
	UUID           string    `db:"uuid" json:"uuid"`
	OrganizationID int64     `db:"organization_id" json:"organizationId"`
	Type           string    `db:"type" json:"type"`
	ResourceType   string    `db:"resource_type" json:"resourceType"`
	ResourceID     int64     `db:"resource_id" json:"resourceId"`
	ActorUserID    *int64    `db:"actor_user_id" json:"actorUserId"`
	Payload        RawJSON   `db:"payload" json:"payload"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
	// Position orders events as their transactions committed: an event
	// committed after another has a greater position, whatever their ids.
	// Readers that follow positions never skip an event.
	Position int64 `db:"position" json:"-"`
}

// EventFilter narrows an event list.
type EventFilter struct {
	Types        []string
	Since, Until *time.Time
}

// Validate checks the number of types; field names the filter's input.
func (f EventFilter) Validate(field string) error { return ValidateList(field+".types", len(f.Types)) }

// WebhookEndpoint receives an organization's events, signed per the
// Standard Webhooks scheme. Its secret is kept encrypted.
type WebhookEndpoint struct {
	ID                      int64      `db:"id" json:"databaseId"`
	UUID                    string     `db:"uuid" json:"uuid"`
	OrganizationID          int64      `db:"organization_id" json:"organizationId"`
	URL                     string     `db:"url" json:"url"`
	Description             string     `db:"description" json:"description"`
	EventTypes              StringList `db:"event_types" json:"eventTypes"`
	SecretEncrypted         []byte     `db:"secret_encrypted" json:"-"`
	PreviousSecretEncrypted []byte     `db:"previous_secret_encrypted" json:"-"`
	PreviousSecretExpiresAt *time.Time `db:"previous_secret_expires_at" json:"-"`
	Enabled                 bool       `db:"enabled" json:"enabled"`
	DisabledReason          *string    `db:"disabled_reason" json:"disabledReason"`
	FailingSince            *time.Time `db:"failing_since" json:"failingSince"`
	CreatedAt               time.Time  `db:"created_at" json:"createdAt"`
	UpdatedAt               time.Time  `db:"updated_at" json:"updatedAt"`
}

// Wants reports whether the endpoint subscribes to events of typ; no types
// listed means every type.
func (e *WebhookEndpoint) Wants(typ string) bool {
	if len(e.EventTypes) == 0 {
		return true
	}
	for _, t := range e.EventTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// WebhookAttempt is one try at delivering an event to an endpoint.
type WebhookAttempt struct {
	ID             int64     `db:"id"`
	DeliveryID     int64     `db:"delivery_id"`
	EventID        int64     `db:"event_id"`
	EndpointID     int64     `db:"endpoint_id"`
	AttemptedAt    time.Time `db:"attempted_at"`
	ResponseStatus *int32    `db:"response_status"`
	LatencyMs      int32     `db:"latency_ms"`
	Error          *string   `db:"error"`
	Succeeded      bool      `db:"succeeded"`
}

// StringList is a list of strings stored as one JSON column.
type StringList []string

func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		l = StringList{}
	}
	b, err := json.Marshal(l)
	return string(b), err
}

func (l *StringList) Scan(src any) error { return scanJSON(src, l) }

// RawJSON is a JSON document stored as text.
type RawJSON []byte

func (r *RawJSON) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*r = RawJSON(v)
	case []byte:
		*r = append(RawJSON(nil), v...)
	case nil:
		*r = nil
	default:
		return fmt.Errorf("cannot scan %T into RawJSON", src)
	}
	return nil
}

func (r RawJSON) MarshalJSON() ([]byte, error) {
	if len(r) == 0 {
		return []byte("null"), nil
	}
	return r, nil
}

// WebhookEndpointCreate is a new webhook endpoint. No EventTypes means every
// type. The caller has checked that URL may be called.
type WebhookEndpointCreate struct {
	URL         string
	Description *string
	EventTypes  []string
}

// Validate checks that the URL is given.
func (c WebhookEndpointCreate) Validate() error {
	if c.URL == "" {
		return InvalidField("url", "url is required.")
	}
	return nil
}

// WebhookEndpointUpdate changes an endpoint: enabling it again clears its
// failure state; RotateSecret issues a new signing secret while the old one
// keeps signing for a grace period.
type WebhookEndpointUpdate struct {
	URL          *string
	Description  *string
	EventTypes   *[]string
	Enabled      *bool
	RotateSecret bool
}

// Apply sets u's fields on e, except the secret, which the store seals.
func (u WebhookEndpointUpdate) Apply(e *WebhookEndpoint) {
	set(&e.URL, u.URL)
	set(&e.Description, u.Description)
	if u.EventTypes != nil {
		e.EventTypes = *u.EventTypes
	}
	if u.Enabled != nil {
		if *u.Enabled && !e.Enabled {
			e.DisabledReason, e.FailingSince = nil, nil
		}
		e.Enabled = *u.Enabled
	}
}

// pipelineMembers are the members of a partnership event's resource (and
// changes) that are the owner's pipeline: its tier, category and stage, its
// fallback data, its tags, assigned users and custom field values.
var pipelineMembers = []string{"tierId", "categoryId", "stageId", "name", "logoSquareUuid", "websiteUrl", "countryLabel",
	"tagIds", "assignedUserIds", "customFieldValues"}

// WithoutPipeline is a partnership event as a reader who may not read the
// partnership's pipeline (a partner user, Actor.CanReadPipeline) receives
// it: its payload without the pipeline's members, and its actor left to
// the reader's own scope of users. It is nil when nothing would be left to
// tell: a stage change, or an update that changed the pipeline only.
// Events of other resources are returned as they are.
func (e *Event) WithoutPipeline() (*Event, error) {
	if e.ResourceType != TypePartnership {
		return e, nil
	}
	if e.Type == "partnership.stage_changed" {
		return nil, nil
	}
	var p map[string]json.RawMessage
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, fmt.Errorf("event %d payload: %w", e.ID, err)
	}
	for _, part := range []string{"resource", "changes"} {
		raw, ok := p[part]
		if !ok {
			continue
		}
		var members map[string]json.RawMessage
		if err := json.Unmarshal(raw, &members); err != nil {
			return nil, fmt.Errorf("event %d payload %s: %w", e.ID, part, err)
		}
		for _, m := range pipelineMembers {
			delete(members, m)
		}
		if part == "changes" && len(members) == 0 {
			return nil, nil
		}
		p[part], _ = json.Marshal(members)
	}
	out := *e
	payload, err := json.Marshal(p)
	out.Payload = payload
	return &out, err
}
