package server_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"partnergraph/pgtest"
	"partnergraph/server"
)

// TestStalledBodyEndsWithTheRequestTimeout: a request's time limit covers
// reading its body. A client that sends its headers and part of a body,
// then nothing, once held its connection and goroutine for as long as it
// liked; past --request-timeout the server now stops reading and closes
// the connection, on /graphql and the REST routes alike.
func TestStalledBodyEndsWithTheRequestTimeout(t *testing.T) {
	env := pgtest.New(t, "sqlite", func(c *server.Config) { c.RequestTimeout = 500 * time.Millisecond })
	org := env.Org(t, "Acme")
	for _, path := range []string{"/graphql", "/api/v1/partnerships/1"} {
		t.Run(strings.Trim(strings.ReplaceAll(path, "/", "_"), "_"), func(t *testing.T) {
			method := "POST"
			if path != "/graphql" {
				method = "PATCH"
			}
			conn, err := net.Dial("tcp", strings.TrimPrefix(env.Server.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\":", method, path, org.Read)
			conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			start := time.Now()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err == nil {
				resp.Body.Close()
			} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("the server still waits for the body after %s", time.Since(start).Round(time.Millisecond))
			}
			if took := time.Since(start); took > 3*time.Second {
				t.Fatalf("the stalled request ended after %s, past its timeout", took)
			}
		})
	}
}
