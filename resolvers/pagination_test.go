package resolvers_test

import (
	"fmt"
	"strings"
	"testing"

	"partnergraph/pgtest"
)

type page struct {
	Partners struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
		Edges []struct {
			Cursor string
			Node   struct{ CompanyName string }
		}
	}
}

// TestKeysetPaginationWalksEveryItemOnce pages forward and backward through
// partners in each ordering: every item appears exactly once, in order.
func TestKeysetPaginationWalksEveryItemOnce(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		const n = 23
		for i := 0; i < n; i++ {
			// Names repeat, so the id tie-break is what keeps the order total.
			w.partner(t, env, fmt.Sprintf("Partner %02d", i%7))
		}
		const q = `query($first: Int, $after: String, $last: Int, $before: String, $order: PartnerOrder) {
			partners(first: $first, after: $after, last: $last, before: $before, orderBy: $order) {
				totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { companyName } } } }`
		for _, order := range []map[string]any{
			nil,
			{"field": "COMPANY_NAME", "direction": "ASC"},
			{"field": "COMPANY_NAME", "direction": "DESC"},
			{"field": "CREATED_AT", "direction": "DESC"},
			{"field": "SALES_AMOUNT", "direction": "ASC"},
		} {
			t.Run(fmt.Sprint(order), func(t *testing.T) {
				var forward []string
				vars := map[string]any{"first": 5, "order": order}
				for pages := 0; ; pages++ {
					var p page
					env.Query(t, w.org.Read, q, vars, &p)
					if p.Partners.TotalCount != n {
						t.Fatalf("totalCount %d", p.Partners.TotalCount)
					}
					for _, e := range p.Partners.Edges {
						forward = append(forward, e.Cursor+"|"+e.Node.CompanyName)
					}
					if pages > 0 && !p.Partners.PageInfo.HasPreviousPage {
						t.Fatalf("a page after the first must have a previous page")
					}
					if !p.Partners.PageInfo.HasNextPage {
						break
					}
					vars["after"] = *p.Partners.PageInfo.EndCursor
				}
				if len(forward) != n {
					t.Fatalf("walked %d items forward, want %d", len(forward), n)
				}
				var backward []string
				vars = map[string]any{"last": 4, "order": order}
				for {
					var p page
					env.Query(t, w.org.Read, q, vars, &p)
					var chunk []string
					for _, e := range p.Partners.Edges {
						chunk = append(chunk, e.Cursor+"|"+e.Node.CompanyName)
					}
					backward = append(chunk, backward...)
					if !p.Partners.PageInfo.HasPreviousPage {
						break
					}
					vars["before"] = *p.Partners.PageInfo.StartCursor
				}
				if fmt.Sprint(backward) != fmt.Sprint(forward) {
					t.Fatalf("backward walk differs from forward walk:\n%v\n%v", backward, forward)
				}
				if order != nil && order["field"] == "COMPANY_NAME" {
					for i := 1; i < len(forward); i++ {
						a, b := strings.SplitN(forward[i-1], "|", 2)[1], strings.SplitN(forward[i], "|", 2)[1]
						if (order["direction"] == "ASC" && a > b) || (order["direction"] == "DESC" && a < b) {
							t.Fatalf("out of order: %q before %q", a, b)
						}
					}
				}
				seen := map[string]bool{}
				for _, c := range forward {
					if seen[c] {
						t.Fatalf("item %s seen twice", c)
					}
					seen[c] = true
				}
			})
		}
	})
}

// TestCursorOfAnotherOrdering: a cursor from one ordering, sent with
// another, is refused on the argument that carried it.
func TestCursorOfAnotherOrdering(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		for i := range 3 {
			w.partner(t, env, fmt.Sprintf("Partner %d", i))
		}
		var p page
		env.Query(t, w.org.Read, `{ partners(first: 1, orderBy: {field: COMPANY_NAME}) { edges { cursor } } }`, nil, &p)
		cursor := p.Partners.Edges[0].Cursor
		for _, arg := range []string{"after", "before"} {
			q := fmt.Sprintf(`query($c: String) { partners(%s: $c, orderBy: {field: SALES_AMOUNT}) { totalCount } }`, arg)
			e := env.MustFail(t, w.org.Read, q, map[string]any{"c": cursor}, "BAD_USER_INPUT", arg)
			if !strings.Contains(e.Message, "another ordering") {
				t.Fatalf("%s: %s", arg, e.Message)
			}
		}
	})
}
