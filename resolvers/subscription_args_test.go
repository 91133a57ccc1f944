package resolvers_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
)

// TestPartnershipEventsTakesOneSubject: partnershipEvents follows a partner
// or a partnership. Given both it would follow one and leave the other
// unchecked, so both, like neither, are refused naming the argument, over
// either transport, before anything is followed.
func TestPartnershipEventsTakesOneSubject(t *testing.T) {
	env := pgtest.New(t, "sqlite")
	org := env.Org(t, "Acme")
	partner, partnership := pg.GlobalID("Partner", 1), pg.GlobalID("Partnership", 1)
	for _, tc := range []struct {
		name, args, field string
	}{
		{"both", `(partnerId: "` + partner + `", partnershipId: "` + partnership + `")`, "partnershipId"},
		{"neither", ``, "partnerId"},
	} {
		for _, transport := range []string{pgtest.SSE, pgtest.WebSocket} {
			t.Run(tc.name+"/"+transport, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				query := `subscription { partnershipEvents` + tc.args + ` { type } }`
				err := pgtest.Subscribe(ctx, transport, env.Server.URL, org.Read, query, func(json.RawMessage) {
					t.Error("an event reached a refused subscription")
				})
				if err == nil || !strings.Contains(err.Error(), `"BAD_USER_INPUT"`) || !strings.Contains(err.Error(), `"`+tc.field+`"`) {
					t.Fatalf("want BAD_USER_INPUT naming %s, got %v", tc.field, err)
				}
			})
		}
	}
}
