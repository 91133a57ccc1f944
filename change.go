package partnergraph

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// PartnerCreate is a new partner. Its limits are those of seed 004.
type PartnerCreate struct {
	CompanyName    string
	Email          string
	PartnerType    PartnerType
	SalesAmount    int64
	Frequency      string
	PaymentTerms   string
	WebsiteURL     *string
	LogoSquareUUID *string
	CountryLabel   *string
}

// Validate checks every field, reporting every one at fault (Error.Fields).
func (c PartnerCreate) Validate() error {
	return allFields(
		validLength("companyName", c.CompanyName, 1, 100),
		validEmail("email", c.Email),
		validPartnerType(c.PartnerType),
		validSalesAmount(c.SalesAmount),
		validLength("frequency", c.Frequency, 1, 30),
		validLength("paymentTerms", c.PaymentTerms, 1, 50),
		validURL("websiteUrl", c.WebsiteURL),
		validOptionalLength("countryLabel", c.CountryLabel, 100),
	)
}

// PartnerUpdate changes the fields that are set, within seed 004's limits.
type PartnerUpdate struct {
	CompanyName    *string
	Email          *string
	PartnerType    *PartnerType
	SalesAmount    *int64
	Frequency      *string
	PaymentTerms   *string
	WebsiteURL     Optional[string]
	LogoSquareUUID Optional[string]
	CountryLabel   Optional[string]
}

// Validate checks the fields that are set, reporting every one at fault
// (Error.Fields).
func (u PartnerUpdate) Validate() error {
	var errs []error
	if u.CompanyName != nil {
		errs = append(errs, validLength("companyName", *u.CompanyName, 1, 100))
	}
	if u.Email != nil {
		errs = append(errs, validEmail("email", *u.Email))
	}
	if u.PartnerType != nil {
		errs = append(errs, validPartnerType(*u.PartnerType))
	}
	if u.SalesAmount != nil {
		errs = append(errs, validSalesAmount(*u.SalesAmount))
	}
	if u.Frequency != nil {
		errs = append(errs, validLength("frequency", *u.Frequency, 1, 30))
	}
	if u.PaymentTerms != nil {
		errs = append(errs, validLength("paymentTerms", *u.PaymentTerms, 1, 50))
	}
	return allFields(append(errs, validURL("websiteUrl", u.WebsiteURL.Value),
		validOptionalLength("countryLabel", u.CountryLabel.Value, 100))...)
}

// Apply sets u's fields on p.
func (u PartnerUpdate) Apply(p *Partner) {
	set(&p.CompanyName, u.CompanyName)
	set(&p.Email, u.Email)
	set(&p.PartnerType, u.PartnerType)
	set(&p.SalesAmount, u.SalesAmount)
	set(&p.Frequency, u.Frequency)
	set(&p.PaymentTerms, u.PaymentTerms)
	setOptional(&p.WebsiteURL, u.WebsiteURL)
	setOptional(&p.LogoSquareUUID, u.LogoSquareUUID)
	setOptional(&p.CountryLabel, u.CountryLabel)
}

func validPartnerType(t PartnerType) error {
	if t != PartnerTypeCustomer && t != PartnerTypeSupplier {
		return badField("partnerType", ReasonInvalidChoice, nil, "partnerType must be CUSTOMER or SUPPLIER.")
	}
	return nil
}

func validSalesAmount(v int64) error {
	const most = 2147483647
	switch {
	case v < 0:
		return badField("salesAmount", ReasonBelowMinimum, limit(0), "salesAmount must be between 0 and %d.", most)
	case v > most:
		return badField("salesAmount", ReasonAboveMaximum, limit(most), "salesAmount must be between 0 and %d.", most)
	}
	return nil
}

// PartnerFilter narrows a partner list.
type PartnerFilter struct {
	PartnerType      *PartnerType
	InvitationStatus *InvitationStatus
	Search           *string
}

// PartnerOrderField is what partners are sorted by.
type PartnerOrderField string

