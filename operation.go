package partnergraph

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// PersistedOperation is an operation an operator registered (partnergraph
// operations add): clients may send its hash alone, and in allow-list mode
// it is among the only operations that run.
type PersistedOperation struct {
	// Hash is OperationHash(Query).
	Hash      string    `db:"hash"`
	Name      string    `db:"name"`
	Query     string    `db:"query"`
	CreatedAt time.Time `db:"created_at"`
}

// OperationHash is the hash clients send for query in
// extensions.persistedQuery.sha256Hash (Apollo's automatic persisted
// queries): the hex SHA-256 of its exact text.
func OperationHash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}
