PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMP NOT NULL);
INSERT INTO schema_migrations VALUES(1,'0001_init.sql','2026-11-30 05:10:23.703558287+00:00');
INSERT INTO schema_migrations VALUES(2,'0002_events.sql','2026-11-30 05:10:23.70772494+00:00');
INSERT INTO schema_migrations VALUES(3,'0003_limits.sql','2026-11-30 05:10:23.708581+00:00');
CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO organizations VALUES(1,'b5b0d3ef-6e2b-473a-afa8-d261795aefcb','Legacy Co','2026-11-30 05:10:23.70955+00:00','2026-11-30 05:10:23.70955+00:00');
CREATE TABLE users (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    email           TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('ADMIN', 'MEMBER')),
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (organization_id, email)
);
INSERT INTO users VALUES(1,'2af76c85-453a-4d98-94d4-cfa0af12ce38',1,'ops@legacy.example','ops@legacy.example','ADMIN','2026-11-30 05:10:23.70985+00:00','2026-11-30 05:10:23.70985+00:00');
CREATE TABLE api_keys (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    permission      TEXT NOT NULL CHECK (permission IN ('READ', 'WRITE')),
    prefix          TEXT NOT NULL,
    hash            TEXT NOT NULL UNIQUE,
    expires_at      TIMESTAMP,
    last_used_at    TIMESTAMP,
    revoked_at      TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
INSERT INTO api_keys VALUES(1,'d12c62f0-9edf-46b4-be89-35f91ebdb29b',1,1,'bootstrap','WRITE','pgk_d2e744ae','a0087b51ab11806cbf203cba57a949f7aecb65eda7803f17a0b8ea9419a9ce7a',NULL,NULL,NULL,'2026-11-30 05:10:23.710415+00:00','2026-11-30 05:10:23.710415+00:00');
CREATE TABLE connections (
    id                      INTEGER PRIMARY KEY,
    uuid                    TEXT NOT NULL UNIQUE,
    organization_id         INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    grantee_organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    access                  TEXT NOT NULL CHECK (access IN ('READ', 'WRITE')),
    revoked_at              TIMESTAMP,
    created_at              TIMESTAMP NOT NULL,
    updated_at              TIMESTAMP NOT NULL
);
CREATE TABLE partners (
    id                    INTEGER PRIMARY KEY,
    uuid                  TEXT NOT NULL UNIQUE,
    organization_id       INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    company_name          TEXT NOT NULL,
    email                 TEXT NOT NULL,
    partner_type          TEXT NOT NULL CHECK (partner_type IN ('CUSTOMER', 'SUPPLIER')),
    sales_amount          INTEGER NOT NULL CHECK (sales_amount BETWEEN 0 AND 2147483647),
    frequency             TEXT NOT NULL,
    payment_terms         TEXT NOT NULL,
    website_url           TEXT,
    logo_square_uuid      TEXT,
    country_label         TEXT,
    invitation_status     TEXT CHECK (invitation_status IN ('INVITED', 'ACCEPTED')),
    invitation_token_hash TEXT UNIQUE,
    guest_organization_id INTEGER REFERENCES organizations (id) ON DELETE SET NULL,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL
);
CREATE TABLE projects (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE TABLE tiers (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    rank            INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE TABLE categories (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE TABLE stages (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE TABLE stage_transitions (
    from_stage_id INTEGER NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
    to_stage_id   INTEGER NOT NULL REFERENCES stages (id) ON DELETE CASCADE,
    PRIMARY KEY (from_stage_id, to_stage_id)
);
CREATE TABLE tags (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (organization_id, name)
);
CREATE TABLE custom_fields (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL CHECK (type IN ('TEXT', 'NUMBER', 'DATE', 'BOOLEAN', 'SELECT', 'MULTI_SELECT')),
    options         TEXT NOT NULL DEFAULT '[]',
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE TABLE partnerships (
    id                        INTEGER PRIMARY KEY,
    uuid                      TEXT NOT NULL UNIQUE,
    organization_id           INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    partner_id                INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    project_id                INTEGER REFERENCES projects (id) ON DELETE CASCADE,
    is_default                BOOLEAN NOT NULL DEFAULT FALSE,
    is_support                BOOLEAN NOT NULL DEFAULT FALSE,
    tier_id                   INTEGER REFERENCES tiers (id) ON DELETE SET NULL,
    category_id               INTEGER REFERENCES categories (id) ON DELETE SET NULL,
    stage_id                  INTEGER REFERENCES stages (id) ON DELETE SET NULL,
    fallback_name             TEXT,
    fallback_logo_square_uuid TEXT,
    fallback_website_url      TEXT,
    fallback_country_label    TEXT,
    created_at                TIMESTAMP NOT NULL,
    updated_at                TIMESTAMP NOT NULL
);
CREATE TABLE partnership_tags (
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    tag_id         INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (partnership_id, tag_id)
);
CREATE TABLE partnership_users (
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (partnership_id, user_id)
);
CREATE TABLE custom_field_values (
    partnership_id     INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    field_id           INTEGER NOT NULL REFERENCES custom_fields (id) ON DELETE CASCADE,
    text_value         TEXT,
    number_value       DOUBLE PRECISION,
    date_value         TEXT,
    boolean_value      BOOLEAN,
    select_value       INTEGER,
    multi_select_value TEXT,
    updated_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (partnership_id, field_id)
);
CREATE TABLE relationships (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    partner_id      INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    company_id      INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL,
    UNIQUE (partner_id, company_id)
);
CREATE TABLE partner_integrations (
    id                 INTEGER PRIMARY KEY,
    uuid               TEXT NOT NULL UNIQUE,
    organization_id    INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    business_id        INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    partner_id         INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
    login              TEXT NOT NULL,
    password_encrypted BLOB NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('CONNECTED', 'DISCONNECTED')),
    connected_at       TIMESTAMP,
    disconnected_at    TIMESTAMP,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    UNIQUE (partner_id, business_id)
);
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    type            TEXT NOT NULL,
    resource_type   TEXT NOT NULL,
    resource_id     INTEGER NOT NULL,
    actor_user_id   INTEGER,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL
);
INSERT INTO events VALUES(1,'01a22adc-80de-71c1-8371-38ad50157a4e',1,'user.created','User',1,NULL,'{"resource":{"databaseId":1,"uuid":"2af76c85-453a-4d98-94d4-cfa0af12ce38","organizationId":1,"name":"ops@legacy.example","email":"ops@legacy.example","role":"ADMIN","createdAt":"2026-11-30T05:10:23.70985Z","updatedAt":"2026-11-30T05:10:23.70985Z"}}','2026-11-30 05:10:23.70985+00:00');
INSERT INTO events VALUES(2,'01a22adc-80de-7e23-94c3-643d278e3e89',1,'api_key.created','ApiKey',1,NULL,'{"resource":{"databaseId":1,"uuid":"d12c62f0-9edf-46b4-be89-35f91ebdb29b","organizationId":1,"userId":1,"name":"bootstrap","permission":"WRITE","prefix":"pgk_d2e744ae","expiresAt":null,"lastUsedAt":null,"revokedAt":null,"createdAt":"2026-11-30T05:10:23.710415Z","updatedAt":"2026-11-30T05:10:23.710415Z"}}','2026-11-30 05:10:23.710415+00:00');
CREATE TABLE webhook_endpoints (
    id               INTEGER PRIMARY KEY,
    uuid             TEXT NOT NULL UNIQUE,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    event_types      TEXT NOT NULL DEFAULT '[]',
    secret_encrypted BLOB NOT NULL,
    previous_secret_encrypted BLOB,
    previous_secret_expires_at TIMESTAMP,
    enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason  TEXT,
    failing_since    TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    endpoint_id     INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    status          TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until   TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE TABLE webhook_attempts (
    id              INTEGER PRIMARY KEY,
    delivery_id     INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at    TIMESTAMP NOT NULL,
    response_status INTEGER,
    latency_ms      INTEGER NOT NULL,
    error           TEXT,
    succeeded       BOOLEAN NOT NULL
);
CREATE TABLE rate_limits (
    bucket     TEXT PRIMARY KEY,
    tokens     REAL NOT NULL,
    updated_at REAL NOT NULL,
    allowed    BOOLEAN NOT NULL
);
CREATE TABLE persisted_operations (
    hash       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    query      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX api_keys_organization ON api_keys (organization_id, id);
CREATE INDEX connections_grantee ON connections (grantee_organization_id, organization_id);
CREATE INDEX connections_organization ON connections (organization_id, id);
CREATE INDEX partners_organization ON partners (organization_id, id);
CREATE INDEX partners_organization_name ON partners (organization_id, company_name, id);
CREATE INDEX partners_organization_created ON partners (organization_id, created_at, id);
CREATE INDEX partners_organization_updated ON partners (organization_id, updated_at, id);
CREATE INDEX partners_guest ON partners (guest_organization_id);
CREATE INDEX projects_organization ON projects (organization_id, id);
CREATE INDEX tiers_organization ON tiers (organization_id, id);
CREATE INDEX categories_organization ON categories (organization_id, id);
CREATE INDEX stages_organization ON stages (organization_id, id);
CREATE INDEX custom_fields_organization ON custom_fields (organization_id, id);
CREATE INDEX partnerships_organization ON partnerships (organization_id, created_at, id);
CREATE INDEX partnerships_organization_updated ON partnerships (organization_id, updated_at, id);
CREATE INDEX partnerships_partner ON partnerships (partner_id, created_at, id);
CREATE INDEX partnerships_project ON partnerships (project_id, created_at, id);
CREATE UNIQUE INDEX partnerships_one_default ON partnerships (project_id) WHERE is_default AND project_id IS NOT NULL;
CREATE INDEX partnership_tags_tag ON partnership_tags (tag_id);
CREATE INDEX partnership_users_user ON partnership_users (user_id);
CREATE INDEX relationships_organization ON relationships (organization_id, id);
CREATE INDEX partner_integrations_organization ON partner_integrations (organization_id, id);
CREATE INDEX events_organization ON events (organization_id, id);
CREATE INDEX webhook_endpoints_organization ON webhook_endpoints (organization_id, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, status, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
COMMIT;
