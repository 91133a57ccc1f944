package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vektah/gqlparser/v2"

	"partnergraph/graph"
)

const operationsUsage = `Usage:
  partnergraph operations add [--name NAME] FILE.graphql …   register operations (each file's name names it)
  partnergraph operations list                                list them with their sha256
  partnergraph operations remove SHA256                       unregister one

Registered operations run by hash alone on every process; serve --allow-list
runs nothing else over /graphql. Every subcommand also takes --db DSN.
`

// operations manages the registered operations: the allow-list of
// serve --allow-list, which clients may also send by hash alone.
func operations(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return command{name: "operations", usage: operationsUsage, subcommands: []subcommand{
		{"add", operationsAdd}, {"list", operationsList}, {"remove", operationsRemove},
	}}.run(ctx, args, stdout, stderr)
}

func operationsAdd(ctx context.Context, f flags, args []string, stdout io.Writer) error {
	dsn, secret := f.database()
	name := f.String("name", "", "name of the operation (default: the file's name)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() == 0 {
		return fmt.Errorf("operations add needs one or more .graphql files")
	}
	// Check every document before registering any: an operation that
	// cannot run must not reach the allow-list.
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	docs := map[string]string{}
	for _, path := range f.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if _, errs := gqlparser.LoadQuery(schema, string(b)); len(errs) > 0 {
			return fmt.Errorf("%s: %w", path, errs)
		}
		n := *name
		if n == "" || f.NArg() > 1 {
			n = strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		}
		docs[n] = string(b)
	}
	db, err := openDB(ctx, *dsn, *secret)
	if err != nil {
		return err
	}
	defer db.Close()
	for n, q := range docs {
		op, err := db.RegisterOperation(ctx, n, q)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\t%s\n", op.Hash, op.Name)
	}
	return nil
}

func operationsList(ctx context.Context, f flags, args []string, stdout io.Writer) error {
	dsn, secret := f.database()
	db, err := f.open(ctx, args, dsn, secret)
	if err != nil {
		return err
	}
	defer db.Close()
	ops, err := db.PersistedOperations(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SHA256\tNAME\tREGISTERED")
	for _, op := range ops {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", op.Hash, op.Name, op.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

func operationsRemove(ctx context.Context, f flags, args []string, stdout io.Writer) error {
	dsn, secret := f.database()
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return fmt.Errorf("operations remove needs the operation's sha256 (operations list shows it)")
	}
	db, err := openDB(ctx, *dsn, *secret)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.UnregisterOperation(ctx, f.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "removed %s\n", f.Arg(0))
	return nil
}