const (
	PartnerOrderCompanyName PartnerOrderField = "COMPANY_NAME"
	PartnerOrderCreatedAt   PartnerOrderField = "CREATED_AT"
	PartnerOrderUpdatedAt   PartnerOrderField = "UPDATED_AT"
	PartnerOrderSalesAmount PartnerOrderField = "SALES_AMOUNT"
)

// Order is a sort field and direction.
type Order[F ~string] struct {
	Field F
	Desc  bool
}

// PartnershipCreate is a new partnership.
type PartnershipCreate struct {
	PartnerID       int64
	ProjectID       *int64
	IsDefault       bool
	IsSupport       bool
	TierID          *int64
	CategoryID      *int64
	StageID         *int64
	AssignedUserIDs []int64
	TagIDs          []int64
	CustomFields    []CustomFieldInput
	FallbackData    *FallbackData
}

// Validate checks the partnership's own fields; the records it names are
// checked where they are stored.
func (c PartnershipCreate) Validate() error {
	errs := []error{ValidateList("assignedUserIds", len(c.AssignedUserIDs)), ValidateList("tagIds", len(c.TagIDs)),
		validCustomFieldInputs(c.CustomFields)}
	if c.FallbackData != nil {
		errs = append(errs, c.FallbackData.Validate("fallbackData"))
	}
	return allFields(errs...)
}

// validCustomFieldInputs checks the sizes of custom field values' lists,
// and that no field is given two values: which one should win is not the
// server's to guess.
func validCustomFieldInputs(in []CustomFieldInput) error {
	errs := []error{ValidateList("customFields", len(in))}
	seen := make(map[int64]bool, len(in))
	for i, v := range in {
		path := v.Path
		if path == "" {
			path = "customFields." + strconv.Itoa(i)
		}
		errs = append(errs, ValidateList(path+".multiSelect", len(v.MultiSelect)))
		if seen[v.FieldID] {
			errs = append(errs, InvalidField(path+".customFieldId", "The custom field is given a value more than once."))
		}
		seen[v.FieldID] = true
	}
	return allFields(errs...)
}

// PipelineFields names the fields of the owner's pipeline c sets, in input
// order (see Actor.AuthorizePartnershipChange).
func (c PartnershipCreate) PipelineFields() []string {
	return pipelineFields(c.TierID != nil, c.CategoryID != nil, c.StageID != nil, false,
		len(c.AssignedUserIDs) > 0, len(c.TagIDs) > 0, len(c.CustomFields) > 0, c.FallbackData != nil)
}

// PipelineFields names the fields of the owner's pipeline u sets, in input
// order (see Actor.AuthorizePartnershipChange).
func (u PartnershipUpdate) PipelineFields() []string {
	return pipelineFields(u.TierID.Set, u.CategoryID.Set, u.StageID.Set, u.StageUUID != nil,
		u.AssignedUserIDs != nil, u.TagIDs != nil, len(u.CustomFields) > 0, u.FallbackData.Set)
}

func pipelineFields(set ...bool) []string {
	names := [...]string{"tierId", "categoryId", "stageId", "stageUuid", "assignedUserIds", "tagIds", "customFields", "fallbackData"}
	var out []string
	for i, s := range set {
		if s {
			out = append(out, names[i])
		}
	}
	return out
}

// PartnershipUpdate changes a partnership. Absent fields stay; null ones are
// removed; lists replace.
type PartnershipUpdate struct {
	IsDefault  *bool
	IsSupport  *bool
	TierID     Optional[int64]
	CategoryID Optional[int64]
	StageID    Optional[int64]
	// StageUUID names the new stage by UUID instead of StageID.
	StageUUID       *string
	AssignedUserIDs *[]int64
	TagIDs          *[]int64
	CustomFields    []CustomFieldInput
	FallbackData    Optional[FallbackData]
}

// Validate checks the partnership's own fields that are set.
func (u PartnershipUpdate) Validate() error {
	errs := []error{validCustomFieldInputs(u.CustomFields)}
	if u.AssignedUserIDs != nil {
		errs = append(errs, ValidateList("assignedUserIds", len(*u.AssignedUserIDs)))
	}
	if u.TagIDs != nil {
		errs = append(errs, ValidateList("tagIds", len(*u.TagIDs)))
	}
	if u.FallbackData.Value != nil {
		errs = append(errs, u.FallbackData.Value.Validate("fallbackData"))
	}
	return allFields(errs...)
}

