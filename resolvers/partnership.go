package resolvers

import (
	"context"
	"strconv"

	pg "partnergraph"
	"partnergraph/graph/model"
	"partnergraph/loaders"
	"partnergraph/relay"
)

type partnershipResolver struct{ *Resolver }

func (r *partnershipResolver) Organization(ctx context.Context, p *pg.Partnership) (*pg.Organization, error) {
	return loaders.For(ctx).Organization().Load(ctx, p.OrganizationID)()
}

func (r *partnershipResolver) Partner(ctx context.Context, p *pg.Partnership) (*pg.Partner, error) {
	return loaders.For(ctx).Partner().Load(ctx, p.PartnerID)()
}

func (r *partnershipResolver) Project(ctx context.Context, p *pg.Partnership) (*pg.Project, error) {
	if p.ProjectID == nil {
		return nil, nil
	}
	return loaders.For(ctx).Project().Load(ctx, *p.ProjectID)()
}

func (r *partnershipResolver) Tier(ctx context.Context, p *pg.Partnership) (*pg.Tier, error) {
	if p.TierID == nil {
		return nil, nil
	}
	return loaders.For(ctx).Tier().Load(ctx, *p.TierID)()
}

func (r *partnershipResolver) Category(ctx context.Context, p *pg.Partnership) (*pg.Category, error) {
	if p.CategoryID == nil {
		return nil, nil
	}
	return loaders.For(ctx).Category().Load(ctx, *p.CategoryID)()
}

func (r *partnershipResolver) Stage(ctx context.Context, p *pg.Partnership) (*pg.Stage, error) {
	if p.StageID == nil {
		return nil, nil
	}
	return loaders.For(ctx).Stage().Load(ctx, *p.StageID)()
}

func (r *partnershipResolver) AssignedUsers(ctx context.Context, p *pg.Partnership) ([]*pg.User, error) {
	return loaders.For(ctx).UsersByPartnership().Load(ctx, p.ID)()
}

func (r *partnershipResolver) Tags(ctx context.Context, p *pg.Partnership) ([]*pg.Tag, error) {
	return loaders.For(ctx).TagsByPartnership().Load(ctx, p.ID)()
}

func (r *partnershipResolver) CustomFieldValues(ctx context.Context, p *pg.Partnership) ([]*pg.CustomFieldValue, error) {
	return loaders.For(ctx).CustomValuesByPartnership().Load(ctx, p.ID)()
}

func (r *partnershipResolver) ViewerCanReadPipeline(ctx context.Context, p *pg.Partnership) (bool, error) {
	a, err := reader(ctx)
	return err == nil && a.CanReadPipeline(p), err
}

func (r *partnershipResolver) ViewerCanUpdatePipeline(ctx context.Context, p *pg.Partnership) (bool, error) {
	a, err := reader(ctx)
	return err == nil && a.CanWrite() && a.OwnsPartnership(p), err
}

func (r *queryResolver) Partnerships(ctx context.Context, first *int32, after *string, last *int32, before *string, filter *model.PartnershipFilter, orderBy *model.PartnershipOrder) (*relay.PartnershipConnection, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	args, err := loaders.PartnershipArgs(first, after, last, before, filter, orderBy)
	if err != nil {
		return nil, err
	}
	l, err := r.DB.Partnerships(ctx, a, args.PartnershipFilter, args.PartnershipOrder, args.Page)
	return fromList(l, err, loaders.For(ctx).RegisterPartnerships)
}

func (r *queryResolver) Partnership(ctx context.Context, id string) (*pg.Partnership, error) {
	a, err := reader(ctx)
	if err != nil {
		return nil, err
	}
	dbID, err := relay.DecodeID("id", pg.TypePartnership, id)
	if err != nil {
		return nil, err
	}
	return r.DB.Partnership(ctx, a, dbID)
}

func (r *mutationResolver) CreatePartnership(ctx context.Context, in model.CreatePartnershipInput) (*model.PartnershipPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	c := pg.PartnershipCreate{IsDefault: deref(in.IsDefault, false), IsSupport: deref(in.IsSupport, false)}
	if c.PartnerID, err = r.partnerRef(ctx, a, "partnerId", in.PartnerID); err != nil {
		return nil, err
	}
	if err := decodeCreate(&c, in); err != nil {
		return nil, r.createRefusal(ctx, a, c.PartnerID, in, err)
	}
	p, err := r.DB.CreatePartnership(ctx, a, c)
	if err != nil {
		return nil, err
	}
	return &model.PartnershipPayload{Partnership: p, ClientMutationID: in.ClientMutationID}, nil
}

