package baseline

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	pg "partnergraph"
	"partnergraph/relay"
)

// The response, shaped and named as the gateway answers bench.Dashboard.
type (
	response struct {
		Data dashboardData `json:"data"`
	}
	dashboardData struct {
		Partners partnerConnection `json:"partners"`
	}
	partnerConnection struct {
		PageInfo pageInfo   `json:"pageInfo"`
		Nodes    []*partner `json:"nodes"`
	}
	pageInfo struct {
		HasNextPage bool    `json:"hasNextPage"`
		EndCursor   *string `json:"endCursor"`
	}
	partner struct {
		ID           string `json:"id"`
		DatabaseID   int64  `json:"databaseId"`
		CompanyName  string `json:"companyName"`
		PartnerType  string `json:"partnerType"`
		Partnerships struct {
			Nodes []*partnership `json:"nodes"`
		} `json:"partnerships"`
	}
	partnership struct {
		ID                string        `json:"id"`
		DatabaseID        int64         `json:"databaseId"`
		IsDefault         bool          `json:"isDefault"`
		IsSupport         bool          `json:"isSupport"`
		Project           *named        `json:"project"`
		Tier              *tier         `json:"tier"`
		Category          *named        `json:"category"`
		Stage             *stage        `json:"stage"`
		Tags              []named       `json:"tags"`
		AssignedUsers     []user        `json:"assignedUsers"`
		CustomFieldValues []*fieldValue `json:"customFieldValues"`
	}
	named struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	tier struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Rank int32  `json:"rank"`
	}
	stage struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Position int32  `json:"position"`
	}
	user struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		Email string `json:"email"`
	}
	fieldValue struct {
		Field       field    `json:"field"`
		Text        *string  `json:"text"`
		Number      *float64 `json:"number"`
		Date        *string  `json:"date"`
		Boolean     *bool    `json:"boolean"`
		Select      *option  `json:"select"`
		MultiSelect []option `json:"multiSelect"`
	}
	field struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Type string `json:"type"`
	}
	option struct {
		ID    int64  `json:"id"`
		Label string `json:"label"`
	}
)

// treeQuery returns one row per shown partnership (or per partner without
// any), with the partnership's project, tier, category and stage joined:
// the partners page (one row more than asked, to learn whether more exist),
// each shown partner's first partnerships in the default order (created_at,
// id) numbered by a window function. Visibility is the gateway's: the
// organization's own partners and those whose invitation it accepted.
const treeQuery = `WITH page AS (
  SELECT t.id, t.company_name, t.partner_type, t.guest_organization_id FROM partners t
  WHERE t.organization_id = ? OR t.guest_organization_id = ?
  ORDER BY t.id LIMIT ?
), shown AS (
  SELECT id, guest_organization_id FROM page ORDER BY id LIMIT ?
), ranked AS (
  SELECT s.id, s.partner_id, s.project_id, s.is_default, s.is_support, s.tier_id, s.category_id, s.stage_id,
    ROW_NUMBER() OVER (PARTITION BY s.partner_id ORDER BY s.created_at, s.id) AS rn
  FROM shown p JOIN partnerships s ON s.partner_id = p.id
  WHERE s.organization_id = ? OR p.guest_organization_id = ?
)
SELECT p.id, p.company_name, p.partner_type,
  r.id AS ps_id, r.is_default, r.is_support,
  r.project_id, pr.name AS project_name,
  r.tier_id, ti.name AS tier_name, ti.rank AS tier_rank,
  r.category_id, c.name AS category_name,
  r.stage_id, st.name AS stage_name, st.position AS stage_position
FROM page p
LEFT JOIN ranked r ON r.partner_id = p.id AND r.rn <= ?
LEFT JOIN projects pr ON pr.id = r.project_id
LEFT JOIN tiers ti ON ti.id = r.tier_id
LEFT JOIN categories c ON c.id = r.category_id
LEFT JOIN stages st ON st.id = r.stage_id
ORDER BY p.id, r.rn`

