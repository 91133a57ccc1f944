package partnergraph

import "time"

// IdempotencyWindow is how long a write request sent with an
// Idempotency-Key is remembered: a retry within it gets the first answer.
const IdempotencyWindow = 24 * time.Hour

// IdempotencyKey is a write request a client may retry safely: the key it
// sent in Idempotency-Key, scoped to the API key that sent it, and a
// fingerprint of the request, so that the key sent again with another
// request is told apart from a retry.
type IdempotencyKey struct {
	APIKeyID    int64
	Key         string
	Fingerprint string
}

// StoredResponse is the first answer to an idempotent request, replayed to
// its retries as it was: status, media type and body.
type StoredResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// Errors of idempotent requests. The header is not one any document the
// shim follows knows of, so each names it.
var (
	// ErrIdempotencyKeyReused is a key sent before with another request.
	ErrIdempotencyKeyReused = &Error{Code: BadUserInput, Field: "Idempotency-Key",
		Message: "This Idempotency-Key was sent before with another request; send a new key with a new request."}
	// ErrIdempotencyKeyInUse is a retry that arrives while the first
	// request with its key is still being answered.
	ErrIdempotencyKeyInUse = &Error{Code: Conflict, Field: "Idempotency-Key",
		Message: "A request with this Idempotency-Key is still being answered; retry once it has been."}
)
