package rest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
	"partnergraph/auth"
)

// Idempotency remembers the answers of write requests sent with an
// Idempotency-Key, per API key, for pg.IdempotencyWindow, in the database
// every gateway process shares (store.DB implements it).
type Idempotency interface {
	// ClaimIdempotencyKey returns the stored answer of k's request, or nil
	// when the caller now holds k until until; ErrIdempotencyKeyReused or
	// ErrIdempotencyKeyInUse otherwise.
	ClaimIdempotencyKey(ctx context.Context, k pg.IdempotencyKey, until time.Time) (*pg.StoredResponse, error)
	// CompleteIdempotencyKey stores the answer of k's request.
	CompleteIdempotencyKey(ctx context.Context, k pg.IdempotencyKey, r pg.StoredResponse) error
	// ReleaseIdempotencyKey forgets k's request, unanswered.
	ReleaseIdempotencyKey(ctx context.Context, k pg.IdempotencyKey) error
}

// maxIdempotencyKey bounds a key's length; a UUID, what clients usually
// send, is 36 characters.
const maxIdempotencyKey = 255

// idempotent answers a write request, once per Idempotency-Key: the first
// request with a key runs and its answer is stored; the same request again
// (the same method, path, organization headers and body) within the window
// gets that answer back with Idempotent-Replayed: true, without running;
// the key with another request is 422; while the first is being answered,
// 409 (draft-ietf-httpapi-idempotency-key-header). Answers that a retry
// could change (429, 5xx) are not kept. A request without the header runs
// as it is.
func idempotent(c *call, rt route, keys Idempotency) reply {
	key, err := idempotencyKey(c.r)
	if err != nil {
		return rt.format.render(err)
	}
	if key == "" {
		return c.respond(rt)
	}
	a, _ := pg.ActorFrom(c.ctx)
	k := pg.IdempotencyKey{APIKeyID: a.APIKeyID, Key: key, Fingerprint: fingerprint(c.r, c.body)}
	until, ok := c.ctx.Deadline()
	if !ok {
		until = time.Now().Add(time.Minute)
	}
	stored, err := keys.ClaimIdempotencyKey(c.ctx, k, until)
	if err != nil {
		return rt.format.render(fromDomain(pg.AsError(err)))
	}
	if stored != nil {
		return reply{status: stored.Status, contentType: stored.ContentType, body: stored.Body,
			header: http.Header{"Idempotent-Replayed": {"true"}}}
	}
	rp := c.respond(rt)
	// The answer is kept even when the client has gone: its retry is due.
	ctx := context.WithoutCancel(c.ctx)
	if rp.status >= 500 || rp.status == http.StatusTooManyRequests {
		keys.ReleaseIdempotencyKey(ctx, k)
	} else if err := keys.CompleteIdempotencyKey(ctx, k, pg.StoredResponse{Status: rp.status, ContentType: rp.contentType, Body: rp.body}); err != nil {
		// A retry would run the request again; the client is told to
		// retry later, not that its change failed.
		keys.ReleaseIdempotencyKey(ctx, k)
	}
	return rp
}

// idempotencyKey reads the Idempotency-Key header: an opaque string of
// printable ASCII, sent bare or as a Structured Field string (in quotes,
// RFC 8941), at most maxIdempotencyKey characters. "" when it is absent.
func idempotencyKey(r *http.Request) (string, error) {
	values := r.Header.Values(idempotencyHeader)
	if len(values) == 0 {
		return "", nil
	}
	bad := func(msg string) error { return badRequest(idempotencyHeader, "%s", msg) }
	if len(values) > 1 {
		return "", bad("Send one Idempotency-Key.")
	}
	key := strings.TrimSpace(values[0])
	if strings.HasPrefix(key, `"`) {
		unquoted, err := strconv.Unquote(key)
		if err != nil {
			return "", bad("Idempotency-Key is a malformed quoted string.")
		}
		key = unquoted
	}
	if key == "" || len(key) > maxIdempotencyKey {
		return "", bad("Idempotency-Key must be 1 to 255 characters.")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return "", bad("Idempotency-Key must be printable ASCII.")
		}
	}
	return key, nil
}

// fingerprint identifies a request for its retries: its method, path and
// query, the organization headers it acts with (a UUID in any case is the
// same UUID) and its body.
func fingerprint(r *http.Request, body []byte) string {
	h := sha256.New()
	for _, part := range []string{r.Method, r.URL.RequestURI(), orgHeader(r, auth.RequesterHeader), orgHeader(r, auth.TargetHeader)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func orgHeader(r *http.Request, name string) string {
	v := strings.TrimSpace(r.Header.Get(name))
	if u, err := uuid.Parse(v); err == nil {
		return u.String()
	}
	return v
}
