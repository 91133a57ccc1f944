// Package relay provides the Relay conventions of the graph: global object
// IDs decoded as input, opaque keyset cursors and generic cursor connections.
package relay

import (
	"strconv"

	pg "partnergraph"
)

// DecodeID returns the database id of gid, which must name an object of typ.
// A malformed ID or one of another type is bad input on field.
func DecodeID(field, typ, gid string) (int64, error) {
	t, id, ok := pg.ParseGlobalID(gid)
	if !ok || t != typ {
		return 0, pg.InvalidField(field, "%q is not a valid %s ID", truncate(gid), typ)
	}
	return id, nil
}

// DecodeOptionalID decodes gid when it is set.
func DecodeOptionalID(field, typ string, gid *string) (*int64, error) {
	if gid == nil {
		return nil, nil
	}
	id, err := DecodeID(field, typ, *gid)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// DecodeIDs decodes a list of global IDs of typ; the field of a bad one is
// named with its index.
func DecodeIDs(field, typ string, gids []string) ([]int64, error) {
	ids := make([]int64, 0, len(gids))
	for i, gid := range gids {
		id, err := DecodeID(field+"."+strconv.Itoa(i), typ, gid)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