// decodeCreate decodes the references of a create input into c.
func decodeCreate(c *pg.PartnershipCreate, in model.CreatePartnershipInput) error {
	var err error
	refs := []struct {
		dst   **int64
		field string
		typ   string
		gid   *string
	}{
		{&c.ProjectID, "projectId", pg.TypeProject, in.ProjectID},
		{&c.TierID, "tierId", pg.TypeTier, in.TierID},
		{&c.CategoryID, "categoryId", pg.TypeCategory, in.CategoryID},
		{&c.StageID, "stageId", pg.TypeStage, in.StageID},
	}
	for _, ref := range refs {
		if *ref.dst, err = relay.DecodeOptionalID(ref.field, ref.typ, ref.gid); err != nil {
			return err
		}
	}
	if c.AssignedUserIDs, err = relay.DecodeIDs("assignedUserIds", pg.TypeUser, in.AssignedUserIds); err != nil {
		return err
	}
	if c.TagIDs, err = relay.DecodeIDs("tagIds", pg.TypeTag, in.TagIds); err != nil {
		return err
	}
	if c.CustomFields, err = customFieldInputs(in.CustomFields); err != nil {
		return err
	}
	c.FallbackData = fallbackData(in.FallbackData)
	return nil
}

// createRefusal is err, a create input that does not decode, unless the
// caller may not make such a change at all (a partner user sending the
// owner's pipeline): authorization is reported before validation.
func (r *mutationResolver) createRefusal(ctx context.Context, a pg.Actor, partnerID int64, in model.CreatePartnershipInput, err error) error {
	sent := pg.PartnershipCreate{AssignedUserIDs: make([]int64, len(in.AssignedUserIds)), TagIDs: make([]int64, len(in.TagIds)),
		CustomFields: make([]pg.CustomFieldInput, len(in.CustomFields))}
	if in.TierID != nil {
		sent.TierID = new(int64)
	}
	if in.CategoryID != nil {
		sent.CategoryID = new(int64)
	}
	if in.StageID != nil {
		sent.StageID = new(int64)
	}
	if in.ProjectID != nil {
		sent.ProjectID = new(int64)
	}
	if in.FallbackData != nil {
		sent.FallbackData = &pg.FallbackData{}
	}
	partner, perr := r.DB.Partner(ctx, a, partnerID)
	if perr != nil {
		return err
	}
	if refused := a.AuthorizePartnershipChange(&pg.Partnership{OrganizationID: partner.OrganizationID, ProjectID: sent.ProjectID},
		sent.PipelineFields()); refused != nil {
		return refused
	}
	return err
}

func (r *mutationResolver) UpdatePartnership(ctx context.Context, in model.UpdatePartnershipInput) (*model.PartnershipPayload, error) {
	a, err := writer(ctx)
	if err != nil {
		return nil, err
	}
	id, err := relay.DecodeID("id", pg.TypePartnership, in.ID)
	if err != nil {
		return nil, err
	}
	u, err := partnershipUpdate(in)
	if err != nil {
		return nil, r.updateRefusal(ctx, a, id, in, err)
	}
	c, err := r.DB.ChangePartnership(ctx, a, id, u)
	if err != nil {
		return nil, err
	}
	if l := loaders.For(ctx); l != nil {
		// The payload shows what the change read: it is read once.
		l.AfterChange(func(l *loaders.Loaders) { l.PrimePartnership(c) })
	}
	return &model.PartnershipPayload{Partnership: c.Partnership, ClientMutationID: in.ClientMutationID}, nil
}

