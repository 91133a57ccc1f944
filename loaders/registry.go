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
	values       []*pg.CustomFieldValue
	orgRefs      map[int64]bool
}

// reset empties r.
func (r *registry) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.partners, r.partnerships = map[int64]*pg.Partner{}, map[int64]*pg.Partnership{}
	r.projects, r.stages, r.values, r.orgRefs = map[int64]*pg.Project{}, map[int64]*pg.Stage{}, nil, map[int64]bool{}
}

// The Register methods record records of the request: root fields call them
// with the lists they return, loaders with what they fetch. Records whose
// type has no dependant edges need no registering.

// RegisterPartners records partners: their partnerships, relationships,
// integrations and organizations are then fetched for all of them at once.
func (l *Loaders) RegisterPartners(ps []*pg.Partner) {
	r := l.lock()
	defer r.mu.Unlock()
	for _, p := range ps {
		r.partners[p.ID] = p
		r.orgRefs[p.OrganizationID] = true
		if p.GuestOrganizationID != nil {
			r.orgRefs[*p.GuestOrganizationID] = true
		}
	}
}

// RegisterPartnerships records partnerships, whose partner, references,
// tags, assigned users and custom field values are then fetched together.
func (l *Loaders) RegisterPartnerships(ps []*pg.Partnership) {
	r := l.lock()
	defer r.mu.Unlock()
	for _, p := range ps {
		r.partnerships[p.ID] = p
		r.orgRefs[p.OrganizationID] = true
	}
}

// RegisterProjects records projects, whose partnerships and organizations
// are then fetched together.
func (l *Loaders) RegisterProjects(ps []*pg.Project) {
	r := l.lock()
	defer r.mu.Unlock()
	for _, p := range ps {
		r.projects[p.ID] = p
		r.orgRefs[p.OrganizationID] = true
	}
}

// RegisterStages records stages, whose allowed next stages are then
// fetched together.
func (l *Loaders) RegisterStages(ss []*pg.Stage) {
	r := l.lock()
	defer r.mu.Unlock()
	for _, s := range ss {
		r.stages[s.ID] = s
	}
}

// RegisterUsers records users, whose organizations are then fetched together.
func (l *Loaders) RegisterUsers(us []*pg.User) {
	r := l.lock()
	defer r.mu.Unlock()
	for _, u := range us {
		r.orgRefs[u.OrganizationID] = true
	}
}

// RegisterValues records custom field values, whose fields are then
// fetched together.
func (l *Loaders) RegisterValues(vs []*pg.CustomFieldValue) {
	r := l.lock()
	defer r.mu.Unlock()
	r.values = append(r.values, vs...)
}

// RegisterRelationships records relationships, whose organizations are
// then fetched together.
func (l *Loaders) RegisterRelationships(rs []*pg.Relationship) {
	r := l.lock()
	defer r.mu.Unlock()
	for _, v := range rs {
		r.orgRefs[v.OrganizationID], r.orgRefs[v.CompanyID] = true, true
	}
}

// RegisterIntegrations records partner integrations, whose organizations
// are then fetched together.
func (l *Loaders) RegisterIntegrations(is []*pg.PartnerIntegration) {
	r := l.lock()
	defer r.mu.Unlock()
	for _, v := range is {
		r.orgRefs[v.OrganizationID], r.orgRefs[v.BusinessID] = true, true
	}
}

func (l *Loaders) lock() *registry {
	l.registry.mu.Lock()
	return &l.registry
}

// keys collects the ids a registry map holds, or a key derived from its
// records.
func keys[V any](r *registry, m map[int64]V, key func(V) *int64) []int64 {
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
