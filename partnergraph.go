// Package partnergraph holds the domain of the partnership graph: its entities,
// the rules they obey, the acting principal and the one error type. It imports
// nothing of the project; storage, GraphQL and the REST shim depend on it.
package partnergraph

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"
)

// Permission is what an API key may do.
type Permission string

const (
	PermissionRead  Permission = "READ"
	PermissionWrite Permission = "WRITE"
)

// Role is a user's role in their organization.
type Role string

const (
	RoleAdmin  Role = "ADMIN"
	RoleMember Role = "MEMBER"
)

type Organization struct {
	ID        int64     `db:"id"`
	UUID      string    `db:"uuid"`
	Name      string    `db:"name"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

type User struct {
	ID             int64     `db:"id"`
	UUID           string    `db:"uuid"`
	OrganizationID int64     `db:"organization_id"`
	Name           string    `db:"name"`
	Email          string    `db:"email"`
	Role           Role      `db:"role"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

type APIKey struct {
	ID             int64      `db:"id"`
	UUID           string     `db:"uuid"`
	OrganizationID int64      `db:"organization_id"`
	UserID         int64      `db:"user_id"`
	Name           string     `db:"name"`
	Permission     Permission `db:"permission"`
	Prefix         string     `db:"prefix"`
	Hash           string     `db:"hash"`
	ExpiresAt      *time.Time `db:"expires_at"`
	LastUsedAt     *time.Time `db:"last_used_at"`
	RevokedAt      *time.Time `db:"revoked_at"`
	CreatedAt      time.Time  `db:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at"`
}

// Connection is access granted by one organization (the grantor) to another
// (the grantee): the grantee's keys may act on the grantor's data with
// Target-Organization-ID, reading only or also writing.
type Connection struct {
	ID                    int64      `db:"id"`
	UUID                  string     `db:"uuid"`
	OrganizationID        int64      `db:"organization_id"`
	GranteeOrganizationID int64      `db:"grantee_organization_id"`
	Access                Permission `db:"access"`
	RevokedAt             *time.Time `db:"revoked_at"`
	CreatedAt             time.Time  `db:"created_at"`
	UpdatedAt             time.Time  `db:"updated_at"`
}

type PartnerType string

const (
	PartnerTypeCustomer PartnerType = "CUSTOMER"
	PartnerTypeSupplier PartnerType = "SUPPLIER"
)

type InvitationStatus string

const (
	InvitationInvited  InvitationStatus = "INVITED"
	InvitationAccepted InvitationStatus = "ACCEPTED"
)

type Partner struct {
	ID                  int64             `db:"id"`
	UUID                string            `db:"uuid"`
	OrganizationID      int64             `db:"organization_id"`
	CompanyName         string            `db:"company_name"`
	Email               string            `db:"email"`
	PartnerType         PartnerType       `db:"partner_type"`
	SalesAmount         int64             `db:"sales_amount"`
	Frequency           string            `db:"frequency"`
	PaymentTerms        string            `db:"payment_terms"`
	WebsiteURL          *string           `db:"website_url"`
	LogoSquareUUID      *string           `db:"logo_square_uuid"`
	CountryLabel        *string           `db:"country_label"`
	InvitationStatus    *InvitationStatus `db:"invitation_status"`
	GuestOrganizationID *int64            `db:"guest_organization_id"`
	CreatedAt           time.Time         `db:"created_at"`
	UpdatedAt           time.Time         `db:"updated_at"`
}

type Project struct {
	ID             int64     `db:"id"`
	UUID           string    `db:"uuid"`
	OrganizationID int64     `db:"organization_id"`
	Name           string    `db:"name"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

// FallbackData is what a partnership shows of its partner when the partner's
// company is no longer active (seed 001).
type FallbackData struct {
	Name           *string `db:"fallback_name" json:"name,omitempty"`
	LogoSquareUUID *string `db:"fallback_logo_square_uuid" json:"logoSquareUuid,omitempty"`
	WebsiteURL     *string `db:"fallback_website_url" json:"websiteUrl,omitempty"`
	CountryLabel   *string `db:"fallback_country_label" json:"countryLabel,omitempty"`
}

// IsZero reports whether no fallback field is set.
func (f FallbackData) IsZero() bool {
	return f.Name == nil && f.LogoSquareUUID == nil && f.WebsiteURL == nil && f.CountryLabel == nil
}

type Partnership struct {
	ID             int64  `db:"id"`
	UUID           string `db:"uuid"`
	OrganizationID int64  `db:"organization_id"`
	PartnerID      int64  `db:"partner_id"`
	ProjectID      *int64 `db:"project_id"`
	IsDefault      bool   `db:"is_default"`
	IsSupport      bool   `db:"is_support"`
	TierID         *int64 `db:"tier_id"`
	CategoryID     *int64 `db:"category_id"`
	StageID        *int64 `db:"stage_id"`
	FallbackData
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

type Tier struct {
	ID             int64     `db:"id"`
	UUID           string    `db:"uuid"`
	OrganizationID int64     `db:"organization_id"`
	Name           string    `db:"name"`
	Rank           int32     `db:"rank"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

type Category struct {
	ID             int64     `db:"id"`
	UUID           string    `db:"uuid"`
	OrganizationID int64     `db:"organization_id"`
	Name           string    `db:"name"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

// Stage is a step of the partnership pipeline. A partnership may move from it
// only to one of AllowedNextStages; none listed means any stage is allowed.
type Stage struct {
	ID             int64     `db:"id"`
	UUID           string    `db:"uuid"`
	OrganizationID int64     `db:"organization_id"`
	Name           string    `db:"name"`
	Position       int32     `db:"position"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

type Tag struct {
	ID             int64     `db:"id"`
	UUID           string    `db:"uuid"`
	OrganizationID int64     `db:"organization_id"`
	Name           string    `db:"name"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

type CustomFieldType string

const (
	FieldText        CustomFieldType = "TEXT"
	FieldNumber      CustomFieldType = "NUMBER"
	FieldDate        CustomFieldType = "DATE"
	FieldBoolean     CustomFieldType = "BOOLEAN"
	FieldSelect      CustomFieldType = "SELECT"
	FieldMultiSelect CustomFieldType = "MULTI_SELECT"
)

// Valid reports whether t is one of the known field types.
func (t CustomFieldType) Valid() bool {
	switch t {
	case FieldText, FieldNumber, FieldDate, FieldBoolean, FieldSelect, FieldMultiSelect:
		return true
	}
	return false
}

type CustomFieldOption struct {
	ID    int64  `json:"id"`
	Label string `json:"label"`
}

// CustomFieldOptions is stored as one JSON column: options are always read
// with their field and never queried on their own.
type CustomFieldOptions []CustomFieldOption

func (o CustomFieldOptions) Value() (driver.Value, error) {
	if o == nil {
		o = CustomFieldOptions{}
	}
	b, err := json.Marshal(o)
	return string(b), err
}

func (o *CustomFieldOptions) Scan(src any) error { return scanJSON(src, o) }

// Option returns the option with id, if the field has it.
func (o CustomFieldOptions) Option(id int64) (CustomFieldOption, bool) {
	for _, opt := range o {
		if opt.ID == id {
			return opt, true
		}
	}
	return CustomFieldOption{}, false
}

type CustomField struct {
	ID             int64              `db:"id"`
	UUID           string             `db:"uuid"`
	OrganizationID int64              `db:"organization_id"`
	Name           string             `db:"name"`
	Type           CustomFieldType    `db:"type"`
	Options        CustomFieldOptions `db:"options"`
	CreatedAt      time.Time          `db:"created_at"`
	UpdatedAt      time.Time          `db:"updated_at"`
}

// IDList is a list of integer IDs stored as one JSON column.
type IDList []int64

func (l IDList) Value() (driver.Value, error) {
	if l == nil {
		return nil, nil
	}
	b, err := json.Marshal(l)
	return string(b), err
}

func (l *IDList) Scan(src any) error {
	if src == nil {
		*l = nil
		return nil
	}
	return scanJSON(src, l)
}

// CustomFieldValue is a partnership's value for one custom field. Exactly the
// member matching the field's type is set.
type CustomFieldValue struct {
	PartnershipID int64     `db:"partnership_id"`
	FieldID       int64     `db:"field_id"`
	Text          *string   `db:"text_value"`
	Number        *float64  `db:"number_value"`
	Date          *string   `db:"date_value"`
	Boolean       *bool     `db:"boolean_value"`
	Select        *int64    `db:"select_value"`
	MultiSelect   IDList    `db:"multi_select_value"`
	UpdatedAt     time.Time `db:"updated_at"`
}

// Relationship records that a company (another organization) formed a
// relationship with a partner (seed 002).
type Relationship struct {
	ID             int64     `db:"id"`
	UUID           string    `db:"uuid"`
	OrganizationID int64     `db:"organization_id"`
	PartnerID      int64     `db:"partner_id"`
	CompanyID      int64     `db:"company_id"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

type IntegrationStatus string

const (
	IntegrationConnected    IntegrationStatus = "CONNECTED"
	IntegrationDisconnected IntegrationStatus = "DISCONNECTED"
)

// PartnerIntegration holds a partner's credentials for a business's system
// (seed 003). The password is kept encrypted and is never returned.
type PartnerIntegration struct {
	ID                int64             `db:"id"`
	UUID              string            `db:"uuid"`
	OrganizationID    int64             `db:"organization_id"`
	BusinessID        int64             `db:"business_id"`
	PartnerID         int64             `db:"partner_id"`
	Login             string            `db:"login"`
	PasswordEncrypted []byte            `db:"password_encrypted" json:"-"`
	Status            IntegrationStatus `db:"status"`
	ConnectedAt       *time.Time        `db:"connected_at"`
	DisconnectedAt    *time.Time        `db:"disconnected_at"`
	CreatedAt         time.Time         `db:"created_at"`
	UpdatedAt         time.Time         `db:"updated_at"`
}

func scanJSON(src any, dst any) error {
	switch v := src.(type) {
	case string:
		return json.Unmarshal([]byte(v), dst)
	case []byte:
		return json.Unmarshal(v, dst)
	case nil:
		return nil
	}
	return fmt.Errorf("cannot scan %T into %T", src, dst)
}
