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
	ID        int64     `db:"id" json:"databaseId"`
	UUID      string    `db:"uuid" json:"uuid"`
	Name      string    `db:"name" json:"name"`
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt time.Time `db:"updated_at" json:"updatedAt"`
}

type User struct {
	ID             int64     `db:"id" json:"databaseId"`
	UUID           string    `db:"uuid" json:"uuid"`
	OrganizationID int64     `db:"organization_id" json:"organizationId"`
	Name           string    `db:"name" json:"name"`
	Email          string    `db:"email" json:"email"`
	Role           Role      `db:"role" json:"role"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time `db:"updated_at" json:"updatedAt"`
}

type APIKey struct {
	ID             int64      `db:"id" json:"databaseId"`
	UUID           string     `db:"uuid" json:"uuid"`
	OrganizationID int64      `db:"organization_id" json:"organizationId"`
	UserID         int64      `db:"user_id" json:"userId"`
	Name           string     `db:"name" json:"name"`
	Permission     Permission `db:"permission" json:"permission"`
	Prefix         string     `db:"prefix" json:"prefix"`
	Hash           string     `db:"hash" json:"-"`
	ExpiresAt      *time.Time `db:"expires_at" json:"expiresAt"`
	LastUsedAt     *time.Time `db:"last_used_at" json:"lastUsedAt"`
	RevokedAt      *time.Time `db:"revoked_at" json:"revokedAt"`
	CreatedAt      time.Time  `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updatedAt"`
}

// Connection is access granted by one organization (the grantor) to another
// (the grantee): the grantee's keys may act on the grantor's data with
// Target-Organization-ID, reading only or also writing.
type Connection struct {
	ID                    int64      `db:"id" json:"databaseId"`
	UUID                  string     `db:"uuid" json:"uuid"`
	OrganizationID        int64      `db:"organization_id" json:"organizationId"`
	GranteeOrganizationID int64      `db:"grantee_organization_id" json:"granteeOrganizationId"`
	Access                Permission `db:"access" json:"access"`
	RevokedAt             *time.Time `db:"revoked_at" json:"revokedAt"`
	CreatedAt             time.Time  `db:"created_at" json:"createdAt"`
	UpdatedAt             time.Time  `db:"updated_at" json:"updatedAt"`
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
	ID                  int64             `db:"id" json:"databaseId"`
	UUID                string            `db:"uuid" json:"uuid"`
	OrganizationID      int64             `db:"organization_id" json:"organizationId"`
	CompanyName         string            `db:"company_name" json:"companyName"`
	Email               string            `db:"email" json:"email"`
	PartnerType         PartnerType       `db:"partner_type" json:"partnerType"`
	SalesAmount         int64             `db:"sales_amount" json:"salesAmount"`
	Frequency           string            `db:"frequency" json:"frequency"`
	PaymentTerms        string            `db:"payment_terms" json:"paymentTerms"`
	WebsiteURL          *string           `db:"website_url" json:"websiteUrl"`
	LogoSquareUUID      *string           `db:"logo_square_uuid" json:"logoSquareUuid"`
	CountryLabel        *string           `db:"country_label" json:"countryLabel"`
	InvitationStatus    *InvitationStatus `db:"invitation_status" json:"invitationStatus"`
	GuestOrganizationID *int64            `db:"guest_organization_id" json:"guestOrganizationId"`
	CreatedAt           time.Time         `db:"created_at" json:"createdAt"`
	UpdatedAt           time.Time         `db:"updated_at" json:"updatedAt"`
}

type Project struct {
	ID             int64     `db:"id" json:"databaseId"`
	UUID           string    `db:"uuid" json:"uuid"`
	OrganizationID int64     `db:"organization_id" json:"organizationId"`
	Name           string    `db:"name" json:"name"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time `db:"updated_at" json:"updatedAt"`
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

// Fallback is the partnership's fallback data, nil when it has none.
func (p *Partnership) Fallback() *FallbackData {
	if p.FallbackData.IsZero() {
		return nil
	}
	return &p.FallbackData
}

type Partnership struct {
	ID             int64  `db:"id" json:"databaseId"`
	UUID           string `db:"uuid" json:"uuid"`
	OrganizationID int64  `db:"organization_id" json:"organizationId"`
	PartnerID      int64  `db:"partner_id" json:"partnerId"`
	ProjectID      *int64 `db:"project_id" json:"projectId"`
	IsDefault      bool   `db:"is_default" json:"isDefault"`
	IsSupport      bool   `db:"is_support" json:"isSupport"`
	TierID         *int64 `db:"tier_id" json:"tierId"`
	CategoryID     *int64 `db:"category_id" json:"categoryId"`
	StageID        *int64 `db:"stage_id" json:"stageId"`
	FallbackData
	CreatedAt time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt time.Time `db:"updated_at" json:"updatedAt"`
}

type Tier struct {
	ID             int64     `db:"id" json:"databaseId"`
	UUID           string    `db:"uuid" json:"uuid"`
	OrganizationID int64     `db:"organization_id" json:"organizationId"`
	Name           string    `db:"name" json:"name"`
	Rank           int32     `db:"rank" json:"rank"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time `db:"updated_at" json:"updatedAt"`
}

