// Command gen generates the benchmark dataset into a fresh database and
// writes its manifest (keys and ids) as JSON.
//
//	go run ./bench/cmd/gen -db bench.db -manifest bench.json
//	go run ./bench/cmd/gen -db postgres://…/bench_x -secret-key HEX -partners 50000
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"partnergraph/bench/gen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := gen.Default()
	dsn := flag.String("db", "bench.db", "database: a SQLite file path or a postgres:// URL")
	manifest := flag.String("manifest", "", "write the dataset's manifest (keys, ids) here as JSON; - for stdout")
	secret := flag.String("secret-key", os.Getenv("PARTNERGRAPH_SECRET_KEY"), "64 hex characters; PostgreSQL needs it (env PARTNERGRAPH_SECRET_KEY)")
	fresh := flag.Bool("fresh", true, "drop and recreate the database first")
	drop := flag.Bool("drop", false, "only drop the database, then exit")
	quiet := flag.Bool("quiet", false, "do not report progress")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed: the same seed and sizes give the same rows")
	flag.IntVar(&cfg.Partners, "partners", cfg.Partners, "partners")
	flag.IntVar(&cfg.PartnershipsPerPartner, "partnerships-per-partner", cfg.PartnershipsPerPartner, "partnerships of each partner")
	flag.IntVar(&cfg.Tiers, "tiers", cfg.Tiers, "tiers")
	flag.IntVar(&cfg.Categories, "categories", cfg.Categories, "categories")
	flag.IntVar(&cfg.Stages, "stages", cfg.Stages, "pipeline stages (the last two restrict their transitions)")
	flag.IntVar(&cfg.Projects, "projects", cfg.Projects, "projects")
	flag.IntVar(&cfg.Tags, "tags", cfg.Tags, "tags")
	flag.IntVar(&cfg.Users, "users", cfg.Users, "users partnerships are assigned to")
	flag.IntVar(&cfg.TagsPerPartnership, "tags-per-partnership", cfg.TagsPerPartnership, "tags of each partnership")
	flag.IntVar(&cfg.UsersPerPartnership, "users-per-partnership", cfg.UsersPerPartnership, "assigned users of each partnership")
	flag.IntVar(&cfg.ValuesPerPartnership, "values-per-partnership", cfg.ValuesPerPartnership, "custom field values of each partnership (at most 6)")
	flag.IntVar(&cfg.Batch, "batch", cfg.Batch, "partnerships written per transaction")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *drop {
		return gen.Drop(ctx, *dsn)
	}
	if *secret != "" {
		key, err := hex.DecodeString(*secret)
		if err != nil || len(key) != 32 {
			return fmt.Errorf("-secret-key must be 64 hex characters")
		}
		cfg.SecretKey = key
	}
	if !*quiet {
		cfg.Log = os.Stderr
	}
	if *fresh {
		if err := gen.Reset(ctx, *dsn); err != nil {
			return err
		}
	}
	start := time.Now()
	m, err := gen.Generate(ctx, *dsn, cfg)
	if err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(os.Stderr, "generated %d partners and %d partnerships (%d tag, %d user and %d custom field value links) in %s (bulk load %.1fs)\n",
			m.Partners, m.Partnerships, m.Partnerships*cfg.TagsPerPartnership, m.Partnerships*cfg.UsersPerPartnership,
			m.Partnerships*cfg.ValuesPerPartnership, time.Since(start).Round(time.Millisecond), m.BulkSeconds)
	}
	if *manifest == "" {
		return nil
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	b = append(b, '\n')
	if *manifest == "-" {
		_, err = os.Stdout.Write(b)
		return err
	}
	if err := os.WriteFile(*manifest, b, 0o600); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}
