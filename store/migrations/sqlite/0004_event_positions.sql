-- +goose Up
-- Events are read in the order their transactions committed. SQLite has one
-- writer, and a batch of mutations commits as a whole, so ids are taken in
-- commit order already: an event's position is its id.
ALTER TABLE events ADD COLUMN position INTEGER GENERATED ALWAYS AS (id) VIRTUAL;
DROP INDEX events_organization;
CREATE INDEX events_organization_position ON events (organization_id, position);

-- +goose Down
DROP INDEX events_organization_position;
CREATE INDEX events_organization ON events (organization_id, id);
ALTER TABLE events DROP COLUMN position;