type treeRow struct {
	PartnerID     int64   `db:"id"`
	CompanyName   string  `db:"company_name"`
	PartnerType   string  `db:"partner_type"`
	PartnershipID *int64  `db:"ps_id"`
	IsDefault     *bool   `db:"is_default"`
	IsSupport     *bool   `db:"is_support"`
	ProjectID     *int64  `db:"project_id"`
	ProjectName   *string `db:"project_name"`
	TierID        *int64  `db:"tier_id"`
	TierName      *string `db:"tier_name"`
	TierRank      *int32  `db:"tier_rank"`
	CategoryID    *int64  `db:"category_id"`
	CategoryName  *string `db:"category_name"`
	StageID       *int64  `db:"stage_id"`
	StageName     *string `db:"stage_name"`
	StagePosition *int32  `db:"stage_position"`
}

// linksQuery returns every to-many edge of the shown partnerships in one
// statement: custom field values with their fields (kind 0), tags (kind 1)
// and assigned users (kind 2), sorted as the gateway sorts them (values by
// field id, tags and users by name, then id). The values come first because
// PostgreSQL types a UNION's columns from left to right, and only they have
// a real type for every column. %[1]s is the partnership id list.
const linksQuery = `SELECT 0 AS kind, v.partnership_id AS owner, f.id AS id, f.name AS name, '' AS sort_name, NULL AS email,
  f.type AS field_type, f.options AS options, v.text_value, v.number_value, v.date_value, v.boolean_value,
  v.select_value, v.multi_select_value
FROM custom_field_values v JOIN custom_fields f ON f.id = v.field_id WHERE v.partnership_id IN %[1]s
UNION ALL
SELECT 1, l.partnership_id, t.id, t.name, t.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM partnership_tags l JOIN tags t ON t.id = l.tag_id WHERE l.partnership_id IN %[1]s
UNION ALL
SELECT 2, l.partnership_id, u.id, u.name, u.name, u.email, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM partnership_users l JOIN users u ON u.id = l.user_id WHERE l.partnership_id IN %[1]s
ORDER BY kind, owner, sort_name, id`

const (
	kindValue = 0
	kindTag   = 1
	kindUser  = 2
)

type linkRow struct {
	Kind        int      `db:"kind"`
	Owner       int64    `db:"owner"`
	ID          int64    `db:"id"`
	Name        string   `db:"name"`
	SortName    string   `db:"sort_name"`
	Email       *string  `db:"email"`
	FieldType   *string  `db:"field_type"`
	Options     *string  `db:"options"`
	Text        *string  `db:"text_value"`
	Number      *float64 `db:"number_value"`
	Date        *string  `db:"date_value"`
	Boolean     *bool    `db:"boolean_value"`
	Select      *int64   `db:"select_value"`
	MultiSelect *string  `db:"multi_select_value"`
}

