package server

import "net/http"

// graphiqlHandler is replaced by the embedded GraphiQL package.
func graphiqlHandler() http.Handler { return http.NotFoundHandler() }
