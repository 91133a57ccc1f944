package loaders

import (
	"sync"

	pg "partnergraph"
)

// registry remembers every record a request has produced so far: root
// fields register their lists, loaders register what they fetch. A loader's
// batch then fetches for every registered parent at once, not only for the
// keys that reached it within its wait window, so the number of statements a
// query costs depends on its shape alone, however the scheduler interleaves
// the resolvers.
type registry struct {
	mu           sync.Mutex
	partners     map[int64]*pg.Partner
	partnerships map[int64]*pg.Partnership
	projects     map[int64]*pg.Project
	stages       map[int64]*pg.Stage
	users        map[int64]*pg.User
	values       []*pg.CustomFieldValue
	orgRefs      map[int64]bool
}

func newRegistry() *registry {
	return &registry{
		partners: map[int64]*pg.Partner{}, partnerships: map[int64]*pg.Partnership{},
		projects: map[int64]*pg.Project{}, stages: map[int64]*pg.Stage{}, users: map[int64]*pg.User{},
		orgRefs: map[int64]bool{},
	}
}

// Register records records of the request: root fields call it with the
// lists they return. Types without dependants are ignored.
func (l *Loaders) Register(records ...any) {
	r := l.registry
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rec := range records {
		switch v := rec.(type) {
		case *pg.Partner:
			r.partners[v.ID] = v
			r.orgRefs[v.OrganizationID] = true
			if v.GuestOrganizationID != nil {
				r.orgRefs[*v.GuestOrganizationID] = true
			}
		case *pg.Partnership:
			r.partnerships[v.ID] = v
			r.orgRefs[v.OrganizationID] = true
		case *pg.Project:
			r.projects[v.ID] = v
			r.orgRefs[v.OrganizationID] = true
		case *pg.Stage:
			r.stages[v.ID] = v
		case *pg.User:
			r.users[v.ID] = v
			r.orgRefs[v.OrganizationID] = true
		case *pg.CustomFieldValue:
			r.values = append(r.values, v)
		case *pg.Relationship:
			r.orgRefs[v.OrganizationID], r.orgRefs[v.CompanyID] = true, true
		case *pg.PartnerIntegration:
			r.orgRefs[v.OrganizationID], r.orgRefs[v.BusinessID] = true, true
		}
	}
}

// register records each item of a list.
func register[T any](l *Loaders, items []T) {
	recs := make([]any, len(items))
	for i, it := range items {
		recs[i] = it
	}
	l.Register(recs...)
}

// ids collects the ids a registry map holds, or a key derived from its
// records.
func ids[V any](r *registry, m map[int64]V, key func(V) *int64) []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int64, 0, len(m))
	for id, v := range m {
		if key == nil {
			out = append(out, id)
			continue
		}
		if k := key(v); k != nil {
			out = append(out, *k)
		}
	}
	return out
}

func (r *registry) fieldIDs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int64, 0, len(r.values))
	for _, v := range r.values {
		out = append(out, v.FieldID)
	}
	return out
}

func (r *registry) organizationIDs() []int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]int64, 0, len(r.orgRefs))
	for id := range r.orgRefs {
		out = append(out, id)
	}
	return out
}
