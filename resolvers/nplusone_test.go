package resolvers_test

import (
	"context"
	"testing"

	pg "partnergraph"

	"partnergraph/pgtest"
)

const nestedQuery = `query Nested($n: Int!) {
  partners(first: $n) {
    nodes {
      companyName
      partnerships(first: 10) {
        totalCount
        nodes {
          isDefault
          project { name partnerships(first: 3) { nodes { id } } }
          tier { name }
          category { name }
          stage { name allowedNextStages { name } }
          tags { name }
          assignedUsers { name organization { name } }
          customFieldValues { field { name type } text number select { label } multiSelect { label } }
          partner { companyName }
        }
      }
    }
  }
}`

// TestNestedQueryStatementsDoNotGrowWithRows proves every edge is batched:
// the nested query costs the same number of SQL statements for 5 partners
// as for 100.
func TestNestedQueryStatementsDoNotGrowWithRows(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		second, err := env.DB.CreateProject(context.Background(), w.org.Actor(), pg.ProjectCreate{Name: "Second"})
		pgtest.Must(t, err)
		for i := 0; i < 100; i++ {
			p := w.partner(t, env, "Partner "+string(rune('A'+i%26))+string(rune('a'+i/26)))
			w.partnership(t, env, p)
			w.partnershipIn(t, env, p, &second.ID)
		}
		// Warm the key's lastUsedAt, written at most once a minute, so it
		// does not count in the first measured run only.
		env.Query(t, w.org.Read, `{ viewer { permission } }`, nil, nil)

		count := func(n int) (int64, int) {
			before := env.Statements()
			var data struct {
				Partners struct {
					Nodes []struct {
						Partnerships struct {
							Nodes []struct {
								Tags              []struct{ Name string }
								CustomFieldValues []struct{ Field struct{ Name string } }
							}
						}
					}
				}
			}
			env.Query(t, w.org.Read, nestedQuery, map[string]any{"n": n}, &data)
			rows := 0
			for _, p := range data.Partners.Nodes {
				for _, ps := range p.Partnerships.Nodes {
					rows++
					if len(ps.Tags) != 2 || len(ps.CustomFieldValues) != 4 {
						t.Fatalf("partnership edges missing: %+v", ps)
					}
				}
			}
			return env.Statements() - before, rows
		}
		small, smallRows := count(5)
		large, largeRows := count(100)
		t.Logf("%s: 5 partners (%d partnerships): %d statements; 100 partners (%d partnerships): %d statements", dialect, smallRows, small, largeRows, large)
		if smallRows != 10 || largeRows != 200 {
			t.Fatalf("want 10 and 200 partnerships, got %d and %d", smallRows, largeRows)
		}
		if small != large {
			t.Fatalf("statements grew with rows: %d for 5 partners, %d for 100", small, large)
		}
	})
}

// dashboardQuery is the screen frontends build most: partners, their first
// partnerships and everything a partnership row shows.
const dashboardQuery = `query Dashboard($n: Int!) {
  partners(first: $n) {
    nodes {
      id companyName
      partnerships(first: 10) {
        nodes {
          id isDefault updatedAt
          tier { name } stage { name } category { name } project { name }
          tags { name }
          assignedUsers { name email }
          customFieldValues { field { name type } text number }
        }
      }
    }
  }
}`

// TestDashboardStatements holds the dashboard to at most 8 SQL statements,
// the same for 5 partners as for 50, authentication included.
func TestDashboardStatements(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		w := newWorld(t, env, "Acme")
		for i := range 50 {
			p := w.partner(t, env, "Dashboard "+string(rune('A'+i%26))+string(rune('a'+i/26)))
			w.partnership(t, env, p)
		}
		env.Query(t, w.org.Read, `{ viewer { permission } }`, nil, nil) // lastUsedAt, written once a minute
		count := func(n int) int64 {
			before := env.Statements()
			env.Query(t, w.org.Read, dashboardQuery, map[string]any{"n": n}, nil)
			return env.Statements() - before
		}
		small, large := count(5), count(50)
		t.Logf("%s: dashboard of 5 partners: %d statements; of 50: %d", dialect, small, large)
		if small != large || large > 8 {
			t.Fatalf("dashboard statements: %d for 5 partners, %d for 50; want the same, at most 8", small, large)
		}
	})
}
