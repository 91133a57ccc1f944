package server

import (
	"net/http"

	"partnergraph/graphiql"
)

// graphiqlHandler serves GraphiQL, with its assets embedded, at /graphiql.
func graphiqlHandler() http.Handler { return graphiql.Handler("/graphiql", "/graphql") }
