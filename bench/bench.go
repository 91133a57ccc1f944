// Package bench holds the workloads of partnergraph's performance harness:
// the GraphQL documents every driver sends (the dashboard a frontend renders,
// a page of partnerships, a partnership update) and the request bodies built
// from them. The dataset generator is in bench/gen, the hand-written baseline
// in bench/baseline, the load generator in bench/load; bench/run ties them
// together.
package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	pg "partnergraph"
	"partnergraph/bench/gen"
)

// Dashboard is the nested query one frontend screen sends: a page of
// partners, each with its first partnerships and every edge a partnership
// row shows. The baseline answers exactly this document.
const Dashboard = `query Dashboard($partners: Int!, $partnerships: Int!) {
  partners(first: $partners) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      databaseId
      companyName
      partnerType
      partnerships(first: $partnerships) {
        nodes {
          id
          databaseId
          isDefault
          isSupport
          project { id name }
          tier { id name rank }
          category { id name }
          stage { id name position }
          tags { id name }
          assignedUsers { id name email }
          customFieldValues {
            field { id name type }
            text
            number
            date
            boolean
            select { id label }
            multiSelect { id label }
          }
        }
      }
    }
  }
}`

// Default dashboard page sizes: 50 partners, 10 partnerships each.
const (
	DashboardPartners     = 50
	DashboardPartnerships = 10
)

// PartnershipPage is one page of the organization's partnerships in the
// default order (created_at, id), for the pagination benchmark.
const PartnershipPage = `query Page($first: Int!, $after: String) {
  partnerships(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id databaseId uuid createdAt }
  }
}`

// UpdatePartnership moves a partnership to another stage and replaces its
// tags: the mutation benchmark's write.
const UpdatePartnership = `mutation Update($input: UpdatePartnershipInput!) {
  updatePartnership(input: $input) {
    partnership { id stage { id } tags { id } }
  }
}`

// Body is a GraphQL request body.
type Body struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName,omitempty"`
	Variables     map[string]any `json:"variables,omitempty"`
}

// DashboardBody returns the body of a dashboard request for partners
// partners with their first partnerships partnerships.
func DashboardBody(partners, partnerships int) []byte {
	return mustJSON(Body{Query: Dashboard, OperationName: "Dashboard",
		Variables: map[string]any{"partners": partners, "partnerships": partnerships}})
}

// PageBody returns the body of a partnerships page after cursor (none: the
// first page).
func PageBody(first int, after string) []byte {
	vars := map[string]any{"first": first}
	if after != "" {
		vars["after"] = after
	}
	return mustJSON(Body{Query: PartnershipPage, OperationName: "Page", Variables: vars})
}

// UpdateBody returns the body of an updatePartnership mutation setting the
// stage and replacing the tags; ids are global IDs.
func UpdateBody(partnership, stage string, tags []string) []byte {
	return mustJSON(Body{Query: UpdatePartnership, OperationName: "Update", Variables: map[string]any{
		"input": map[string]any{"id": partnership, "stageId": stage, "tagIds": tags},
	}})
}

// Moves returns the bodies one client of the mutation benchmark sends, one
// per call: a random movable partnership of the dataset moved to a random
// open stage (always an allowed transition) with three random tags. Each
// client's sequence is fixed by seed and client.
func Moves(m *gen.Manifest, seed uint64, client int) (func() []byte, error) {
	if len(m.Movable) == 0 || len(m.OpenStages) == 0 || len(m.Tags) < 3 {
		return nil, fmt.Errorf("the dataset has no movable partnerships, open stages or three tags")
	}
	rng := rand.New(rand.NewPCG(seed, uint64(client)))
	return func() []byte {
		tags := make([]string, 3)
		for i, j := range rng.Perm(len(m.Tags))[:3] {
			tags[i] = pg.GlobalID("Tag", m.Tags[j])
		}
		return UpdateBody(pg.GlobalID("Partnership", m.Movable[rng.IntN(len(m.Movable))]),
			pg.GlobalID("Stage", m.OpenStages[rng.IntN(len(m.OpenStages))]), tags)
	}, nil
}

// mustJSON encodes v, which holds only strings, numbers, maps and slices and
// so always encodes.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("bench: encode request body: %v", err))
	}
	return b
}
