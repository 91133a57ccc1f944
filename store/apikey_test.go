package store_test

import (
	"context"
	"testing"
	"time"

	pg "partnergraph"
	"partnergraph/pgtest"
	"partnergraph/store"
)

// TestRevokedKeyIsRefused: a key revoked through this process is refused
// at once; one revoked by another process (here, SQL from a connection of
// its own) is refused once the second this process trusts a key row it
// read has passed (README, The API).
func TestRevokedKeyIsRefused(t *testing.T) {
	pgtest.EachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		dsn := pgtest.DSN(t, dialect)
		db, err := store.Open(ctx, dsn, store.Options{SecretKey: pgtest.SecretKey})
		pgtest.Must(t, err)
		defer db.Close()
		a := ownerOf(t, db, "Owner")
		u, err := db.CreateUser(ctx, a, pg.UserCreate{Name: "Ada", Email: "ada@example.com", Role: pg.RoleAdmin})
		pgtest.Must(t, err)
		newKey := func() (*pg.APIKey, string) {
			k, secret, err := db.CreateAPIKey(ctx, a, pg.APIKeyCreate{UserID: u.ID, Name: "k", Permission: pg.PermissionWrite})
			pgtest.Must(t, err)
			if _, _, err := db.Authenticate(ctx, secret); err != nil {
				t.Fatalf("a fresh key: %v", err)
			}
			return k, secret
		}
		refused := func(when, secret string) {
			t.Helper()
			if _, _, err := db.Authenticate(ctx, secret); pg.ErrorCode(err) != pg.Unauthenticated {
				t.Fatalf("%s: the revoked key authenticates (%v)", when, err)
			}
		}

		k, secret := newKey()
		_, err = db.RevokeAPIKey(ctx, a, k.ID)
		pgtest.Must(t, err)
		refused("revoked by this process", secret)

		k, secret = newKey()
		raw := rawDB(t, dialect, dsn)
		mustExec(t, raw, raw.Rebind(`UPDATE api_keys SET revoked_at = ? WHERE id = ?`), time.Now().UTC(), k.ID)
		time.Sleep(time.Second + 100*time.Millisecond)
		refused("revoked by another process a second ago", secret)
	})
}
