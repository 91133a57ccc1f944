-- +goose Up
-- A partner has at most one partnership per project (seed 000). Partnerships
-- made twice for the same partner and project before this rule held keep
-- their data; all but the first leave the project, so none is lost.
UPDATE partnerships SET project_id = NULL
WHERE project_id IS NOT NULL AND EXISTS (
    SELECT 1 FROM partnerships earlier
    WHERE earlier.partner_id = partnerships.partner_id AND earlier.project_id = partnerships.project_id AND earlier.id < partnerships.id);
CREATE UNIQUE INDEX partnerships_partner_project ON partnerships (partner_id, project_id);

-- +goose Down
-- The partnerships that left a project to keep the rule stay out of it.
DROP INDEX partnerships_partner_project;
