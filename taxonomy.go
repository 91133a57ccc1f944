package partnergraph

// The records partnerships are sorted by (projects, tiers, categories,
// stages, tags and custom fields) are created and changed with these types.
// An update's nil field leaves the stored value as it is.

// ProjectCreate is a new project.
type ProjectCreate struct {
	Name string
}

// Validate checks the name.
func (c ProjectCreate) Validate() error { return validName("name", c.Name) }

// ProjectUpdate renames a project.
type ProjectUpdate struct {
	Name *string
}

// Validate checks the fields that are set.
func (u ProjectUpdate) Validate() error { return validNameIfSet("name", u.Name) }

// Apply sets u's fields on p.
func (u ProjectUpdate) Apply(p *Project) { set(&p.Name, u.Name) }

// TierCreate is a new tier; Rank orders tiers (1 first).
type TierCreate struct {
	Name string
	Rank int32
}

// Validate checks the name.
func (c TierCreate) Validate() error { return validName("name", c.Name) }

// TierUpdate renames or reranks a tier.
type TierUpdate struct {
	Name *string
	Rank *int32
}

// Validate checks the fields that are set.
func (u TierUpdate) Validate() error { return validNameIfSet("name", u.Name) }

// Apply sets u's fields on t.
func (u TierUpdate) Apply(t *Tier) {
	set(&t.Name, u.Name)
	set(&t.Rank, u.Rank)
}

// CategoryCreate is a new category.
type CategoryCreate struct {
	Name string
}

// Validate checks the name.
func (c CategoryCreate) Validate() error { return validName("name", c.Name) }

// CategoryUpdate renames a category.
type CategoryUpdate struct {
	Name *string
}

// Validate checks the fields that are set.
func (u CategoryUpdate) Validate() error { return validNameIfSet("name", u.Name) }

// Apply sets u's fields on c.
func (u CategoryUpdate) Apply(c *Category) { set(&c.Name, u.Name) }

// TagCreate is a new tag; names are unique per organization.
type TagCreate struct {
	Name string
}

// Validate checks the name.
func (c TagCreate) Validate() error { return validName("name", c.Name) }

// TagUpdate renames a tag.
type TagUpdate struct {
	Name *string
}

// Validate checks the fields that are set.
func (u TagUpdate) Validate() error { return validNameIfSet("name", u.Name) }

// Apply sets u's fields on t.
func (u TagUpdate) Apply(t *Tag) { set(&t.Name, u.Name) }

// StageCreate is a new pipeline stage and the stages a partnership in it
// may move to (none: any stage). Seed 001's business rules.
type StageCreate struct {
	Name                string
	Position            int32
	AllowedNextStageIDs []int64
}

// Validate checks the name and the number of allowed next stages.
func (c StageCreate) Validate() error {
	return allFields(validName("name", c.Name), ValidateList("allowedNextStageIds", len(c.AllowedNextStageIDs)))
}

// StageUpdate changes a stage; AllowedNextStageIDs, when set, replaces the
// stage's transitions.
type StageUpdate struct {
	Name                *string
	Position            *int32
	AllowedNextStageIDs *[]int64
}

// Validate checks the fields that are set.
func (u StageUpdate) Validate() error {
	errs := []error{validNameIfSet("name", u.Name)}
	if u.AllowedNextStageIDs != nil {
		errs = append(errs, ValidateList("allowedNextStageIds", len(*u.AllowedNextStageIDs)))
	}
	return allFields(errs...)
}

// Apply sets u's own fields on s (its transitions are rows of their own).
func (u StageUpdate) Apply(s *Stage) {
	set(&s.Name, u.Name)
	set(&s.Position, u.Position)
}

// CustomFieldUpdate renames a custom field or replaces its options. Its
// type does not change: values already stored are of it.
type CustomFieldUpdate struct {
	Name    *string
	Options *CustomFieldOptions
}

// Validate checks the fields that are set, the options against the
// field's type t.
func (u CustomFieldUpdate) Validate(t CustomFieldType) error {
	if err := validNameIfSet("name", u.Name); err != nil {
		return err
	}
	if u.Options != nil {
		return validOptions(t, *u.Options)
	}
	return nil
}

// Apply sets u's fields on f.
func (u CustomFieldUpdate) Apply(f *CustomField) {
	set(&f.Name, u.Name)
	set(&f.Options, u.Options)
}

// set stores *v in dst when v is set.
func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// setOptional stores o's value (nil to remove it) in dst when o is set.
func setOptional[T any](dst **T, o Optional[T]) {
	if o.Set {
		*dst = o.Value
	}
}

func validNameIfSet(field string, v *string) error {
	if v == nil {
		return nil
	}
	return validName(field, *v)
}
