package rest_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// TestIdempotencyKeys sends every kind of write request of the seeds with
// an Idempotency-Key twice: the retry gets the first answer, status and
// body, without acting again; the key with another request is 422 in the
// route's format.
func TestIdempotencyKeys(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		env := pgtest.New(t, dialect)
		c := client{env: env, t: t}
		f := newFixture(t, env, "Acme")
		ctx := context.Background()
		business := env.Org(t, "Business")
		ps, err := env.DB.CreatePartnership(ctx, f.org.Actor(), pg.PartnershipCreate{PartnerID: f.partner.ID})
		check(t, err)
		other, err := env.DB.CreatePartner(ctx, f.org.Actor(), pg.PartnerCreate{CompanyName: "Other", Email: "o@example.com",
			PartnerType: pg.PartnerTypeSupplier, SalesAmount: 1, Frequency: "m", PaymentTerms: "n"})
		check(t, err)
		jsonAPI := []string{"Content-Type", "application/vnd.api+json"}
		connect := func(login string) string { return connectDoc(login, business.UUID, f.partner.UUID) }
		headers004 := []string{"Requester-Organization-ID", f.org.UUID, "Target-Organization-ID", f.org.UUID}
		cases := []struct {
			name, method, path, body, otherBody string
			header                              []string
			status                              int
			mismatch                            string
		}{
			{"004/Create", "POST", "/partners", seed004Example, strings.Replace(seed004Example, "jsmith", "other", 1), headers004, 200,
				`{"detail":[{"loc":["header","Idempotency-Key"]`},
			{"004/Invalid", "POST", "/partners", `{}`, `{"company_name": 1}`, headers004, 422, `"loc":["header","Idempotency-Key"]`},
			{"000/Create", "POST", fmt.Sprintf("/v1/projects/%d/partnerships", f.project.ID), fmt.Sprintf(`{"partner_id": %d}`, other.ID),
				fmt.Sprintf(`{"partner_id": %d, "is_default": true}`, other.ID), nil, 201, `{"error":{"code":"BAD_USER_INPUT","field":"Idempotency-Key"`},
			{"000/Duplicate", "POST", fmt.Sprintf("/v1/projects/%d/partnerships", f.project.ID), fmt.Sprintf(`{"partner_id": %d}`, other.ID),
				`{}`, nil, 409, `"field":"Idempotency-Key"`},
			{"000/Patch", "PATCH", fmt.Sprintf("/v1/partnerships/%d", ps.ID), `{"is_support": true}`, `{"is_support": false}`, nil, 200,
				`"field":"Idempotency-Key"`},
			{"001/Patch", "PATCH", fmt.Sprintf("/api/v1/partnerships/%d", ps.ID), `{"fallbackData": {"name": "A"}}`, `{"fallbackData": {"name": "B"}}`, nil, 200,
				`{"error":"This Idempotency-Key was sent before with another request; send a new key with a new request."}`},
			{"003/Connect", "POST", "/api/v1/partner_integrations/connect", connect("first"), connect("second"), jsonAPI, 201,
				`"source":{"header":"Idempotency-Key"}`},
			{"003/Disconnect", "DELETE", "/api/v1/partner_integrations/disconnect", connect("first"), connect("x") + " ", jsonAPI, 200,
				`"status":"422"`},
			{"000/Delete", "DELETE", fmt.Sprintf("/v1/partnerships/%d", ps.ID), "", "", nil, 204, ""},
		}
		for i, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				key := fmt.Sprintf("key-%d-%s", i, dialect)
				header := append([]string{"Idempotency-Key", key}, tc.header...)
				first := c.do(tc.method, tc.path, f.org.Write, tc.body, header...)
				first.expect(t, tc.status)
				if first.header.Get("Idempotent-Replayed") != "" {
					t.Fatal("a first answer says it is replayed")
				}
				before := env.Snapshot(t, f.org.ID)
				again := c.do(tc.method, tc.path, f.org.Write, tc.body, header...)
				if again.status != first.status || string(again.body) != string(first.body) || again.header.Get("Content-Type") != first.header.Get("Content-Type") {
					t.Fatalf("retry answered %d %s, first %d %s", again.status, again.body, first.status, first.body)
				}
				if again.header.Get("Idempotent-Replayed") != "true" {
					t.Fatal("the retry does not say it is replayed")
				}
				if env.Snapshot(t, f.org.ID) != before {
					t.Fatal("the retry acted again")
				}
				if tc.mismatch != "" {
					c.do(tc.method, tc.path, f.org.Write, tc.otherBody, header...).expect(t, 422, tc.mismatch)
					if env.Snapshot(t, f.org.ID) != before {
						t.Fatal("the key with another request acted")
					}
				}
			})
		}

		t.Run("PerAPIKey", func(t *testing.T) {
			_, second, err := env.DB.CreateAPIKey(ctx, f.org.Actor(), storeKey(f.org.Admin.ID, pg.PermissionWrite))
			check(t, err)
			a := c.do("POST", "/partners", f.org.Write, seed004Example, "Idempotency-Key", "shared", "Requester-Organization-ID", f.org.UUID, "Target-Organization-ID", f.org.UUID)
			b := c.do("POST", "/partners", second, seed004Example, "Idempotency-Key", "shared", "Requester-Organization-ID", f.org.UUID, "Target-Organization-ID", f.org.UUID)
			a.expect(t, 200)
			b.expect(t, 200)
			if string(a.body) == string(b.body) || b.header.Get("Idempotent-Replayed") != "" {
				t.Fatal("another API key's request with the same Idempotency-Key was answered from the first's")
			}
		})
		t.Run("MalformedKey", func(t *testing.T) {
			before := env.Snapshot(t, f.org.ID)
			for _, key := range []string{`""`, strings.Repeat("k", 256), "caf\u00e9", `"unterminated`} {
				c.do("PATCH", fmt.Sprintf("/api/v1/partnerships/%d", ps.ID), f.org.Write, `{"tierId": null}`, "Idempotency-Key", key).
					expect(t, 400, `{"error":"Idempotency-Key`)
			}
			if env.Snapshot(t, f.org.ID) != before {
				t.Fatal("a refused request changed data")
			}
		})
		t.Run("QuotedKeyIsTheSameKey", func(t *testing.T) {
			path := fmt.Sprintf("/v1/projects/%d/partnerships", f.project.ID)
			p, err := env.DB.CreatePartner(ctx, f.org.Actor(), pg.PartnerCreate{CompanyName: "Quoted", Email: "q@example.com",
				PartnerType: pg.PartnerTypeSupplier, SalesAmount: 1, Frequency: "m", PaymentTerms: "n"})
			check(t, err)
			body := fmt.Sprintf(`{"partner_id": %d}`, p.ID)
			c.do("POST", path, f.org.Write, body, "Idempotency-Key", "8e03978e-40d5-43e8-bc93-6894a57f9324").expect(t, 201)
			r := c.do("POST", path, f.org.Write, body, "Idempotency-Key", `"8e03978e-40d5-43e8-bc93-6894a57f9324"`)
			r.expect(t, 201)
			if r.header.Get("Idempotent-Replayed") != "true" {
				t.Fatal("the key as a Structured Field string is another key")
			}
		})

		// Another process on the same database, and a process started
		// after this one stopped, answer the retry from the first answer.
		first := c.do("POST", "/partners", f.org.Write, seed004Example, "Idempotency-Key", "across", "Requester-Organization-ID", f.org.UUID, "Target-Organization-ID", f.org.UUID)
		first.expect(t, 200)
		retry := func(t *testing.T, e *pgtest.Env) {
			t.Helper()
			before := env.Snapshot(t, f.org.ID)
			r := client{env: e, t: t}.do("POST", "/partners", f.org.Write, seed004Example, "Idempotency-Key", "across", "Requester-Organization-ID", f.org.UUID, "Target-Organization-ID", f.org.UUID)
			if r.status != 200 || string(r.body) != string(first.body) || r.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("retry: %d %s", r.status, r.body)
			}
			if env.Snapshot(t, f.org.ID) != before {
				t.Fatal("the retry acted again")
			}
		}
		t.Run("AnotherProcess", func(t *testing.T) {
			retry(t, &pgtest.Env{DB: env.DB, Server: env.Another(t), DSN: env.DSN})
		})
		t.Run("AfterARestart", func(t *testing.T) {
			env.Server.Close()
			db, err := store.Open(ctx, env.DSN, store.Options{SecretKey: pgtest.SecretKey})
			check(t, err)
			defer db.Close()
			_, srv := pgtest.Serve(t, db, slog.New(slog.DiscardHandler))
			retry(t, &pgtest.Env{DB: db, Server: srv, DSN: env.DSN})
		})
	})
}
