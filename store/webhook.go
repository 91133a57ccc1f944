package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var endpointCols = []string{"id", "uuid", "organization_id", "url", "description", "event_types", "secret_encrypted",
	"previous_secret_encrypted", "previous_secret_expires_at", "enabled", "disabled_reason", "failing_since", "created_at", "updated_at"}

const (
	secretPurpose = "webhook_endpoints.secret"
	// secretGrace is how long a rotated-out secret still signs deliveries,
	// so receivers can switch without dropping any.
	secretGrace = 24 * time.Hour
)

// newWebhookSecret returns a Standard Webhooks secret: whsec_ and 32 random
// bytes in base64.
func newWebhookSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// getEndpoint reads an endpoint of the organization a acts on; lock, in a
// write transaction, locks it until the transaction ends.
func (db *DB) getEndpoint(ctx context.Context, r runner, a pg.Actor, id int64, lock bool) (*pg.WebhookEndpoint, error) {
	var e pg.WebhookEndpoint
	q := `SELECT ` + strings.Join(endpointCols, ", ") + ` FROM webhook_endpoints WHERE id = ? AND organization_id = ?`
	if lock {
		q += db.dialect.forUpdate()
	}
	err := r.get(ctx, &e, q, id, a.OrganizationID)
	if err != nil {
		return nil, notFound(err, "Webhook endpoint")
	}
	return &e, nil
}

// WebhookEndpoint returns an endpoint of the organization a acts on.
func (db *DB) WebhookEndpoint(ctx context.Context, a pg.Actor, id int64) (*pg.WebhookEndpoint, error) {
	return db.getEndpoint(ctx, db.read(), a, id, false)
}

// WebhookEndpoints lists the organization's endpoints.
func (db *DB) WebhookEndpoints(ctx context.Context, a pg.Actor, p pg.PageRequest) (pg.List[*pg.WebhookEndpoint], error) {
	return list(ctx, db.read(), listSpec[*pg.WebhookEndpoint]{table: "webhook_endpoints", cols: endpointCols,
		where: []string{"t.organization_id = ?"}, args: []any{a.OrganizationID},
		order: byID[*pg.WebhookEndpoint](), id: func(e *pg.WebhookEndpoint) int64 { return e.ID }}, p)
}