// load answers the dashboard for org in two statements (authenticate sent
// the request's first).
func (s *Server) load(ctx context.Context, org int64, partners, partnerships int) (dashboardData, error) {
	var out dashboardData
	var tree []treeRow
	if err := s.query(ctx, &tree, treeQuery, org, org, partners+1, partners, org, org, partnerships); err != nil {
		return out, err
	}
	conn := partnerConnection{Nodes: []*partner{}}
	byID := map[int64]*partnership{}
	var ids []any
	for _, row := range tree {
		if len(conn.Nodes) == 0 || conn.Nodes[len(conn.Nodes)-1].DatabaseID != row.PartnerID {
			if len(conn.Nodes) == partners {
				// The extra row: there is a next page.
				conn.PageInfo.HasNextPage = true
				break
			}
			p := &partner{ID: pg.GlobalID("Partner", row.PartnerID), DatabaseID: row.PartnerID,
				CompanyName: row.CompanyName, PartnerType: row.PartnerType}
			p.Partnerships.Nodes = []*partnership{}
			conn.Nodes = append(conn.Nodes, p)
		}
		if row.PartnershipID == nil {
			continue
		}
		ps := newPartnership(row)
		p := conn.Nodes[len(conn.Nodes)-1]
		p.Partnerships.Nodes = append(p.Partnerships.Nodes, ps)
		byID[ps.DatabaseID] = ps
		ids = append(ids, ps.DatabaseID)
	}
	if n := len(conn.Nodes); n > 0 {
		end := relay.EncodeCursor(pg.Cursor{Order: "id", ID: conn.Nodes[n-1].DatabaseID})
		conn.PageInfo.EndCursor = &end
	}
	out.Partners = conn
	if len(ids) == 0 {
		return out, nil
	}
	var links []linkRow
	list := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
	args := make([]any, 0, 3*len(ids))
	args = append(append(append(args, ids...), ids...), ids...)
	if err := s.query(ctx, &links, fmt.Sprintf(linksQuery, list), args...); err != nil {
		return out, err
	}
	options := map[int64]pg.CustomFieldOptions{}
	for _, l := range links {
		ps := byID[l.Owner]
		switch l.Kind {
		case kindTag:
			ps.Tags = append(ps.Tags, named{ID: pg.GlobalID("Tag", l.ID), Name: l.Name})
		case kindUser:
			ps.AssignedUsers = append(ps.AssignedUsers, user{ID: pg.GlobalID("User", l.ID), Name: l.Name, Email: deref(l.Email)})
		case kindValue:
			v, err := newFieldValue(l, options)
			if err != nil {
				return out, err
			}
			ps.CustomFieldValues = append(ps.CustomFieldValues, v)
		}
	}
	return out, nil
}

func newPartnership(row treeRow) *partnership {
	ps := &partnership{ID: pg.GlobalID("Partnership", *row.PartnershipID), DatabaseID: *row.PartnershipID,
		IsDefault: deref(row.IsDefault), IsSupport: deref(row.IsSupport),
		Tags: []named{}, AssignedUsers: []user{}, CustomFieldValues: []*fieldValue{}}
	if row.ProjectID != nil {
		ps.Project = &named{ID: pg.GlobalID("Project", *row.ProjectID), Name: deref(row.ProjectName)}
	}
	if row.TierID != nil {
		ps.Tier = &tier{ID: pg.GlobalID("Tier", *row.TierID), Name: deref(row.TierName), Rank: deref(row.TierRank)}
	}
	if row.CategoryID != nil {
		ps.Category = &named{ID: pg.GlobalID("Category", *row.CategoryID), Name: deref(row.CategoryName)}
	}
	if row.StageID != nil {
		ps.Stage = &stage{ID: pg.GlobalID("Stage", *row.StageID), Name: deref(row.StageName), Position: deref(row.StagePosition)}
	}
	return ps
}

// newFieldValue builds a custom field value, resolving select options
// against its field's options (decoded once per field per request). An
// option id the field no longer has is left out, as the gateway does.
func newFieldValue(l linkRow, options map[int64]pg.CustomFieldOptions) (*fieldValue, error) {
	v := &fieldValue{Field: field{ID: pg.GlobalID("CustomField", l.ID), Name: l.Name, Type: deref(l.FieldType)},
		Text: l.Text, Number: l.Number, Date: l.Date, Boolean: l.Boolean}
	if l.Select == nil && l.MultiSelect == nil {
		return v, nil
	}
	opts, ok := options[l.ID]
	if !ok {
		if err := json.Unmarshal([]byte(deref(l.Options)), &opts); err != nil {
			return nil, fmt.Errorf("custom field %d options: %w", l.ID, err)
		}
		options[l.ID] = opts
	}
	if l.Select != nil {
		if o, ok := opts.Option(*l.Select); ok {
			v.Select = &option{ID: o.ID, Label: o.Label}
		}
	}
	if l.MultiSelect != nil {
		var ids []int64
		if err := json.Unmarshal([]byte(*l.MultiSelect), &ids); err != nil {
			return nil, fmt.Errorf("multi-select value of field %d: %w", l.ID, err)
		}
		v.MultiSelect = []option{}
		for _, id := range ids {
			if o, ok := opts.Option(id); ok {
				v.MultiSelect = append(v.MultiSelect, option{ID: o.ID, Label: o.Label})
			}
		}
	}
	return v, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
