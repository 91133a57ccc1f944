// Command partnergraph is the partnership graph gateway: it serves the
// GraphQL API, GraphiQL and the REST compatibility shim, and administers
// the database.
//
//	partnergraph serve     --db DSN --addr HOST:PORT [--demo]
//	partnergraph bootstrap --db DSN --org NAME --email EMAIL [--json]
//	partnergraph migrate   [up|down|status] --db DSN
//	partnergraph apikey    create|list|revoke --org ID …
//	partnergraph operations add|list|remove …
//	partnergraph --version
//
// Every flag also reads an environment variable, named in its help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return // --help printed what was asked for
		}
		fmt.Fprintln(os.Stderr, "partnergraph:", err)
		os.Exit(2)
	}
}

const usage = `partnergraph: a GraphQL gateway over partner relationship data.

Usage:
  partnergraph serve     [--db DSN] [--addr HOST:PORT] [--demo]   serve the API (see serve --help)
  partnergraph bootstrap --org NAME --email EMAIL [--json]        create an organization, its admin and a WRITE key
  partnergraph migrate   up|down|status [--db DSN]                apply, roll back one or list migrations
  partnergraph apikey    create|list|revoke --org ID              manage API keys
  partnergraph operations add|list|remove                         manage registered operations (serve --allow-list)
  partnergraph --version                                          print the version and revision

DSN is a SQLite file path (default partnergraph.db) or a postgres:// URL.
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "bootstrap":
		return bootstrap(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "apikey":
		return apikey(ctx, args[1:], stdout, stderr)
	case "operations":
		return operations(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		printVersion(stdout)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}
