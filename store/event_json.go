package store

import (
	"encoding/json"
	"strconv"
	"time"
)

// jsonAppender is a record that writes its JSON itself, byte for byte as
// encoding/json writes it, without reflection: every partnership update
// encodes its record twice for its event (before and after), on the
// single writer. ok false leaves the record to encoding/json.
type jsonAppender interface {
	appendJSON(b []byte) (out []byte, ok bool)
}

// marshalRecord encodes a record as an event shows it.
func marshalRecord(v any) ([]byte, error) {
	if a, ok := v.(jsonAppender); ok {
		if b, ok := a.appendJSON(make([]byte, 0, 640)); ok {
			return b, nil
		}
	}
	return json.Marshal(v)
}

// appendJSON writes e as encoding/json does: the partnership's fields (its
// fallback data's among them, where FallbackData is embedded), then the
// links. Custom field values, and times encoding/json refuses, are left to
// encoding/json.
func (e partnershipEvent) appendJSON(b []byte) ([]byte, bool) {
	p := e.Partnership
	if p == nil || e.CustomFieldValues != nil || !jsonTime(p.CreatedAt) || !jsonTime(p.UpdatedAt) {
		return b, false
	}
	b = strconv.AppendInt(append(b, `{"databaseId":`...), p.ID, 10)
	b = appendJSONString(append(b, `,"uuid":`...), p.UUID)
	b = strconv.AppendInt(append(b, `,"organizationId":`...), p.OrganizationID, 10)
	b = strconv.AppendInt(append(b, `,"partnerId":`...), p.PartnerID, 10)
	b = appendJSONID(append(b, `,"projectId":`...), p.ProjectID)
	b = strconv.AppendBool(append(b, `,"isDefault":`...), p.IsDefault)
	b = strconv.AppendBool(append(b, `,"isSupport":`...), p.IsSupport)
	b = appendJSONID(append(b, `,"tierId":`...), p.TierID)
	b = appendJSONID(append(b, `,"categoryId":`...), p.CategoryID)
	b = appendJSONID(append(b, `,"stageId":`...), p.StageID)
	for _, f := range []struct {
		key string
		v   *string
	}{{`,"name":`, p.Name}, {`,"logoSquareUuid":`, p.LogoSquareUUID}, {`,"websiteUrl":`, p.WebsiteURL}, {`,"countryLabel":`, p.CountryLabel}} {
		if f.v != nil { // omitempty
			b = appendJSONString(append(b, f.key...), *f.v)
		}
	}
	b = appendJSONTime(append(b, `,"createdAt":`...), p.CreatedAt)
	b = appendJSONTime(append(b, `,"updatedAt":`...), p.UpdatedAt)
	for _, l := range []struct {
		key string
		ids *[]int64
	}{{`,"tagIds":`, e.TagIDs}, {`,"assignedUserIds":`, e.AssignedUserIDs}} {
		if l.ids != nil { // omitempty
			b = appendJSONIDs(append(b, l.key...), *l.ids)
		}
	}
	return append(b, '}'), true
}

// jsonTime reports whether encoding/json encodes t: a year of four digits.
func jsonTime(t time.Time) bool { return t.Year() >= 0 && t.Year() <= 9999 }

func appendJSONTime(b []byte, t time.Time) []byte {
	return append(t.AppendFormat(append(b, '"'), time.RFC3339Nano), '"')
}

func appendJSONID(b []byte, id *int64) []byte {
	if id == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *id, 10)
}

func appendJSONIDs(b []byte, ids []int64) []byte {
	if ids == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return append(b, ']')
}

// appendJSONString writes s quoted: as it is when it holds only printable
// ASCII that encoding/json leaves alone, else as encoding/json escapes it
// (HTML characters, control characters, invalid UTF-8 …).
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	return append(append(append(b, '"'), s...), '"')
}
