package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	pg "partnergraph"
)

// decodedDiff is diff as it was first written: both sides decoded whole
// and compared field by field as values. diff must answer the same.
func decodedDiff(before any, after []byte) (map[string]any, error) {
	raw, err := json.Marshal(before)
	if err != nil {
		return nil, err
	}
	var b, a map[string]any
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(after, &a); err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, side := range []map[string]any{a, b} {
		for k := range side {
			if _, done := out[k]; done || k == "updatedAt" {
				continue
			}
			if av, bv := a[k], b[k]; !reflect.DeepEqual(av, bv) {
				out[k] = map[string]any{"from": bv, "to": av}
			}
		}
	}
	return out, nil
}

func TestDiffMatchesDecodedComparison(t *testing.T) {
	id := func(v int64) *int64 { return &v }
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	base := pg.Partnership{ID: 7, UUID: "u", OrganizationID: 1, PartnerID: 2, ProjectID: id(3), StageID: id(4), CreatedAt: now, UpdatedAt: now}
	moved := base
	moved.StageID, moved.TierID, moved.IsDefault, moved.UpdatedAt = id(5), id(6), true, now.Add(time.Hour)
	cleared := base
	cleared.ProjectID, cleared.StageID = nil, nil
	named := base
	acme := "<Acme & Co>"
	named.Name = &acme
	tags := func(ids ...int64) *[]int64 { return &ids }
	for _, tc := range []struct {
		name          string
		before, after any
	}{
		{"nothing changed but updatedAt", partnershipEvent{Partnership: &base}, partnershipEvent{Partnership: &moved}},
		{"same", partnershipEvent{Partnership: &base}, partnershipEvent{Partnership: &base}},
		{"cleared to null", partnershipEvent{Partnership: &base}, partnershipEvent{Partnership: &cleared}},
		{"escaped text", partnershipEvent{Partnership: &base}, partnershipEvent{Partnership: &named}},
		{"links", partnershipEvent{Partnership: &base, TagIDs: tags(1, 2)}, partnershipEvent{Partnership: &base, TagIDs: tags(2, 3)}},
		{"links emptied", partnershipEvent{Partnership: &base, TagIDs: tags(1)}, partnershipEvent{Partnership: &base, TagIDs: tags()}},
		{"links same", partnershipEvent{Partnership: &base, TagIDs: tags(1, 9)}, partnershipEvent{Partnership: &base, TagIDs: tags(1, 9)}},
		{"custom values", partnershipEvent{Partnership: &base, CustomFieldValues: map[string]any{"1": "a", "2": 1.5, "3": nil}},
			partnershipEvent{Partnership: &base, CustomFieldValues: map[string]any{"1": "a", "2": 2.5, "3": []int64{4}}}},
		{"present on one side", map[string]any{"a": 1, "b": nil}, map[string]any{"c": 2, "a": 1}},
		{"escaped names", map[string]any{"a\"b": 1, "<k>": "x"}, map[string]any{"a\"b": 2, "<k>": "y"}},
		{"strings", map[string]any{"s": "a", "t": "x<y", "u": "é"}, map[string]any{"s": "b", "t": "x>y", "u": "e"}},
		{"integers and lists", map[string]any{"a": 1, "l": []int64{1, 2}, "z": 0}, map[string]any{"a": -3, "l": []int64{1, 2, 3}, "z": false}},
		{"integers past a float's precision", map[string]any{"n": int64(1) << 60}, map[string]any{"n": int64(1)<<60 + 1}},
		{"null, absent and false", map[string]any{"a": nil, "b": false}, map[string]any{"b": nil, "c": nil}},
		{"negative zero", map[string]any{"n": 0.0}, map[string]any{"n": negativeZero()}},
		{"nested object", map[string]any{"o": map[string]any{"x": 1, "y": []any{"s"}}}, map[string]any{"o": map[string]any{"x": 2, "y": []any{"s"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			after, err := json.Marshal(tc.after)
			if err != nil {
				t.Fatal(err)
			}
			want, err := decodedDiff(tc.before, after)
			if err != nil {
				t.Fatal(err)
			}
			got, err := diff(tc.before, after)
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.Marshal(want)
			gotJSON, _ := json.Marshal(got)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("diff = %s, want %s", gotJSON, wantJSON)
			}
		})
	}
}

func negativeZero() float64 {
	z := 0.0
	return -z
}

// BenchmarkEventPayload is the payload of the mutation benchmark's change:
// a partnership moved to another stage with three tags replaced.
func BenchmarkEventPayload(b *testing.B) {
	id := func(v int64) *int64 { return &v }
	now := time.Now().UTC()
	before := pg.Partnership{ID: 7, UUID: "0196a2c4-5f0e-7b8a-9c1d-2e3f4a5b6c7d", OrganizationID: 1, PartnerID: 2, ProjectID: id(3),
		StageID: id(4), CreatedAt: now, UpdatedAt: now}
	after := before
	after.StageID, after.UpdatedAt = id(5), now.Add(time.Second)
	was := partnershipEvent{Partnership: &before, TagIDs: &[]int64{1, 2, 3}}
	is := partnershipEvent{Partnership: &after, TagIDs: &[]int64{4, 5, 6}}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := eventPayload(is, was, 7); err != nil {
			b.Fatal(err)
		}
	}
}

// TestPartnershipEventJSON: a partnership as its events show it is
// written byte for byte as encoding/json writes it.
func TestPartnershipEventJSON(t *testing.T) {
	id := func(v int64) *int64 { return &v }
	text := func(s string) *string { return &s }
	at := time.Date(2025, 3, 1, 12, 0, 0, 123456000, time.UTC)
	full := pg.Partnership{ID: 7, UUID: "0196a2c4-5f0e-7b8a-9c1d-2e3f4a5b6c7d", OrganizationID: 1, PartnerID: 2, ProjectID: id(3),
		IsDefault: true, TierID: id(4), CategoryID: id(5), StageID: id(-6), CreatedAt: at, UpdatedAt: at.Add(time.Second),
		FallbackData: pg.FallbackData{Name: text("Acme <&> \"Co\" \\ é \u2028 \x01 \xff"), LogoSquareUUID: text(""),
			WebsiteURL: text("https://acme.example/?a=1&b=2"), CountryLabel: text("Côte d’Ivoire")}}
	bare := pg.Partnership{ID: 8, CreatedAt: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), UpdatedAt: at.In(time.FixedZone("", -5*3600))}
	tags := func(ids ...int64) *[]int64 { return &ids }
	var none []int64
	for _, tc := range []struct {
		name string
		e    partnershipEvent
	}{
		{"every field", partnershipEvent{Partnership: &full, TagIDs: tags(1, 2, 3), AssignedUserIDs: tags(9)}},
		{"no optional field", partnershipEvent{Partnership: &bare}},
		{"empty lists", partnershipEvent{Partnership: &bare, TagIDs: tags(), AssignedUserIDs: &none}},
		{"custom values, left to encoding/json", partnershipEvent{Partnership: &bare, CustomFieldValues: map[string]any{"1": 2.5}}},
		{"a year encoding/json refuses", partnershipEvent{Partnership: &pg.Partnership{CreatedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := json.Marshal(tc.e)
			got, err := marshalRecord(tc.e)
			if string(got) != string(want) || (err == nil) != (wantErr == nil) {
				t.Errorf("marshalRecord = %s, %v\nencoding/json   %s, %v", got, err, want, wantErr)
			}
		})
	}
}