// CreateWebhookEndpoint creates an endpoint and returns its signing secret,
// shown this once. The caller has checked the URL may be called.
func (db *DB) CreateWebhookEndpoint(ctx context.Context, a pg.Actor, c pg.WebhookEndpointCreate) (*pg.WebhookEndpoint, string, error) {
	if err := c.Validate(); err != nil {
		return nil, "", err
	}
	secret := newWebhookSecret()
	sealed, err := db.seal(secret, secretPurpose)
	if err != nil {
		return nil, "", pg.InternalError(err)
	}
	e := &pg.WebhookEndpoint{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, URL: c.URL, EventTypes: pg.StringList{},
		SecretEncrypted: sealed, Enabled: true}
	if c.Description != nil {
		e.Description = *c.Description
	}
	if c.EventTypes != nil {
		e.EventTypes = c.EventTypes
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		e.CreatedAt, e.UpdatedAt = tx.now, tx.now
		var err error
		e.ID, err = tx.insert(ctx, `INSERT INTO webhook_endpoints (uuid, organization_id, url, description, event_types, secret_encrypted, enabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.UUID, e.OrganizationID, e.URL, e.Description, e.EventTypes, e.SecretEncrypted, e.Enabled, e.CreatedAt, e.UpdatedAt)
		if err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "webhook_endpoint.created", resourceType: "WebhookEndpoint", resourceID: e.ID, after: e})
	})
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// endpointKind describes webhook endpoints to their updates.
var endpointKind = kind[pg.WebhookEndpoint]{resourceType: "WebhookEndpoint", event: "webhook_endpoint",
	id: func(e *pg.WebhookEndpoint) int64 { return e.ID }, org: func(e *pg.WebhookEndpoint) int64 { return e.OrganizationID },
	updatedAt: func(e *pg.WebhookEndpoint) *time.Time { return &e.UpdatedAt }}

// UpdateWebhookEndpoint changes an endpoint; enabling it again clears its
// failure state; rotating returns the new secret while the old one keeps
// signing for a grace period.
func (db *DB) UpdateWebhookEndpoint(ctx context.Context, a pg.Actor, id int64, u pg.WebhookEndpointUpdate) (*pg.WebhookEndpoint, string, error) {
	var secret string
	if u.RotateSecret {
		secret = newWebhookSecret()
	}
	e, err := withTx(ctx, db, func(tx *Tx) (*pg.WebhookEndpoint, error) { return db.updateEndpoint(ctx, tx, a, id, u, secret) })
	if err != nil {
		return nil, "", err
	}
	return e, secret, nil
}

// updateEndpoint applies u to an endpoint and, when secret is set, makes
// it the endpoint's signing secret.
func (db *DB) updateEndpoint(ctx context.Context, tx *Tx, a pg.Actor, id int64, u pg.WebhookEndpointUpdate, secret string) (*pg.WebhookEndpoint, error) {
	before, err := db.getEndpoint(ctx, tx.runner, a, id, true)
	if err != nil {
		return nil, err
	}
	e := *before
	u.Apply(&e)
	if secret != "" {
		sealed, err := db.seal(secret, secretPurpose)
		if err != nil {
			return nil, pg.InternalError(err)
		}
		expires := tx.now.Add(secretGrace)
		e.PreviousSecretEncrypted, e.PreviousSecretExpiresAt, e.SecretEncrypted = e.SecretEncrypted, &expires, sealed
	}
	return save(ctx, tx, a, endpointKind, edit[pg.WebhookEndpoint]{before: before, after: &e, hidden: secret != ""}, func() error {
		_, err := tx.exec(ctx, `UPDATE webhook_endpoints SET url = ?, description = ?, event_types = ?, enabled = ?, disabled_reason = ?,
			failing_since = ?, secret_encrypted = ?, previous_secret_encrypted = ?, previous_secret_expires_at = ?, updated_at = ? WHERE id = ?`,
			e.URL, e.Description, e.EventTypes, e.Enabled, e.DisabledReason, e.FailingSince, e.SecretEncrypted,
			e.PreviousSecretEncrypted, e.PreviousSecretExpiresAt, e.UpdatedAt, e.ID)
		return err
	})
}

// DeleteWebhookEndpoint deletes an endpoint and its delivery log.
func (db *DB) DeleteWebhookEndpoint(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := deleteOwned(ctx, tx, "webhook_endpoints", "Webhook endpoint", a, id); err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "webhook_endpoint.deleted", resourceType: "WebhookEndpoint", resourceID: id})
	})
}

// Delivery is a claimed delivery: the event and where to send it.
type Delivery struct {
	ID         int64 `db:"id"`
	Attempts   int   `db:"attempts"`
	EndpointID int64 `db:"endpoint_id"`
	URL        string
	// Secrets sign the delivery: the current one, and a rotated-out one
	// still in its grace period.
	Secrets      []string
	FailingSince *time.Time
	Event        pg.Event
}

// ClaimDeliveries claims up to limit due deliveries, the oldest pending one
// of each enabled endpoint (so each endpoint receives events in order), for
// lease. Several processes may claim at once: on PostgreSQL rows are locked
// with SKIP LOCKED, on SQLite the single writer serializes claims.
func (db *DB) ClaimDeliveries(ctx context.Context, limit int, lease time.Duration) ([]Delivery, error) {
	var out []Delivery
	err := db.inTx(ctx, func(tx *Tx) error {
		var ids []int64
		// Driven from the endpoints so the cost is one index seek per
		// endpoint however long the backlog grows.
		q := `SELECT d.id FROM webhook_endpoints e
			JOIN webhook_deliveries d ON d.id = (SELECT MIN(d2.id) FROM webhook_deliveries d2 WHERE d2.endpoint_id = e.id AND d2.status = 'PENDING')
			WHERE e.enabled = ? AND d.next_attempt_at <= ? AND (d.claimed_until IS NULL OR d.claimed_until < ?)
			ORDER BY d.id LIMIT ?` + db.dialect.skipLocked("d")
		if err := tx.all(ctx, &ids, q, true, tx.now, tx.now, limit); err != nil {
			return err
		}
		for _, id := range ids {
			var row struct {
				ID           int64      `db:"id"`
				Attempts     int        `db:"attempts"`
				EndpointID   int64      `db:"endpoint_id"`
				URL          string     `db:"url"`
				Secret       []byte     `db:"secret_encrypted"`
				Previous     []byte     `db:"previous_secret_encrypted"`
				PrevExpires  *time.Time `db:"previous_secret_expires_at"`
				FailingSince *time.Time `db:"failing_since"`
				EventID      int64      `db:"event_id"`
			}
			if err := tx.get(ctx, &row, `SELECT d.id, d.attempts, d.endpoint_id, d.event_id, e.url, e.secret_encrypted, e.previous_secret_encrypted,
				e.previous_secret_expires_at, e.failing_since FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = ?`, id); err != nil {
				return err
			}
			var ev pg.Event
			if err := tx.get(ctx, &ev, `SELECT `+strings.Join(eventCols, ", ")+` FROM events WHERE id = ?`, row.EventID); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE webhook_deliveries SET claimed_until = ?, updated_at = ? WHERE id = ?`, tx.now.Add(lease), tx.now, id); err != nil {
				return err
			}
			d := Delivery{ID: row.ID, Attempts: row.Attempts, EndpointID: row.EndpointID, URL: row.URL, FailingSince: row.FailingSince, Event: ev}
			secret, err := db.open(row.Secret, secretPurpose)
			if err != nil {
				return pg.InternalError(err)
			}
			d.Secrets = []string{secret}
			if row.Previous != nil && row.PrevExpires != nil && row.PrevExpires.After(tx.now) {
				if prev, err := db.open(row.Previous, secretPurpose); err == nil {
					d.Secrets = append(d.Secrets, prev)
				}
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// Attempt is the outcome of one delivery attempt.
type Attempt struct {
	At             time.Time
	ResponseStatus *int
	Latency        time.Duration
	Error          string
	Succeeded      bool
	// NextAttempt schedules a retry; nil gives up on the delivery.
	NextAttempt *time.Time
	// DisableReason, when set, disables the endpoint.
	DisableReason string
}

// RecordAttempt logs an attempt and moves the delivery on: done, retried
// later, or failed; it keeps the endpoint's failing-since time.
func (db *DB) RecordAttempt(ctx context.Context, d Delivery, at Attempt) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var errText *string
		if at.Error != "" {
			errText = &at.Error
		}
		if _, err := tx.exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempted_at, response_status, latency_ms, error, succeeded)
			VALUES (?, ?, ?, ?, ?, ?)`, d.ID, at.At, at.ResponseStatus, at.Latency.Milliseconds(), errText, at.Succeeded); err != nil {
			return err
		}
		status, next := "SUCCEEDED", tx.now
		switch {
		case at.Succeeded:
		case at.NextAttempt != nil:
			status, next = "PENDING", *at.NextAttempt
		default:
			status = "FAILED"
		}
		if _, err := tx.exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?, claimed_until = NULL, updated_at = ? WHERE id = ?`,
			status, next, tx.now, d.ID); err != nil {
			return err
		}
		switch {
		case at.Succeeded:
			_, err := tx.exec(ctx, `UPDATE webhook_endpoints SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`, d.EndpointID)
			return err
		case at.DisableReason != "":
			_, err := tx.exec(ctx, `UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, updated_at = ? WHERE id = ?`, false, at.DisableReason, tx.now, d.EndpointID)
			return err
		default:
			_, err := tx.exec(ctx, `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?`, at.At, d.EndpointID)
			return err
		}
	})
}

