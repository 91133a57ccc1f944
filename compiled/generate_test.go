package compiled_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// A generator of read operations over the schema's types: random selections
// and depths, aliases (one field twice with different arguments among them),
// inline and named fragments, node/nodes over mixed types, @skip/@include
// on variables, filters, orderings, cursors and page sizes, valid or not.

type fieldDef struct {
	name string
	typ  string // object type of the field, "" for a leaf
	args func(g *gen) string
}

var leaves = map[string][]string{
	"Partner":           {"id", "databaseId", "uuid", "companyName", "email", "partnerType", "salesAmount", "frequency", "paymentTerms", "websiteUrl", "logoSquareUuid", "countryLabel", "invitationStatus", "createdAt", "updatedAt", "__typename"},
	"Partnership":       {"id", "databaseId", "uuid", "isDefault", "isSupport", "createdAt", "updatedAt", "viewerCanReadPipeline", "viewerCanUpdatePipeline", "__typename"},
	"Project":           {"id", "databaseId", "uuid", "name", "createdAt", "updatedAt"},
	"Tier":              {"id", "databaseId", "uuid", "name", "rank", "createdAt", "updatedAt", "__typename"},
	"Category":          {"id", "databaseId", "uuid", "name", "createdAt", "updatedAt"},
	"Tag":               {"id", "databaseId", "uuid", "name", "createdAt", "updatedAt"},
	"Stage":             {"id", "databaseId", "uuid", "name", "position", "createdAt", "updatedAt"},
	"User":              {"id", "databaseId", "uuid", "name", "email", "role", "createdAt", "updatedAt"},
	"Organization":      {"id", "databaseId", "uuid", "name", "createdAt", "updatedAt", "__typename"},
	"CustomFieldValue":  {"text", "number", "date", "boolean", "updatedAt", "__typename"},
	"CustomField":       {"id", "databaseId", "uuid", "name", "type", "createdAt", "updatedAt"},
	"CustomFieldOption": {"id", "label"},
	"FallbackData":      {"name", "logoSquareUuid", "websiteUrl", "countryLabel"},
	"PageInfo":          {"hasNextPage", "hasPreviousPage", "startCursor", "endCursor", "__typename"},
	"Relationship":      {"id", "databaseId", "createdAt"},
	"Viewer":            {"permission"},
}

func objects(typ string) []fieldDef {
	partnerships := fieldDef{"partnerships", "PartnershipConnection", (*gen).partnershipArgs}
	switch typ {
	case "Partner":
		return []fieldDef{{"organization", "Organization", nil}, {"guestOrganization", "Organization", nil}, partnerships, partnerships,
			{"relationships", "RelationshipConnection", (*gen).pageArgs}}
	case "Partnership":
		return []fieldDef{{"organization", "Organization", nil}, {"partner", "Partner", nil}, {"project", "Project", nil},
			{"tier", "Tier", nil}, {"category", "Category", nil}, {"stage", "Stage", nil}, {"assignedUsers", "User", nil},
			{"tags", "Tag", nil}, {"customFieldValues", "CustomFieldValue", nil}, {"fallbackData", "FallbackData", nil}}
	case "Project":
		return []fieldDef{{"organization", "Organization", nil}, partnerships}
	case "Stage":
		return []fieldDef{{"allowedNextStages", "Stage", nil}}
	case "User":
		return []fieldDef{{"organization", "Organization", nil}}
	case "CustomFieldValue":
		return []fieldDef{{"field", "CustomField", nil}, {"select", "CustomFieldOption", nil}, {"multiSelect", "CustomFieldOption", nil}}
	case "CustomField":
		return []fieldDef{{"options", "CustomFieldOption", nil}}
	case "Viewer":
		return []fieldDef{{"user", "User", nil}, {"actingOrganization", "Organization", nil}}
	}
	if item, ok := strings.CutSuffix(typ, "Connection"); ok {
		return []fieldDef{{"nodes", item, nil}, {"edges", item + "Edge", nil}, {"pageInfo", "PageInfo", nil}, {"totalCount", "", nil}}
	}
	if item, ok := strings.CutSuffix(typ, "Edge"); ok {
		return []fieldDef{{"node", item, nil}, {"cursor", "", nil}}
	}
	return nil
}

