package rest

// Seed 002: a partner's company relationships, OData style.

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var partnerSegment = regexp.MustCompile(`^Partners\(([^()]*)\)$`)

// maxSkip bounds $skip: the graph pages by cursor, so skipping walks pages.
const maxSkip = 10000

// Relationship is seed 002's resource.
type Relationship struct {
	RelationshipID int64  `json:"RelationshipId"`
	CreatedUtc     string `json:"CreatedUtc"`
	CompanyID      int64  `json:"CompanyId"`
	CompanyName    string `json:"CompanyName"`
}

func partnerCompanies(c *call) (int, any, error) {
	// The query is validated before the path's partner is looked up.
	if err := onlyOptions(c.r, "$skip", "$top"); err != nil {
		return 0, nil, err
	}
	skip, err := queryInt(c.r, "$skip", 0, 0, maxSkip)
	if err != nil {
		return 0, nil, err
	}
	top, err := queryInt(c.r, "$top", 20, 0, 100)
	if err != nil {
		return 0, nil, err
	}
	m := partnerSegment.FindStringSubmatch(c.r.PathValue("partner"))
	if m == nil {
		return 0, nil, errNotFound("Partner")
	}
	partner, ok := positiveID(m[1])
	if !ok {
		return 0, nil, errNotFound("Partner")
	}
	out := []Relationship{}
	vars := map[string]any{"id": globalID("Partner", partner)}
	seen := 0
	for seen < skip+top {
		vars["first"] = min(100, skip+top-seen)
		var data struct {
			Partner struct {
				Relationships struct {
					PageInfo struct {
						HasNextPage bool
						EndCursor   *string
					}
					Nodes []struct {
						DatabaseID int64     `json:"databaseId"`
						CreatedAt  time.Time `json:"createdAt"`
						Company    struct {
							DatabaseID int64 `json:"databaseId"`
							Name       string
						}
					}
				}
			}
		}
		if err := c.run(`query($id: ID!, $first: Int!, $after: String) { partner(id: $id) { relationships(first: $first, after: $after) {
			pageInfo { hasNextPage endCursor } nodes { databaseId createdAt company { databaseId name } } } } }`, vars, &data); err != nil {
			return 0, nil, err
		}
		for _, n := range data.Partner.Relationships.Nodes {
			if seen >= skip {
				out = append(out, Relationship{RelationshipID: n.DatabaseID, CreatedUtc: n.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
					CompanyID: n.Company.DatabaseID, CompanyName: n.Company.Name})
			}
			seen++
		}
		if !data.Partner.Relationships.PageInfo.HasNextPage || top == 0 {
			break
		}
		vars["after"] = *data.Partner.Relationships.PageInfo.EndCursor
	}
	return http.StatusOK, out, nil
}

// onlyOptions refuses a system query option (a query parameter named with
// a leading $) other than the route's: "If a data service does not support
// a system query option, it MUST reject any requests which contain the
// unsupported option" (MS-ODATA §2.2.3.6.1). Ignored, $filter or $orderby
// would answer rows or an order the client did not ask for as if it had.
// Custom query options (no $) are left alone, as OData lets a service.
func onlyOptions(r *http.Request, known ...string) error {
	var unknown []string
	for name := range r.URL.Query() {
		if strings.HasPrefix(name, "$") && !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	slices.Sort(unknown)
	return badRequest(unknown[0], "%s is not supported here; this route takes %s.", unknown[0], strings.Join(known, " and "))
}

// queryInt reads the query option name, an integer from lo to hi, def when
// absent. OData forbids giving a system query option twice (OData 4.01
// URL Conventions §5.1: "A system query option MUST NOT be specified more
// than once"): a second $top is refused, never silently preferred.
func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	vs := r.URL.Query()[name]
	if len(vs) > 1 {
		return 0, badRequest(name, "%s may be given once.", name)
	}
	v := ""
	if len(vs) == 1 {
		v = vs[0]
	}
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, badRequest(name, "%s must be an integer from %d to %d.", name, lo, hi)
	}
	return n, nil
}
