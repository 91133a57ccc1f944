package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/google/uuid"

	pg "partnergraph"
)

var eventCols = []string{"id", "uuid", "organization_id", "type", "resource_type", "resource_id", "actor_user_id", "payload", "created_at", "position"}

// change is what an event says happened.
type change struct {
	org          int64  // organization the event belongs to
	typ          string // resource.change
	resourceType string
	resourceID   int64
	after        any // the resource after the change (nil for deletes)
	before       any // for updates: the resource before, to list what changed
	// payload, when set, is the event's payload already built by
	// eventPayload: a mutation announcing one change under two types
	// builds it once.
	payload []byte
}

// emit writes the events of changes in the changes' transaction (the
// outbox), with one statement, and a pending delivery to each webhook
// endpoint that wants one. Payloads are built from the domain types' JSON,
// which leaves out every secret (key hashes, passwords, signing secrets).
func (tx *Tx) emit(ctx context.Context, a pg.Actor, changes ...change) error {
	var actor *int64
	if a.UserID != 0 {
		actor = &a.UserID
	}
	ids := make([]string, len(changes))
	args := make([]any, 0, 8*len(changes))
	for i, c := range changes {
		body := c.payload
		if body == nil {
			var err error
			if body, _, err = eventPayload(c.after, c.before, c.resourceID); err != nil {
				return pg.InternalError(fmt.Errorf("event %s: %w", c.typ, err))
			}
		}
		// Time-ordered UUIDs append to the events' unique index, where
		// random ones would dirty a random page of it with every event.
		id, err := uuid.NewV7()
		if err != nil {
			return pg.InternalError(fmt.Errorf("event %s: %w", c.typ, err))
		}
		ids[i] = id.String()
		args = append(args, ids[i], c.org, c.typ, c.resourceType, c.resourceID, actor, string(body), tx.now)
	}
	var rows []struct {
		ID   int64  `db:"id"`
		UUID string `db:"uuid"`
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", len(changes)), ", ")
	if err := tx.all(ctx, &rows, `INSERT INTO events (uuid, organization_id, type, resource_type, resource_id, actor_user_id, payload, created_at)
		VALUES `+values+` RETURNING id, uuid`, args...); err != nil {
		return err
	}
	// RETURNING lists the rows in no promised order.
	idOf := make(map[string]int64, len(rows))
	for _, r := range rows {
		idOf[r.UUID] = r.ID
	}
	for i, c := range changes {
		id, ok := idOf[ids[i]]
		if !ok {
			return pg.InternalError(fmt.Errorf("event %s: its insert returned no id", c.typ))
		}
		tx.events = append(tx.events, id)
		endpoints, err := tx.endpoints(ctx, c.org)
		if err != nil {
			return err
		}
		for _, e := range endpoints {
			if !e.Enabled || !e.Wants(c.typ) {
				continue
			}
			if _, err := tx.exec(ctx, `INSERT INTO webhook_deliveries (event_id, endpoint_id, status, next_attempt_at, created_at, updated_at)
				VALUES (?, ?, 'PENDING', ?, ?, ?)`, id, e.ID, tx.now, tx.now, tx.now); err != nil {
				return err
			}
		}
	}
	return nil
}

// eventPayload is an event's payload: the resource after the change (its
// id alone for deletes) and, for updates, the fields that changed. changed
// reports whether any field did; it is true for every event but an update.
func eventPayload(after, before any, resourceID int64) (payload []byte, changed bool, err error) {
	var p struct {
		Changes  any             `json:"changes,omitempty"`
		Resource json.RawMessage `json:"resource"`
	}
	if after == nil {
		after = map[string]any{"databaseId": resourceID}
	}
	if p.Resource, err = marshalRecord(after); err != nil {
		return nil, false, err
	}
	changed = true
	if before != nil {
		changes, err := diff(before, p.Resource)
		if err != nil {
			return nil, false, err
		}
		p.Changes, changed = changes, len(changes) > 0
	}
	payload, err = json.Marshal(p)
	return payload, changed, err
}

// endpointCache holds the webhook endpoints a transaction read, by
// organization.
type endpointCache map[int64][]*pg.WebhookEndpoint

// endpoints returns an organization's webhook endpoints, read once per
// transaction however many events it emits (on SQLite, once per group
// commit: see committer.batch), and again after a statement names their
// table (runner.sending).
func (tx *Tx) endpoints(ctx context.Context, org int64) ([]*pg.WebhookEndpoint, error) {
	if es, ok := tx.runner.endpoints[org]; ok {
		return es, nil
	}
	var es []*pg.WebhookEndpoint
	if err := tx.all(ctx, &es, `SELECT `+strings.Join(endpointCols, ", ")+` FROM webhook_endpoints WHERE organization_id = ?`, org); err != nil {
		return nil, err
	}
	tx.runner.endpoints[org] = es
	return es, nil
}

// diff lists the top-level JSON fields whose value changed, with both
// values; after is the resource's JSON already encoded. A field present on
// one side only (an omitted empty value) changed from or to null.
//
// Fields are compared by their encodings, split but not decoded (every
// mutation builds one of these, so it is kept cheap): a field whose bytes
// are the same on both sides has the same value. Only a field whose bytes
// differ is decoded, to be compared as a value (-0 and 0 are one number) and
// shown as it decodes, as events have always shown it.
func diff(before any, after []byte) (map[string]any, error) {
	raw, err := marshalRecord(before)
	if err != nil {
		return nil, err
	}
	b, err := splitObject(raw)
	if err != nil {
		return nil, err
	}
	a, err := splitObject(after)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	changed := func(key, av, bv []byte) error {
		if bytes.Equal(av, bv) || string(key) == `"updatedAt"` {
			return nil
		}
		if canonical(av) && canonical(bv) && !(isNull(av) && isNull(bv)) {
			// Two different encodings of values that have one encoding
			// each: the values differ, and each shows as it is written.
			k, err := jsonKey(key)
			if err != nil {
				return err
			}
			out[k] = map[string]any{"from": rawOrNull(bv), "to": rawOrNull(av)}
			return nil
		}
		from, err := decodeValue(bv)
		if err != nil {
			return err
		}
		to, err := decodeValue(av)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(from, to) {
			k, err := jsonKey(key)
			if err != nil {
				return err
			}
			out[k] = map[string]any{"from": from, "to": to}
		}
		return nil
	}
	for _, f := range a {
		if err := changed(f.key, f.value, lookup(b, f.key)); err != nil {
			return nil, err
		}
	}
	for _, f := range b {
		if lookup(a, f.key) == nil {
			if err := changed(f.key, nil, f.value); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// jsonField is a member of a JSON object: its name as written (quoted) and
// its value's bytes.
type jsonField struct {
	key, value []byte
}

// lookup returns the value of key among fs, nil when absent.
func lookup(fs []jsonField, key []byte) []byte {
	for _, f := range fs {
		if bytes.Equal(f.key, key) {
			return f.value
		}
	}
	return nil
}

// canonical reports whether raw is a value with one encoding only, which
// decoding and encoding again gives back as it is: absent (null), null,
// true, false, an integer of at most 15 digits (exact as a float64), a list
// of such integers, or a string of printable ASCII that needs no escape.
func canonical(raw []byte) bool {
	switch s := string(raw); {
	case raw == nil, s == "null", s == "true", s == "false":
		return true
	case len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"':
		for i := 1; i < len(s)-1; i++ {
			if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
		}
		return true
	case len(s) >= 2 && s[0] == '[' && s[len(s)-1] == ']':
		if s == "[]" {
			return true
		}
		for _, n := range strings.Split(s[1:len(s)-1], ",") {
			if !integer(n) {
				return false
			}
		}
		return true
	}
	return integer(string(raw))
}

// integer reports whether s is an integer as encoding/json writes one, of
// at most 15 digits.
func integer(s string) bool {
	if s == "-0" { // a float's negative zero: the same value as 0
		return false
	}
	s = strings.TrimPrefix(s, "-")
	if len(s) == 0 || len(s) > 15 || (s[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isNull reports whether raw is null: absent, or written null.
func isNull(raw []byte) bool { return raw == nil || string(raw) == "null" }

// rawOrNull is raw as a value of the payload; absent is null.
func rawOrNull(raw []byte) any {
	if raw == nil {
		return nil
	}
	return json.RawMessage(raw)
}

// decodeValue decodes one field's JSON; an absent field is null.
func decodeValue(raw []byte) (any, error) {
	if raw == nil {
		return nil, nil
	}
	var v any
	err := json.Unmarshal(raw, &v)
	return v, err
}

var errNotObject = errors.New("event JSON: not a compact object")

// splitObject splits the compact JSON of an object, as json.Marshal writes
// it, into its members, without decoding their values.
func splitObject(raw []byte) ([]jsonField, error) {
	if len(raw) < 2 || raw[0] != '{' || raw[len(raw)-1] != '}' {
		return nil, errNotObject
	}
	out := make([]jsonField, 0, 20)
	for i := 1; i < len(raw)-1; {
		end := valueEnd(raw, i)
		if end < 0 || end >= len(raw) || raw[end] != ':' {
			return nil, errNotObject
		}
		key := raw[i:end]
		if len(key) < 2 || key[0] != '"' {
			return nil, errNotObject
		}
		start := end + 1
		if end = valueEnd(raw, start); end < 0 || end > len(raw)-1 {
			return nil, errNotObject
		}
		out = append(out, jsonField{key: key, value: raw[start:end]})
		if i = end; raw[i] == ',' {
			i++
		}
	}
	return out, nil
}

// jsonKey decodes a member's name, which needs no unescaping in the usual
// case.
func jsonKey(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var key string
	err := json.Unmarshal(raw, &key)
	return key, err
}

// valueEnd returns the index just past the compact JSON value that starts
// at raw[i], or -1.
func valueEnd(raw []byte, i int) int {
	depth, inString := 0, false
	for j := i; j < len(raw); j++ {
		c := raw[j]
		switch {
		case inString:
			if c == '\\' {
				j++
			} else if c == '"' {
				inString = false
				if depth == 0 {
					return j + 1
				}
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth == 0 {
				return j
			}
			if depth--; depth == 0 {
				return j + 1
			}
		case c == ',' || c == ':':
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// eventOrder is the order events are read in: the order their transactions
// committed (see pg.Event.Position). A reader that has read up to a
// position never misses an event that commits afterwards: it takes a
// greater position.
var eventOrder = ordering[*pg.Event]{name: "position", col: "position", kind: keyInt, unique: true,
	key: func(e *pg.Event) string { return itoa(e.Position) }}

// Events lists the events of the organization a acts on, in the order they
// committed. Cursors of the order by id that events were listed in before
// they had positions page on from the event they name.
func (db *DB) Events(ctx context.Context, a pg.Actor, f pg.EventFilter, p pg.PageRequest) (pg.List[*pg.Event], error) {
	for _, c := range []*pg.Cursor{p.After, p.Before} {
		if err := db.positionCursor(ctx, a, c); err != nil {
			return pg.List[*pg.Event]{}, err
		}
	}
	visible := eventsVisible(a)
	s := listSpec[*pg.Event]{table: "events", cols: eventCols, where: []string{visible.sql}, args: visible.args,
		order: eventOrder, id: func(e *pg.Event) int64 { return e.ID }}
	if len(f.Types) > 0 {
		inList, args := in(f.Types)
		s.where, s.args = append(s.where, "t.type IN "+inList), append(s.args, args...)
	}
	if f.Since != nil {
		s.where, s.args = append(s.where, "t.created_at >= ?"), append(s.args, f.Since.UTC())
	}
	if f.Until != nil {
		s.where, s.args = append(s.where, "t.created_at < ?"), append(s.args, f.Until.UTC())
	}
	return list(ctx, db.read(), s, p)
}

// positionCursor turns a cursor of the former order by id into the
// position of the event it names. Events written before positions have
// their ids as positions, so an id not found (nor visible to a) stands for
// itself.
func (db *DB) positionCursor(ctx context.Context, a pg.Actor, c *pg.Cursor) error {
	if c == nil || c.Order != "id" {
		return nil
	}
	position := c.ID
	err := db.read().get(ctx, &position, `SELECT position FROM events WHERE id = ? AND organization_id = ?`, c.ID, a.OrganizationID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	*c = pg.Cursor{Order: eventOrder.name, Key: itoa(position), ID: c.ID}
	return nil
}

// Event returns an event of the organization a acts on.
func (db *DB) Event(ctx context.Context, a pg.Actor, id int64) (*pg.Event, error) {
	var e pg.Event
	visible := eventsVisible(a)
	err := db.read().get(ctx, &e, `SELECT `+qualify("t", eventCols)+` FROM events t WHERE t.id = ? AND `+visible.sql, append([]any{id}, visible.args...)...)
	if err != nil {
		return nil, notFound(err, "Event")
	}
	return &e, nil
}

// eventsVisible is the condition on events t that a reads: those of the
// organization acted on, but for the events of admin resources
// (pg.AdminResourceTypes) unless a is an admin.
func eventsVisible(a pg.Actor) cond {
	if a.IsAdmin() {
		return cond{"t.organization_id = ?", []any{a.OrganizationID}}
	}
	inList, args := in(pg.AdminResourceTypes())
	return cond{"t.organization_id = ? AND t.resource_type NOT IN " + inList, append([]any{a.OrganizationID}, args...)}
}

// EventsAfter returns up to limit events of org after position, in the
// order they committed, for live subscriptions catching up.
func (db *DB) EventsAfter(ctx context.Context, org, position int64, limit int) ([]*pg.Event, error) {
	var es []*pg.Event
	err := db.read().all(ctx, &es, `SELECT `+strings.Join(eventCols, ", ")+` FROM events WHERE organization_id = ? AND position > ?
		ORDER BY position LIMIT ?`, org, position, limit)
	return es, err
}

// EventsHead is the position of org's last committed event (0 for none),
// where a live subscription starts: every event committed later has a
// greater one.
func (db *DB) EventsHead(ctx context.Context, org int64) (int64, error) {
	var position *int64
	err := db.read().get(ctx, &position, `SELECT MAX(position) FROM events WHERE organization_id = ?`, org)
	if position == nil {
		return 0, err
	}
	return *position, err
}
