package store

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	pg "partnergraph"
)

var stages = named[pg.Stage]{table: "stages", what: "Stage",
	cols: []string{"id", "uuid", "organization_id", "name", "position", "created_at", "updated_at"},
	kind: kind[pg.Stage]{resourceType: "Stage", event: "stage", id: func(s *pg.Stage) int64 { return s.ID },
		org: func(s *pg.Stage) int64 { return s.OrganizationID }, updatedAt: func(s *pg.Stage) *time.Time { return &s.UpdatedAt }}}

// CreateStage creates a pipeline stage with its allowed next stages.
func (db *DB) CreateStage(ctx context.Context, a pg.Actor, c pg.StageCreate) (*pg.Stage, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var s *pg.Stage
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := stages.checkOwned(ctx, tx, a, "allowedNextStageIds", c.AllowedNextStageIDs...); err != nil {
			return err
		}
		s = &pg.Stage{UUID: uuid.NewString(), OrganizationID: a.OrganizationID, Name: c.Name, Position: c.Position, CreatedAt: tx.now, UpdatedAt: tx.now}
		var err error
		s.ID, err = tx.insert(ctx, `INSERT INTO stages (uuid, organization_id, name, position, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			s.UUID, s.OrganizationID, s.Name, s.Position, s.CreatedAt, s.UpdatedAt)
		if err != nil {
			return err
		}
		if err := setTransitions(ctx, tx, s.ID, c.AllowedNextStageIDs); err != nil {
			return err
		}
		return tx.emit(ctx, a, change{org: a.OrganizationID, typ: "stage.created", resourceType: "Stage", resourceID: s.ID, after: s})
	})
	return s, err
}

func setTransitions(ctx context.Context, tx *Tx, from int64, next []int64) error {
	if _, err := tx.exec(ctx, `DELETE FROM stage_transitions WHERE from_stage_id = ?`, from); err != nil {
		return err
	}
	for _, to := range unique(next) {
		if _, err := tx.exec(ctx, `INSERT INTO stage_transitions (from_stage_id, to_stage_id) VALUES (?, ?)`, from, to); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) Stage(ctx context.Context, a pg.Actor, id int64) (*pg.Stage, error) {
	return stages.get(ctx, db.read(), a, id)
}

// StageByUUID returns a stage of the organization a acts on by its UUID, in
// any case.
func (db *DB) StageByUUID(ctx context.Context, a pg.Actor, id string) (*pg.Stage, error) {
	var s pg.Stage
	err := db.read().get(ctx, &s, `SELECT `+qualify("t", stages.cols)+` FROM stages t WHERE t.uuid = ? AND t.organization_id = ?`, canonicalUUID(id), a.OrganizationID)
	return &s, notFound(err, "Stage")
}

func (db *DB) Stages(ctx context.Context, a pg.Actor, search *string, p pg.PageRequest) (pg.List[*pg.Stage], error) {
	return stages.list(ctx, db.read(), a, search, db.dialect, p)
}

// NextStages loads the allowed next stages of each stage a may see, for a
// loader.
func (db *DB) NextStages(ctx context.Context, a pg.Actor, from []int64) (map[int64][]*pg.Stage, error) {
	inList, args := in(from)
	scope := ownScope("t.organization_id", a)
	args = append(args, scope.args...)
	var rows []struct {
		From int64 `db:"from_stage_id"`
		pg.Stage
	}
	if err := db.read().all(ctx, &rows, `SELECT st.from_stage_id, `+qualify("t", stages.cols)+` FROM stage_transitions st
		JOIN stages t ON t.id = st.to_stage_id WHERE st.from_stage_id IN `+inList+` AND `+scope.sql+` ORDER BY t.position, t.id`, args...); err != nil {
		return nil, err
	}
	out := make(map[int64][]*pg.Stage, len(from))
	for i := range rows {
		out[rows[i].From] = append(out[rows[i].From], &rows[i].Stage)
	}
	return out, nil
}

// UpdateStage changes a stage; its allowed next stages, when set, replace
// its transitions.
func (db *DB) UpdateStage(ctx context.Context, a pg.Actor, id int64, u pg.StageUpdate) (*pg.Stage, error) {
	if err := u.Validate(); err != nil {
		return nil, err
	}
	return withTx(ctx, db, func(tx *Tx) (*pg.Stage, error) { return updateStage(ctx, tx, a, id, u) })
}

// stageEvent is a stage as its update events show it: with its allowed
// next stages when the update set them.
type stageEvent struct {
	*pg.Stage
	AllowedNextStageIDs *[]int64 `json:"allowedNextStageIds,omitempty"`
}

func updateStage(ctx context.Context, tx *Tx, a pg.Actor, id int64, u pg.StageUpdate) (*pg.Stage, error) {
	before, err := stages.lock(ctx, tx, a, id)
	if err != nil {
		return nil, err
	}
	s := *before
	u.Apply(&s)
	// The transitions before and after, when the update sets them.
	var was, is *[]int64
	if next := u.AllowedNextStageIDs; next != nil {
		if err := stages.checkOwned(ctx, tx, a, "allowedNextStageIds", *next...); err != nil {
			return nil, err
		}
		var old []int64
		if err := tx.all(ctx, &old, `SELECT to_stage_id FROM stage_transitions WHERE from_stage_id = ?`, s.ID); err != nil {
			return nil, err
		}
		was, is = links(old), links(*next)
	}
	e := edit[pg.Stage]{before: before, after: &s, was: stageEvent{before, was}, is: stageEvent{&s, is}}
	return save(ctx, tx, a, stages.kind, e, func() error {
		if _, err := tx.exec(ctx, `UPDATE stages SET name = ?, position = ?, updated_at = ? WHERE id = ?`, s.Name, s.Position, s.UpdatedAt, s.ID); err != nil {
			return err
		}
		if is == nil || slices.Equal(*was, *is) {
			return nil
		}
		return setTransitions(ctx, tx, s.ID, *is)
	})
}

// DeleteStage deletes a stage; partnerships in it are left without one,
// each with its partnership.updated and partnership.stage_changed events,
// and the stages that allowed moving to it no longer do, each with its
// stage.updated event.
func (db *DB) DeleteStage(ctx context.Context, a pg.Actor, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := stages.lock(ctx, tx, a, id); err != nil {
			return err
		}
		if err := unsetReference(ctx, tx, a, "stage_id", id); err != nil {
			return err
		}
		if err := untransition(ctx, tx, a, id); err != nil {
			return err
		}
		return deleteOwned(ctx, tx, "stages", "Stage", a, id)
	})
}