// Apply sets u's own fields on p: the flags, the references and the
// fallback data (links and custom field values are rows of their own).
func (u PartnershipUpdate) Apply(p *Partnership) {
	set(&p.IsDefault, u.IsDefault)
	set(&p.IsSupport, u.IsSupport)
	setOptional(&p.TierID, u.TierID)
	setOptional(&p.CategoryID, u.CategoryID)
	setOptional(&p.StageID, u.StageID)
	if u.FallbackData.Set {
		p.FallbackData = FallbackData{}
		if u.FallbackData.Value != nil {
			p.FallbackData = *u.FallbackData.Value
		}
	}
}

// CustomFieldInput sets a partnership's value for one field. Type, when
// given, must match the field's; a value with no member set removes it.
type CustomFieldInput struct {
	FieldID     int64
	Type        *CustomFieldType
	Text        *string
	Number      *float64
	Date        *string
	Boolean     *bool
	Select      *int64
	MultiSelect []int64
	// Path names this input in the client's terms, for errors.
	Path string
}

// Check validates in against its field and returns the value to store, or
// nil when the value is to be removed.
func (in CustomFieldInput) Check(f *CustomField) (*CustomFieldValue, error) {
	if in.Type != nil && *in.Type != f.Type {
		return nil, InvalidField(in.Path+".type", "Custom field %q is of type %s, not %s.", f.Name, f.Type, *in.Type)
	}
	members := []struct {
		typ  CustomFieldType
		name string
		set  bool
	}{
		{FieldText, "text", in.Text != nil}, {FieldNumber, "number", in.Number != nil}, {FieldDate, "date", in.Date != nil},
		{FieldBoolean, "boolean", in.Boolean != nil}, {FieldSelect, "select", in.Select != nil},
		{FieldMultiSelect, "multiSelect", in.MultiSelect != nil},
	}
	n := 0
	for _, m := range members {
		if m.set && m.typ != f.Type {
			return nil, InvalidField(in.Path+"."+m.name, "Custom field %q is of type %s and cannot hold a %s value.", f.Name, f.Type, m.typ)
		}
		if m.set {
			n++
		}
	}
	if n == 0 {
		return nil, nil
	}
	v := &CustomFieldValue{FieldID: f.ID, Text: in.Text, Number: in.Number, Date: in.Date, Boolean: in.Boolean, Select: in.Select}
	switch f.Type {
	case FieldText:
		if err := validLength(in.Path+".text", *in.Text, 0, 10000); err != nil {
			return nil, err
		}
	case FieldNumber:
		if math.IsNaN(*in.Number) || math.IsInf(*in.Number, 0) {
			return nil, InvalidField(in.Path+".number", "Custom field %q needs a finite number.", f.Name)
		}
	case FieldDate:
		if _, err := time.Parse("2006-01-02", *in.Date); err != nil {
			return nil, InvalidField(in.Path+".date", "Custom field %q needs a date in YYYY-MM-DD form.", f.Name)
		}
	case FieldSelect:
		if _, ok := f.Options.Option(*in.Select); !ok {
			return nil, InvalidField(in.Path+".select", "Custom field %q has no option %d.", f.Name, *in.Select)
		}
	case FieldMultiSelect:
		seen := map[int64]bool{}
		for i, id := range in.MultiSelect {
			if _, ok := f.Options.Option(id); !ok {
				return nil, InvalidField(in.Path+".multiSelect."+strconv.Itoa(i), "Custom field %q has no option %d.", f.Name, id)
			}
			if !seen[id] {
				seen[id] = true
				v.MultiSelect = append(v.MultiSelect, id)
			}
		}
		if v.MultiSelect == nil {
			v.MultiSelect = IDList{}
		}
	}
	return v, nil
}

