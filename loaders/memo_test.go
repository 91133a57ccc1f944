package loaders

import (
	"context"
	"errors"
	"sync"
	"testing"

	pg "partnergraph"
)

func TestMemoLinesResultsUpWithKeys(t *testing.T) {
	var calls [][]int64
	var mu sync.Mutex
	m := newMemo[int64, string](func(_ context.Context, keys []int64) (map[int64]string, error) {
		mu.Lock()
		calls = append(calls, keys)
		mu.Unlock()
		out := map[int64]string{}
		for _, k := range keys {
			if k%2 == 0 { // odd keys have no record
				out[k] = string(rune('a' + k))
			}
		}
		return out, nil
	}, func([]int64) []int64 { return []int64{6, 8} })
	batch := m.batch(func(k int64) error { return pg.NotFoundf("no %d", k) })

	got := batch(context.Background(), []int64{4, 1, 2, 4})
	want := []struct {
		data string
		code pg.Code
	}{{"e", ""}, {"", pg.NotFound}, {"c", ""}, {"e", ""}}
	for i, w := range want {
		if got[i].Data != w.data || (w.code != "" && pg.ErrorCode(got[i].Error) != w.code) || (w.code == "" && got[i].Error != nil) {
			t.Fatalf("result %d: %+v, want %+v", i, got[i], w)
		}
	}
	// The expanded keys were fetched with the first batch: asking for them
	// later sends nothing.
	if r := batch(context.Background(), []int64{8, 6}); r[0].Data != "i" || r[1].Data != "g" {
		t.Fatalf("expanded keys: %+v %+v", r[0], r[1])
	}
	if len(calls) != 1 {
		t.Fatalf("want 1 fetch, got %d: %v", len(calls), calls)
	}
}

func TestMemoFailsEveryKeyOnError(t *testing.T) {
	boom := errors.New("boom")
	m := newMemo[int64, int](func(context.Context, []int64) (map[int64]int, error) { return nil, boom }, nil)
	for _, r := range m.batch(nil)(context.Background(), []int64{1, 2}) {
		if !errors.Is(r.Error, boom) {
			t.Fatalf("want the fetch error, got %+v", r)
		}
	}
	if len(m.done) != 0 {
		t.Fatal("a failed fetch must not be remembered")
	}
}
