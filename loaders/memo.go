package loaders

import (
	"context"
	"sync"

	"github.com/graph-gophers/dataloader/v7"
)

// memo is a loader's batch function with a memory. Batches of one loader run
// one at a time; each fetches the keys it was given plus every key the
// request is known to want (expand), and remembers the results, so a batch
// that starts while another is fetching finds its keys already answered and
// sends no statement.
type memo[K comparable, V any] struct {
	fetch  func(ctx context.Context, keys []K) (map[K]V, error)
	expand func(keys []K) []K

	mu   sync.Mutex
	done map[K]result[V]
}

type result[V any] struct {
	v  V
	ok bool
}

func newMemo[K comparable, V any](fetch func(context.Context, []K) (map[K]V, error), expand func([]K) []K) *memo[K, V] {
	return &memo[K, V]{fetch: fetch, expand: expand, done: map[K]result[V]{}}
}

// prime records values another loader's statement brought along, so this
// loader need not fetch them.
func (m *memo[K, V]) prime(vals map[K]V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range vals {
		if _, done := m.done[k]; !done {
			m.done[k] = result[V]{v: v, ok: true}
		}
	}
}

// batch returns the dataloader batch function. missing gives the error of a
// key that has no value; nil gives it the zero value.
func (m *memo[K, V]) batch(missing func(K) error) dataloader.BatchFunc[K, V] {
	return func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		m.mu.Lock()
		defer m.mu.Unlock()
		want := keys
		// Expanding costs as much as the request has records: do it only
		// when a key is not answered yet, so the many small batches of a
		// wide query stay cheap.
		if m.expand != nil && !m.answered(keys) {
			want = append(append([]K{}, keys...), m.expand(keys)...)
		}
		var need []K
		seen := make(map[K]bool, len(want))
		for _, k := range want {
			if _, done := m.done[k]; !done && !seen[k] {
				seen[k] = true
				need = append(need, k)
			}
		}
		if len(need) > 0 {
			vals, err := m.fetch(ctx, need)
			if err != nil {
				return fail[K, V](keys, err)
			}
			for _, k := range need {
				v, ok := vals[k]
				m.done[k] = result[V]{v: v, ok: ok}
			}
		}
		out := make([]*dataloader.Result[V], len(keys))
		for i, k := range keys {
			r := m.done[k]
			switch {
			case r.ok, missing == nil:
				out[i] = &dataloader.Result[V]{Data: r.v}
			default:
				out[i] = &dataloader.Result[V]{Error: missing(k)}
			}
		}
		return out
	}
}

// answered reports whether every key has its result; callers hold mu.
func (m *memo[K, V]) answered(keys []K) bool {
	for _, k := range keys {
		if _, done := m.done[k]; !done {
			return false
		}
	}
	return true
}

func fail[K comparable, V any](keys []K, err error) []*dataloader.Result[V] {
	out := make([]*dataloader.Result[V], len(keys))
	for i := range keys {
		out[i] = &dataloader.Result[V]{Error: err}
	}
	return out
}
