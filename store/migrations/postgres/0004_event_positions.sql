-- +goose Up
-- Events are read in the order their transactions committed. An event's id
-- is taken from a sequence when it is inserted, and transactions commit in
-- another order, so a reader that has read up to id 10 may later see id 9
-- commit; one that moved past it never reads it. An event's position is
-- taken instead when its transaction commits (a deferred trigger, which runs
-- in the commit), from a counter whose row lock is held until the commit
-- ends: a later position can only be taken once every earlier one is
-- committed and visible. Readers follow positions and never skip an event.
-- LISTEN/NOTIFY already serializes the commits of the transactions that
-- notify, as every event-writing one does: the counter adds no new wait.

CREATE TABLE event_positions (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    last     BIGINT NOT NULL
);
-- Events written before positions keep their ids as positions, so cursors
-- issued then still page on without loss or repeats.
INSERT INTO event_positions (last) SELECT COALESCE(MAX(id), 0) FROM events;
ALTER TABLE events ADD COLUMN position BIGINT;
UPDATE events SET position = id;
DROP INDEX events_organization;
CREATE INDEX events_organization_position ON events (organization_id, position);

-- +goose StatementBegin
CREATE FUNCTION events_take_position() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    taken BIGINT;
BEGIN
    UPDATE event_positions SET last = last + 1 RETURNING last INTO taken;
    UPDATE events SET position = taken WHERE id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER events_position AFTER INSERT ON events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_take_position();

-- +goose Down
DROP TRIGGER events_position ON events;
DROP FUNCTION events_take_position();
DROP INDEX events_organization_position;
CREATE INDEX events_organization ON events (organization_id, id);
ALTER TABLE events DROP COLUMN position;
DROP TABLE event_positions;
