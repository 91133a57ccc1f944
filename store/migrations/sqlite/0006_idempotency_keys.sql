-- +goose Up
-- Write requests sent with an Idempotency-Key, per API key, remembered for a
-- day: while the first is answered (status NULL, held until locked_until),
-- then its answer, which retries with the same request get again.
CREATE TABLE idempotency_keys (
    id              INTEGER PRIMARY KEY,
    api_key_id      INTEGER NOT NULL REFERENCES api_keys (id) ON DELETE CASCADE,
    idempotency_key TEXT NOT NULL,
    fingerprint     TEXT NOT NULL,
    status          INTEGER,
    content_type    TEXT,
    body            BLOB,
    locked_until    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    UNIQUE (api_key_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
