// Package relay provides the Relay conventions of the graph: global object
// IDs, opaque keyset cursors and generic cursor connections.
package relay

import (
	"encoding/base64"
	"strconv"
	"strings"

	pg "partnergraph"
)

// GlobalID returns the opaque global ID of the object of typ with database id.
func GlobalID(typ string, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + strconv.FormatInt(id, 10)))
}

// ParseGlobalID decodes a global ID into its type and database id.
func ParseGlobalID(gid string) (typ string, id int64, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(gid)
	if err != nil || len(gid) > 128 {
		return "", 0, false
	}
	typ, num, found := strings.Cut(string(b), ":")
	if !found || typ == "" {
		return "", 0, false
	}
	id, err = strconv.ParseInt(num, 10, 64)
	if err != nil || id <= 0 {
		return "", 0, false
	}
	return typ, id, true
}

// DecodeID returns the database id of gid, which must name an object of typ.
// A malformed ID or one of another type is bad input on field.
func DecodeID(field, typ, gid string) (int64, error) {
	t, id, ok := ParseGlobalID(gid)
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
