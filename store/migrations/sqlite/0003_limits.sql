-- +goose Up
-- Rate limit buckets, shared by every gateway process on one database: each
-- API key's points and when they were last counted (seconds since the epoch).
CREATE TABLE rate_limits (
    bucket     TEXT PRIMARY KEY,
    tokens     REAL NOT NULL,
    updated_at REAL NOT NULL,
    allowed    BOOLEAN NOT NULL
);

-- Operations an operator registered: the allow-list, and the documents
-- clients may send by hash alone (automatic persisted queries).
CREATE TABLE persisted_operations (
    hash       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE persisted_operations;
DROP TABLE rate_limits;
