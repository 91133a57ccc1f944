-- +goose Up
-- The partnership domain. Every row belongs to one organization; every
-- lookup filters on organization_id, so each table leads its indexes with it.

CREATE TABLE organizations (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

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
CREATE INDEX api_keys_organization ON api_keys (organization_id, id);

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
CREATE INDEX connections_grantee ON connections (grantee_organization_id, organization_id);
CREATE INDEX connections_organization ON connections (organization_id, id);

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
CREATE INDEX partners_organization ON partners (organization_id, id);
CREATE INDEX partners_organization_name ON partners (organization_id, company_name, id);
CREATE INDEX partners_organization_created ON partners (organization_id, created_at, id);
CREATE INDEX partners_organization_updated ON partners (organization_id, updated_at, id);
CREATE INDEX partners_guest ON partners (guest_organization_id);

CREATE TABLE projects (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX projects_organization ON projects (organization_id, id);

CREATE TABLE tiers (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    rank            INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX tiers_organization ON tiers (organization_id, id);

CREATE TABLE categories (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX categories_organization ON categories (organization_id, id);

CREATE TABLE stages (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    organization_id INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX stages_organization ON stages (organization_id, id);

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
CREATE INDEX custom_fields_organization ON custom_fields (organization_id, id);

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
CREATE INDEX partnerships_organization ON partnerships (organization_id, created_at, id);
CREATE INDEX partnerships_organization_updated ON partnerships (organization_id, updated_at, id);
CREATE INDEX partnerships_partner ON partnerships (partner_id, created_at, id);
CREATE INDEX partnerships_project ON partnerships (project_id, created_at, id);
-- The one-default-per-project rule, held by the database as well as the store.
CREATE UNIQUE INDEX partnerships_one_default ON partnerships (project_id) WHERE is_default AND project_id IS NOT NULL;

CREATE TABLE partnership_tags (
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    tag_id         INTEGER NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (partnership_id, tag_id)
);
CREATE INDEX partnership_tags_tag ON partnership_tags (tag_id);

CREATE TABLE partnership_users (
    partnership_id INTEGER NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (partnership_id, user_id)
);
CREATE INDEX partnership_users_user ON partnership_users (user_id);

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
CREATE INDEX relationships_organization ON relationships (organization_id, id);

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
CREATE INDEX partner_integrations_organization ON partner_integrations (organization_id, id);

-- +goose Down
DROP TABLE partner_integrations;
DROP TABLE relationships;
DROP TABLE custom_field_values;
DROP TABLE partnership_users;
DROP TABLE partnership_tags;
DROP TABLE partnerships;
DROP TABLE custom_fields;
DROP TABLE tags;
DROP TABLE stage_transitions;
DROP TABLE stages;
DROP TABLE categories;
DROP TABLE tiers;
DROP TABLE projects;
DROP TABLE partners;
DROP TABLE connections;
DROP TABLE api_keys;
DROP TABLE users;
DROP TABLE organizations;