// PartnershipCriteria narrows a partnership list.
type PartnershipCriteria struct {
	PartnerID      *int64
	ProjectID      *int64
	TierID         *int64
	CategoryID     *int64
	StageID        *int64
	TagID          *int64
	AssignedUserID *int64
	IsDefault      *bool
	UpdatedSince   *time.Time
}

// FiltersPipeline reports whether c narrows by the owner's pipeline (tier,
// category, stage, tag, assigned user), which only the owner reads.
func (c PartnershipCriteria) FiltersPipeline() bool {
	return c.TierID != nil || c.CategoryID != nil || c.StageID != nil || c.TagID != nil || c.AssignedUserID != nil
}

// PartnershipOrderField is what partnerships are sorted by.
type PartnershipOrderField string

const (
	PartnershipOrderCreatedAt PartnershipOrderField = "CREATED_AT"
	PartnershipOrderUpdatedAt PartnershipOrderField = "UPDATED_AT"
)

// CustomFieldCreate is a new custom field.
type CustomFieldCreate struct {
	Name    string
	Type    CustomFieldType
	Options CustomFieldOptions
}

// Validate checks the name, the type, and that options are given exactly
// for select types, with unique ids and labels.
func (c CustomFieldCreate) Validate() error {
	if err := validName("name", c.Name); err != nil {
		return err
	}
	if !c.Type.Valid() {
		return InvalidField("type", "type must be one of TEXT, NUMBER, DATE, BOOLEAN, SELECT, MULTI_SELECT.")
	}
	return validOptions(c.Type, c.Options)
}

func validOptions(t CustomFieldType, opts CustomFieldOptions) error {
	if err := ValidateList("options", len(opts)); err != nil {
		return err
	}
	selectType := t == FieldSelect || t == FieldMultiSelect
	if !selectType && len(opts) > 0 {
		return InvalidField("options", "Only SELECT and MULTI_SELECT fields have options.")
	}
	if selectType && len(opts) == 0 {
		return InvalidField("options", "A %s field needs at least one option.", t)
	}
	ids := map[int64]bool{}
	for i, o := range opts {
		path := "options." + strconv.Itoa(i)
		if o.ID <= 0 || ids[o.ID] {
			return InvalidField(path+".id", "Option ids must be positive and unique.")
		}
		ids[o.ID] = true
		if err := validName(path+".label", o.Label); err != nil {
			return err
		}
	}
	return nil
}

// ValidateName checks a display name on field.
func ValidateName(field, v string) error { return validName(field, v) }

// ValidateEmail checks an email address on field.
func ValidateEmail(field, v string) error { return validEmail(field, v) }

// Validate checks fallback data: display text within limits, a web URL;
// every bad field is reported.
func (f FallbackData) Validate(path string) error {
	return allFields(
		validOptionalLength(path+".name", f.Name, 200),
		validOptionalLength(path+".logoSquareUuid", f.LogoSquareUUID, 100),
		validURL(path+".websiteUrl", f.WebsiteURL),
		validOptionalLength(path+".countryLabel", f.CountryLabel, 100),
	)
}

// RelationshipCreate records that a company (an organization, seed 002)
// formed a relationship with a partner.
type RelationshipCreate struct {
	PartnerID int64
	CompanyID int64
}

// IntegrationConnect stores a partner's credentials for a business's
// system (seed 003); connecting again replaces them.
type IntegrationConnect struct {
	PartnerID  int64
	BusinessID int64
	Login      string
	Password   string
}

// Validate checks the credentials: both given, at most 200 characters;
// every bad one is reported.
func (c IntegrationConnect) Validate() error {
	return allFields(validCredential("login", c.Login), validCredential("password", c.Password))
}

// IntegrationDisconnect names the integration of a partner with a business
// to disconnect.
type IntegrationDisconnect struct {
	PartnerID  int64
	BusinessID int64
}

func validCredential(field, v string) error {
	if strings.TrimSpace(v) == "" {
		return badField(field, ReasonRequired, limit(1), "%s is required.", field)
	}
	if len(v) > 200 {
		return badField(field, ReasonTooLong, limit(200), "%s must be at most %d characters.", field, 200)
	}
	return nil
}