// updateRefusal is err, an update input that does not decode, unless the
// caller may not make such a change to the partnership at all (a partner
// user sending the owner's pipeline): authorization is reported before
// validation.
func (r *mutationResolver) updateRefusal(ctx context.Context, a pg.Actor, id int64, in model.UpdatePartnershipInput, err error) error {
	sent := pg.PartnershipUpdate{TierID: pg.Optional[int64]{Set: in.TierID.IsSet()}, CategoryID: pg.Optional[int64]{Set: in.CategoryID.IsSet()},
		StageID: pg.Optional[int64]{Set: in.StageID.IsSet()}, StageUUID: in.StageUUID,
		CustomFields: make([]pg.CustomFieldInput, len(in.CustomFields)), FallbackData: pg.Optional[pg.FallbackData]{Set: in.FallbackData.IsSet()}}
	if in.AssignedUserIds.IsSet() {
		sent.AssignedUserIDs = &[]int64{}
	}
	if in.TagIds.IsSet() {
		sent.TagIDs = &[]int64{}
	}
	p, perr := r.DB.Partnership(ctx, a, id)
	if perr != nil {
		return err
	}
	if refused := a.AuthorizePartnershipChange(p, sent.PipelineFields()); refused != nil {
		return refused
	}
	return err
}

// partnershipUpdate decodes an update input.
func partnershipUpdate(in model.UpdatePartnershipInput) (pg.PartnershipUpdate, error) {
	u := pg.PartnershipUpdate{IsDefault: in.IsDefault, IsSupport: in.IsSupport, StageUUID: in.StageUUID}
	if in.StageUUID != nil && in.StageID.IsSet() {
		return u, pg.InvalidField("stageUuid", "Pass stageId or stageUuid, not both.")
	}
	refs := []struct {
		dst   *pg.Optional[int64]
		field string
		typ   string
		gid   pg.Optional[string]
	}{
		{&u.TierID, "tierId", pg.TypeTier, optional(in.TierID)},
		{&u.CategoryID, "categoryId", pg.TypeCategory, optional(in.CategoryID)},
		{&u.StageID, "stageId", pg.TypeStage, optional(in.StageID)},
	}
	for _, ref := range refs {
		if !ref.gid.Set {
			continue
		}
		v, err := relay.DecodeOptionalID(ref.field, ref.typ, ref.gid.Value)
		if err != nil {
			return u, err
		}
		*ref.dst = pg.Optional[int64]{Set: true, Value: v}
	}
	if gids, ok := in.AssignedUserIds.ValueOK(); ok {
		ids, err := relay.DecodeIDs("assignedUserIds", pg.TypeUser, gids)
		if err != nil {
			return u, err
		}
		u.AssignedUserIDs = &ids
	}
	if gids, ok := in.TagIds.ValueOK(); ok {
		ids, err := relay.DecodeIDs("tagIds", pg.TypeTag, gids)
		if err != nil {
			return u, err
		}
		u.TagIDs = &ids
	}
	var err error
	if u.CustomFields, err = customFieldInputs(in.CustomFields); err != nil {
		return u, err
	}
	if fd, ok := in.FallbackData.ValueOK(); ok {
		u.FallbackData = pg.Optional[pg.FallbackData]{Set: true, Value: fallbackData(fd)}
	}
	return u, nil
}

func (r *mutationResolver) DeletePartnership(ctx context.Context, in model.DeleteInput) (*model.DeletePayload, error) {
	return r.delete(ctx, in, pg.TypePartnership, r.DB.DeletePartnership)
}

func customFieldInputs(in []*model.CustomFieldValueInput) ([]pg.CustomFieldInput, error) {
	out := make([]pg.CustomFieldInput, 0, len(in))
	for i, v := range in {
		path := "customFields." + strconv.Itoa(i)
		id, err := relay.DecodeID(path+".customFieldId", pg.TypeCustomField, v.CustomFieldID)
		if err != nil {
			return nil, err
		}
		c := pg.CustomFieldInput{FieldID: id, Type: v.Type, Text: v.Text, Number: v.Number, Boolean: v.Boolean,
			Date: (*string)(v.Date), Path: path}
		if v.Select != nil {
			s := int64(*v.Select)
			c.Select = &s
		}
		if v.MultiSelect != nil {
			c.MultiSelect = make([]int64, len(v.MultiSelect))
			for j, o := range v.MultiSelect {
				c.MultiSelect[j] = int64(o)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func fallbackData(in *model.FallbackDataInput) *pg.FallbackData {
	if in == nil {
		return nil
	}
	return &pg.FallbackData{Name: in.Name, LogoSquareUUID: in.LogoSquareUUID, WebsiteURL: in.WebsiteURL, CountryLabel: in.CountryLabel}
}
