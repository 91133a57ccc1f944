package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// TestRecursiveListsCostWhatTheyCanAnswer: Stage.allowedNextStages is a
// list of stages that have theirs, so a document nesting it k deep answers
// n^k stages for n connected ones. Counted once a level, as other lists
// are, a query of a few dozen points once answered millions of objects.
// Nested inside itself it counts as many times as a page can hold: the
// cost of the nesting is never below what it answers, and deep nesting is
// refused before any SQL runs.
func TestRecursiveListsCostWhatTheyCanAnswer(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		org := env.Org(t, "Acme")
		ctx := context.Background()
		var ids []int64
		for i := range 6 {
			s, err := env.DB.CreateStage(ctx, org.Actor(), pg.StageCreate{Name: fmt.Sprintf("S%d", i), Position: int32(i)})
			pgtest.Must(t, err)
			ids = append(ids, s.ID)
		}
		for _, id := range ids {
			_, err := env.DB.UpdateStage(ctx, org.Actor(), id, pg.StageUpdate{AllowedNextStageIDs: &ids})
			pgtest.Must(t, err)
		}
		h := map[string]string{"Authorization": "Bearer " + org.Read, "Content-Type": mediaJSON}
		nested := func(k int) string {
			return "{ stages(first: 6) { nodes { " + strings.Repeat("allowedNextStages { ", k) + "name" + strings.Repeat(" }", k) + " } } }"
		}
		for k := 1; k <= 6; k++ {
			before := env.Statements()
			r := send(t, env.Server.URL, "POST", "/graphql", h, gql(nested(k), nil))
			var ext struct{ Cost struct{ Requested int } }
			json.Unmarshal(r.body["extensions"], &ext)
			if r.code() != "" {
				if k == 1 {
					t.Fatalf("one level must be answered: %d %.300s", r.status, r.raw)
				}
				if r.code() != "BAD_USER_INPUT" || !strings.Contains(string(r.raw), "QUERY_LIMIT_EXCEEDED") {
					t.Fatalf("nesting %d: want the cost limit, got %d %.300s", k, r.status, r.raw)
				}
				if ran := env.Statements() - before; ran > 1 {
					t.Fatalf("nesting %d was refused after %d SQL statements", k, ran)
				}
				continue
			}
			if k >= 4 {
				t.Fatalf("nesting %d answered %d bytes for a cost of %d", k, len(r.raw), ext.Cost.Requested)
			}
			// One level is a list like the others, counted once (so the
			// answer may hold more than its cost); inside itself it counts
			// what it can answer.
			if fields := countFields(r.body["data"]); k > 1 && fields > ext.Cost.Requested {
				t.Fatalf("nesting %d answered %d fields for a cost of %d", k, fields, ext.Cost.Requested)
			}
		}
	})
}

// countFields counts the fields of a JSON answer, list items' fields
// included: what a cost of 1 a field estimates.
func countFields(raw json.RawMessage) int {
	var v any
	json.Unmarshal(raw, &v)
	var count func(v any) int
	count = func(v any) int {
		n := 0
		switch v := v.(type) {
		case map[string]any:
			for _, c := range v {
				n += 1 + count(c)
			}
		case []any:
			for _, c := range v {
				n += count(c)
			}
		}
		return n
	}
	return count(v)
}
