package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var apiKeyCols = []string{"id", "uuid", "organization_id", "user_id", "name", "permission", "prefix", "hash",
	"expires_at", "last_used_at", "revoked_at", "created_at", "updated_at"}

// keyPrefix starts every API key, so leaked keys are easy to find by scanners.
const keyPrefix = "pgk_"

// lastUsedGranularity bounds how often a key's lastUsedAt is written: a write
// per request would serialize every read behind the single writer.
const lastUsedGranularity = time.Minute

// hashKey returns the stored form of a key. Keys are 256 random bits, so a
// fast hash is enough: there is nothing to brute-force.
func hashKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// newSecret returns a fresh random token with prefix.
func newSecret(prefix string) string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return prefix + hex.EncodeToString(b)
}

// CreateAPIKey creates a key for a user of the organization a acts on and
// returns it with its secret, which is stored only as a hash.
func (db *DB) CreateAPIKey(ctx context.Context, a pg.Actor, c pg.APIKeyCreate) (*pg.APIKey, string, error) {
	if err := c.Validate(); err != nil {
		return nil, "", err
	}
	if c.ExpiresAt != nil && !c.ExpiresAt.After(db.now()) {
		return nil, "", pg.InvalidField("expiresAt", "expiresAt must be in the future.")
	}
	secret := newSecret(keyPrefix)
	var k *pg.APIKey
	err := db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.get(ctx, &n, `SELECT COUNT(*) FROM users WHERE id = ? AND organization_id = ?`, c.UserID, a.OrganizationID); err != nil {
			return err
		}
		if n == 0 {
			return &pg.Error{Code: pg.NotFound, Field: "userId", Message: "User not found."}
		}
		k = &pg.APIKey{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, UserID: c.UserID, Name: c.Name,
			Permission: c.Permission, Prefix: secret[:len(keyPrefix)+8], Hash: hashKey(secret), ExpiresAt: c.ExpiresAt,
			CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		k.ID, err = tx.insert(ctx, `INSERT INTO api_keys (uuid, organization_id, user_id, name, permission, prefix, hash, expires_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			k.UUID, k.OrganizationID, k.UserID, k.Name, k.Permission, k.Prefix, k.Hash, k.ExpiresAt, k.CreatedAt, k.UpdatedAt)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "api_key.created", resourceType: "ApiKey", resourceID: k.ID, after: k})
	})
	if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

// Authenticate returns the key and its user for a secret. A missing,
// unknown, revoked or expired key is UNAUTHENTICATED, all alike. A key row
// read within keyTrust is trusted without reading it again (see keyCache).
func (db *DB) Authenticate(ctx context.Context, secret string) (*pg.APIKey, *pg.User, error) {
	unauthenticated := pg.Errorf(pg.Unauthenticated, "Invalid API key.")
	if !strings.HasPrefix(secret, keyPrefix) || len(secret) > 200 {
		return nil, nil, unauthenticated
	}
	hash := hashKey(secret)
	row, ok := db.keys.get(hash)
	if !ok {
		read := time.Now()
		err := db.read().get(ctx, &row, `SELECT `+qualify("k", apiKeyCols)+`, u.role FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.hash = ?`, hash)
		if err != nil {
			if notFound(err, "") != err {
				return nil, nil, unauthenticated
			}
			return nil, nil, err
		}
		db.keys.put(hash, row, read)
		db.keyReads.Add(1)
	}
	k := row.APIKey
	now := db.now()
	if k.RevokedAt != nil || (k.ExpiresAt != nil && !k.ExpiresAt.After(now)) {
		return nil, nil, unauthenticated
	}
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > lastUsedGranularity {
		if err := db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, tx.now, k.ID)
			return err
		}); err != nil {
			return nil, nil, err
		}
		db.keys.used(hash, now)
	}
	return &k, &pg.User{ID: k.UserID, OrganizationID: k.OrganizationID, Role: row.Role}, nil
}

// KeyReads returns how many times Authenticate read a key row: the part
// of Statements that depends on how long ago each key was last read.
func (db *DB) KeyReads() int64 { return db.keyReads.Load() }

// keyTrust is how long a process trusts a key row it read: a key revoked
// by another process (another gateway on the same database, the apikey
// revoke command) is refused within it. This process forgets its rows as
// it revokes a key.
const keyTrust = time.Second

// keyRow is a key as authentication reads it, with its user's role.
type keyRow struct {
	pg.APIKey
	Role pg.Role `db:"role"`
}

// keyCache holds the key rows this process read lately, by hash, so a
// client sending many requests a second costs one read of its key a
// second, not one per request. Unknown keys are never held.
type keyCache struct {
	mu   sync.Mutex
	rows map[string]cachedKey
}

type cachedKey struct {
	row  keyRow
	read time.Time
}

// keyCacheSize is how many rows the cache holds before it drops those
// past their trust.
const keyCacheSize = 1024

// get returns the row of hash when it was read within keyTrust.
func (c *keyCache) get(hash string) (keyRow, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.rows[hash]
	if !ok || time.Since(e.read) > keyTrust {
		return keyRow{}, false
	}
	return e.row, true
}

// put holds row, read at read.
func (c *keyCache) put(hash string, row keyRow, read time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.rows == nil {
		c.rows = map[string]cachedKey{}
	}
	if len(c.rows) >= keyCacheSize {
		for h, e := range c.rows {
			if time.Since(e.read) > keyTrust {
				delete(c.rows, h)
			}
		}
		if len(c.rows) >= keyCacheSize {
			clear(c.rows)
		}
	}
	c.rows[hash] = cachedKey{row: row, read: read}
}

// used records that the key of hash was stamped last used at t.
func (c *keyCache) used(hash string, t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.rows[hash]; ok {
		e.row.LastUsedAt = &t
		c.rows[hash] = e
	}
}

// forget drops every row: a key changed.
func (c *keyCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.rows)
}

// APIKey returns a key of the organization a acts on.
func (db *DB) APIKey(ctx context.Context, a pg.Actor, id int64) (*pg.APIKey, error) {
	var k pg.APIKey
	err := db.read().get(ctx, &k, `SELECT `+strings.Join(apiKeyCols, ", ")+` FROM api_keys WHERE id = ? AND organization_id = ?`, id, a.OrganizationID)
	return &k, notFound(err, "API key")
}

// APIKeys lists the keys of the organization a acts on.
func (db *DB) APIKeys(ctx context.Context, a pg.Actor, p pg.PageRequest) (pg.List[*pg.APIKey], error) {
	return list(ctx, db.read(), listSpec[*pg.APIKey]{
		table: "api_keys", cols: apiKeyCols, where: []string{"t.organization_id = ?"}, args: []any{a.OrganizationID},
		order: byID[*pg.APIKey](), id: func(k *pg.APIKey) int64 { return k.ID },
	}, p)
}

// RevokeAPIKey revokes a key; revoking a revoked key changes nothing.
func (db *DB) RevokeAPIKey(ctx context.Context, a pg.Actor, id int64) (*pg.APIKey, error) {
	err := db.inTx(ctx, func(tx *Tx) error { return revocableAPIKeys.revoke(ctx, tx, a, id) })
	// Forgotten even on an error: the revocation may have committed.
	db.keys.forget()
	if err != nil {
		return nil, err
	}
	return db.APIKey(ctx, a, id)
}

func qualify(alias string, cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = alias + "." + c
	}
	return strings.Join(q, ", ")
}