type Category struct {
	ID             int64     `db:"id" json:"databaseId"`
	UUID           string    `db:"uuid" json:"uuid"`
	OrganizationID int64     `db:"organization_id" json:"organizationId"`
	Name           string    `db:"name" json:"name"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time `db:"updated_at" json:"updatedAt"`
}

// Stage is a step of the partnership pipeline. A partnership may move from it
// only to one of AllowedNextStages; none listed means any stage is allowed.
type Stage struct {
	ID             int64     `db:"id" json:"databaseId"`
	UUID           string    `db:"uuid" json:"uuid"`
	OrganizationID int64     `db:"organization_id" json:"organizationId"`
	Name           string    `db:"name" json:"name"`
	Position       int32     `db:"position" json:"position"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time `db:"updated_at" json:"updatedAt"`
}

type Tag struct {
	ID             int64     `db:"id" json:"databaseId"`
	UUID           string    `db:"uuid" json:"uuid"`
	OrganizationID int64     `db:"organization_id" json:"organizationId"`
	Name           string    `db:"name" json:"name"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time `db:"updated_at" json:"updatedAt"`
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
	ID             int64              `db:"id" json:"databaseId"`
	UUID           string             `db:"uuid" json:"uuid"`
	OrganizationID int64              `db:"organization_id" json:"organizationId"`
	Name           string             `db:"name" json:"name"`
	Type           CustomFieldType    `db:"type" json:"type"`
	Options        CustomFieldOptions `db:"options" json:"options"`
	CreatedAt      time.Time          `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time          `db:"updated_at" json:"updatedAt"`
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
	PartnershipID int64     `db:"partnership_id" json:"partnershipId"`
	FieldID       int64     `db:"field_id" json:"fieldId"`
	Text          *string   `db:"text_value" json:"textValue"`
	Number        *float64  `db:"number_value" json:"numberValue"`
	Date          *string   `db:"date_value" json:"dateValue"`
	Boolean       *bool     `db:"boolean_value" json:"booleanValue"`
	Select        *int64    `db:"select_value" json:"selectValue"`
	MultiSelect   IDList    `db:"multi_select_value" json:"multiSelectValue"`
	UpdatedAt     time.Time `db:"updated_at" json:"updatedAt"`
	// Field is the field this is a value of. Values are read with their
	// field, so the graph shows both without a resolver per value.
	Field *CustomField `db:"-" json:"-"`
}

// SelectedOption is the option a SELECT value names: nil when it names
// none, or one its field no longer offers.
func (v *CustomFieldValue) SelectedOption() *CustomFieldOption {
	if v.Select == nil || v.Field == nil {
		return nil
	}
	if o, ok := v.Field.Options.Option(*v.Select); ok {
		return &o
	}
	return nil
}

// SelectedOptions are the options a MULTI_SELECT value names, in its order,
// leaving out any its field no longer offers; nil when it is not set.
func (v *CustomFieldValue) SelectedOptions() []*CustomFieldOption {
	if v.MultiSelect == nil || v.Field == nil {
		return nil
	}
	out := make([]*CustomFieldOption, 0, len(v.MultiSelect))
	for _, id := range v.MultiSelect {
		if o, ok := v.Field.Options.Option(id); ok {
			out = append(out, &o)
		}
	}
	return out
}

// Relationship records that a company (another organization) formed a
// relationship with a partner (seed 002).
type Relationship struct {
	ID             int64     `db:"id" json:"databaseId"`
	UUID           string    `db:"uuid" json:"uuid"`
	OrganizationID int64     `db:"organization_id" json:"organizationId"`
	PartnerID      int64     `db:"partner_id" json:"partnerId"`
	CompanyID      int64     `db:"company_id" json:"companyId"`
	CreatedAt      time.Time `db:"created_at" json:"createdAt"`
	UpdatedAt      time.Time `db:"updated_at" json:"updatedAt"`
}

type IntegrationStatus string

const (
	IntegrationConnected    IntegrationStatus = "CONNECTED"
	IntegrationDisconnected IntegrationStatus = "DISCONNECTED"
)

// PartnerIntegration holds a partner's credentials for a business's system
// (seed 003). The password is kept encrypted and is never returned.
type PartnerIntegration struct {
	ID                int64             `db:"id" json:"databaseId"`
	UUID              string            `db:"uuid" json:"uuid"`
	OrganizationID    int64             `db:"organization_id" json:"organizationId"`
	BusinessID        int64             `db:"business_id" json:"businessId"`
	PartnerID         int64             `db:"partner_id" json:"partnerId"`
	Login             string            `db:"login" json:"login"`
	PasswordEncrypted []byte            `db:"password_encrypted" json:"-"`
	Status            IntegrationStatus `db:"status" json:"status"`
	ConnectedAt       *time.Time        `db:"connected_at" json:"connectedAt"`
	DisconnectedAt    *time.Time        `db:"disconnected_at" json:"disconnectedAt"`
	CreatedAt         time.Time         `db:"created_at" json:"createdAt"`
	UpdatedAt         time.Time         `db:"updated_at" json:"updatedAt"`
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