// RedeliverEvent queues the event again for every enabled endpoint that
// wants it, or only for one endpoint when given.
func (db *DB) RedeliverEvent(ctx context.Context, a pg.Actor, eventID int64, endpointID *int64) (*pg.Event, error) {
	e, err := db.Event(ctx, a, eventID)
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		endpoints, err := tx.endpoints(ctx, a.OrganizationID)
		if err != nil {
			return err
		}
		queued := 0
		for _, ep := range endpoints {
			if (endpointID != nil && ep.ID != *endpointID) || (endpointID == nil && !ep.Wants(e.Type)) {
				continue
			}
			if _, err := tx.exec(ctx, `INSERT INTO webhook_deliveries (event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
				VALUES (?, ?, 'PENDING', ?, ?, ?)`, e.ID, ep.ID, tx.now, tx.now, tx.now); err != nil {
				return err
			}
			queued++
		}
		if endpointID != nil && queued == 0 {
			return &pg.Error{Code: pg.NotFound, Field: "endpointId", Message: "Webhook endpoint not found."}
		}
		return nil
	})
	return e, err
}

// WebhookAttempts lists the delivery attempts to an endpoint, newest last.
func (db *DB) WebhookAttempts(ctx context.Context, a pg.Actor, endpointID int64, p pg.PageRequest) (pg.List[*pg.WebhookAttempt], error) {
	cols := []string{"id", "delivery_id", "event_id", "endpoint_id", "attempted_at", "response_status", "latency_ms", "error", "succeeded"}
	table := `(SELECT t.id, t.delivery_id, d.event_id, d.endpoint_id, t.attempted_at, t.response_status, t.latency_ms, t.error, t.succeeded
		FROM webhook_attempts t JOIN webhook_deliveries d ON d.id = t.delivery_id JOIN webhook_endpoints e ON e.id = d.endpoint_id
		WHERE e.organization_id = ? AND e.id = ?)`
	return list(ctx, db.read(), listSpec[*pg.WebhookAttempt]{table: table, cols: cols, args: []any{a.OrganizationID, endpointID},
		order: byID[*pg.WebhookAttempt](), id: func(w *pg.WebhookAttempt) int64 { return w.ID }}, p)
}
