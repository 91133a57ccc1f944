package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// TestIdempotencyKeys walks an Idempotency-Key through its life: claimed by
// its first request, held while it is answered, replayed once answered,
// refused with another request, kept per API key, forgotten after a day,
// and taken over when its holder went away without answering.
func TestIdempotencyKeys(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		dsn := pgtest.DSN(t, dialect)
		now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		db, err := store.Open(context.Background(), dsn, store.Options{SecretKey: pgtest.SecretKey, Now: clock})
		pgtest.Must(t, err)
		defer db.Close()
		ctx := context.Background()
		a := ownerOf(t, db, "Acme")
		user, err := db.CreateUser(ctx, a, pg.UserCreate{Name: "Admin", Email: "admin@acme.example", Role: pg.RoleAdmin})
		pgtest.Must(t, err)
		key1, _, err := db.CreateAPIKey(ctx, a, pg.APIKeyCreate{UserID: user.ID, Name: "one", Permission: pg.PermissionWrite})
		pgtest.Must(t, err)
		key2, _, err := db.CreateAPIKey(ctx, a, pg.APIKeyCreate{UserID: user.ID, Name: "two", Permission: pg.PermissionWrite})
		pgtest.Must(t, err)

		k := pg.IdempotencyKey{APIKeyID: key1.ID, Key: "order-7", Fingerprint: "POST /partners body A"}
		hold := func() time.Time { return clock().Add(30 * time.Second) }
		claim := func(k pg.IdempotencyKey) (*pg.StoredResponse, error) { return db.ClaimIdempotencyKey(ctx, k, hold()) }

		if got, err := claim(k); got != nil || err != nil {
			t.Fatalf("first claim: %v %v", got, err)
		}
		if _, err := claim(k); !errors.Is(err, pg.ErrIdempotencyKeyInUse) {
			t.Fatalf("while held: %v, want ErrIdempotencyKeyInUse", err)
		}
		answer := pg.StoredResponse{Status: 201, ContentType: "application/json", Body: []byte(`{"id":1}` + "\n")}
		pgtest.Must(t, db.CompleteIdempotencyKey(ctx, k, answer))
		got, err := claim(k)
		if err != nil || got == nil || got.Status != 201 || got.ContentType != answer.ContentType || string(got.Body) != string(answer.Body) {
			t.Fatalf("replay: %+v %v", got, err)
		}
		other := k
		other.Fingerprint = "POST /partners body B"
		if _, err := claim(other); !errors.Is(err, pg.ErrIdempotencyKeyReused) {
			t.Fatalf("another request: %v, want ErrIdempotencyKeyReused", err)
		}
		// The same key of another API key is another request's.
		mine := k
		mine.APIKeyID = key2.ID
		if got, err := claim(mine); got != nil || err != nil {
			t.Fatalf("another API key: %v %v", got, err)
		}
		pgtest.Must(t, db.ReleaseIdempotencyKey(ctx, mine))
		if got, err := claim(mine); got != nil || err != nil {
			t.Fatalf("after release: %v %v", got, err)
		}
		// Its holder went away without answering: once its hold has
		// passed, a retry takes it over.
		advance(31 * time.Second)
		if got, err := claim(mine); got != nil || err != nil {
			t.Fatalf("take over: %v %v", got, err)
		}
		if _, err := claim(mine); !errors.Is(err, pg.ErrIdempotencyKeyInUse) {
			t.Fatalf("taken over, then: %v", err)
		}
		// Retries arriving together: one holds the key, the others wait.
		race := pg.IdempotencyKey{APIKeyID: key1.ID, Key: "together", Fingerprint: "f"}
		var wg sync.WaitGroup
		results := make([]error, 8)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, results[i] = claim(race)
			}()
		}
		wg.Wait()
		holders := 0
		for _, err := range results {
			switch {
			case err == nil:
				holders++
			case !errors.Is(err, pg.ErrIdempotencyKeyInUse):
				t.Fatalf("concurrent claim: %v", err)
			}
		}
		if holders != 1 {
			t.Fatalf("%d concurrent claims hold the key, want 1", holders)
		}
		// A day later the key is forgotten: the request runs again.
		advance(pg.IdempotencyWindow)
		if got, err := claim(other); got != nil || err != nil {
			t.Fatalf("a day later, another request with the key: %v %v", got, err)
		}
	})
}