type gen struct {
	r         *rand.Rand
	d         *dataset
	vars      map[string]any
	varDefs   []string
	fragments []string
	n         int
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) chance(pct int) bool { return g.r.IntN(100) < pct }

// variable declares a variable of typ with value v and returns its name.
func (g *gen) variable(typ string, v any) string {
	g.n++
	name := fmt.Sprintf("v%d", g.n)
	g.varDefs = append(g.varDefs, "$"+name+": "+typ)
	g.vars[name] = v
	return "$" + name
}

func (g *gen) id(typ string) string {
	if g.chance(8) {
		return g.pick(g.d.ids["bogus"])
	}
	return g.pick(g.d.ids[typ])
}

func (g *gen) size() string {
	sizes := []string{"0", "1", "2", "3", "5"}
	if g.chance(3) {
		sizes = []string{"101", "-1"}
	}
	if g.chance(25) {
		return g.variable("Int", g.r.IntN(4))
	}
	return g.pick(sizes)
}

func (g *gen) pageArgs() string {
	var args []string
	switch g.r.IntN(6) {
	case 0:
	case 1:
		args = append(args, "last: "+g.size())
	default:
		args = append(args, "first: "+g.size())
	}
	if g.chance(5) {
		args = append(args, `after: "not-a-cursor"`)
	}
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

func (g *gen) partnershipArgs() string {
	args := strings.TrimSuffix(strings.TrimPrefix(g.pageArgs(), "("), ")")
	var parts []string
	if args != "" {
		parts = append(parts, args)
	}
	if g.chance(30) {
		var f []string
		switch g.r.IntN(7) {
		case 0:
			f = append(f, fmt.Sprintf("tierId: %q", g.id("Tier")))
		case 5:
			f = append(f, fmt.Sprintf("categoryId: %q", g.id("Category")))
		case 6:
			f = append(f, fmt.Sprintf("assignedUserId: %q", g.id("User")))
		case 1:
			f = append(f, "isDefault: false")
		case 2:
			f = append(f, fmt.Sprintf("stageId: %q", g.id("Stage")))
		case 3:
			f = append(f, fmt.Sprintf("updatedSince: %q", g.pick([]string{"2000-01-01T00:00:00Z", "yesterday"})))
		default:
			f = append(f, fmt.Sprintf("tagId: %q", g.id("Tag")))
		}
		parts = append(parts, "filter: {"+strings.Join(f, ", ")+"}")
	}
	if g.chance(25) {
		parts = append(parts, fmt.Sprintf("orderBy: {field: %s, direction: %s}", g.pick([]string{"CREATED_AT", "UPDATED_AT"}), g.pick([]string{"ASC", "DESC"})))
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// directive returns a @skip or @include, sometimes.
func (g *gen) directive() string {
	if !g.chance(10) {
		return ""
	}
	d := g.pick([]string{"skip", "include"})
	if g.chance(30) {
		return fmt.Sprintf(" @%s(if: %v)", d, g.chance(50))
	}
	return fmt.Sprintf(" @%s(if: %s)", d, g.variable("Boolean!", g.chance(50)))
}

// selection returns a selection set on typ, depth levels deep at most.
func (g *gen) selection(typ string, depth int) string {
	var out []string
	leaf := leaves[typ]
	objs := objects(typ)
	n := 1 + g.r.IntN(4)
	for range n {
		if len(objs) > 0 && depth > 0 && (len(leaf) == 0 || g.chance(45)) {
			f := objs[g.r.IntN(len(objs))]
			args := ""
			if f.args != nil {
				args = f.args(g)
			}
			alias := ""
			if g.chance(20) || f.args != nil {
				alias = fmt.Sprintf("a%d: ", g.r.IntN(1000))
			}
			if f.typ == "" {
				out = append(out, alias+f.name+args+g.directive())
				continue
			}
			out = append(out, alias+f.name+args+g.directive()+" { "+g.selection(f.typ, depth-1)+" }")
			continue
		}
		if len(leaf) > 0 {
			name := g.pick(leaf)
			if g.chance(15) {
				name = fmt.Sprintf("l%d: %s", g.r.IntN(1000), name)
			}
			out = append(out, name+g.directive())
		}
	}
	if len(out) == 0 {
		out = append(out, "__typename")
	}
	if _, ok := leaves[typ]; ok && g.chance(10) {
		g.n++
		name := fmt.Sprintf("F%d", g.n)
		g.fragments = append(g.fragments, "fragment "+name+" on "+typ+" { "+strings.Join(out, " ")+" }")
		return "..." + name
	}
	if _, ok := leaves[typ]; ok && g.chance(10) {
		return "... on " + typ + g.directive() + " { " + strings.Join(out, " ") + " }"
	}
	return strings.Join(out, " ")
}

var roots = []struct {
	name, typ string
	args      func(g *gen) string
}{
	{"partners", "PartnerConnection", func(g *gen) string {
		a := strings.TrimSuffix(strings.TrimPrefix(g.pageArgs(), "("), ")")
		if g.chance(30) {
			a = strings.TrimPrefix(a+", filter: {partnerType: "+g.pick([]string{"CUSTOMER", "SUPPLIER"})+"}", ", ")
		}
		if g.chance(20) {
			a = strings.TrimPrefix(a+", orderBy: {field: "+g.pick([]string{"COMPANY_NAME", "SALES_AMOUNT", "UPDATED_AT"})+", direction: DESC}", ", ")
		}
		if a == "" {
			return ""
		}
		return "(" + a + ")"
	}},
	{"partnerships", "PartnershipConnection", (*gen).partnershipArgs},
	{"projects", "ProjectConnection", (*gen).pageArgs},
	{"tiers", "TierConnection", (*gen).pageArgs},
	{"categories", "CategoryConnection", (*gen).pageArgs},
	{"stages", "StageConnection", (*gen).pageArgs},
	{"tags", "TagConnection", (*gen).pageArgs},
	{"customFields", "CustomFieldConnection", (*gen).pageArgs},
	{"partner", "Partner", func(g *gen) string { return fmt.Sprintf("(id: %q)", g.id("Partner")) }},
	{"partnership", "Partnership", func(g *gen) string {
		if g.chance(30) {
			return "(id: " + g.variable("ID!", g.id("Partnership")) + ")"
		}
		return fmt.Sprintf("(id: %q)", g.id("Partnership"))
	}},
	{"node", "", func(g *gen) string {
		return fmt.Sprintf("(id: %q)", g.id(g.pick([]string{"Partner", "Partnership", "Tier", "User"})))
	}},
	{"viewer", "Viewer", func(*gen) string { return "" }},
}

// operation returns one random query document and its variables.
func operation(r *rand.Rand, d *dataset) (string, map[string]any) {
	g := &gen{r: r, d: d, vars: map[string]any{}}
	var fields []string
	for range 1 + r.IntN(3) {
		root := roots[r.IntN(len(roots))]
		if r.IntN(3) > 0 { // most operations are about partners and partnerships
			root = roots[r.IntN(2)]
		}
		args := root.args(g)
		alias := fmt.Sprintf("r%d: ", len(fields))
		var sel string
		if root.name == "node" {
			sel = "__typename id ... on Partner { " + g.selection("Partner", 2) + " } ... on Partnership { " + g.selection("Partnership", 2) + " }"
		} else {
			sel = g.selection(root.typ, 4)
		}
		fields = append(fields, alias+root.name+args+g.directive()+" { "+sel+" }")
	}
	head := "query Generated"
	if len(g.varDefs) > 0 {
		head += "(" + strings.Join(g.varDefs, ", ") + ")"
	}
	doc := head + " { " + strings.Join(fields, " ") + " }"
	if len(g.fragments) > 0 {
		doc += "\n" + strings.Join(g.fragments, "\n")
	}
	return doc, g.vars
}
