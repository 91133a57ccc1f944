package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// flags is a command's flag set whose every flag defaults to an environment
// variable, so a container can be configured either way.
type flags struct {
	*flag.FlagSet
}

func newFlags(name string, stderr io.Writer) flags {
	fs := flag.NewFlagSet("partnergraph "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return flags{fs}
}

func (f flags) string(name, env, def, help string) *string {
	p := new(string)
	f.stringVar(p, name, env, def, help)
	return p
}

func (f flags) stringVar(p *string, name, env, def, help string) {
	if v, ok := os.LookupEnv(env); ok {
		def = v
	}
	f.StringVar(p, name, def, fmt.Sprintf("%s (env %s)", help, env))
}

func (f flags) bool(name, env string, def bool, help string) *bool {
	p := new(bool)
	f.boolVar(p, name, env, def, help)
	return p
}

func (f flags) boolVar(p *bool, name, env string, def bool, help string) {
	if v, ok := os.LookupEnv(env); ok {
		if b, err := strconv.ParseBool(v); err == nil {
			def = b
		}
	}
	f.BoolVar(p, name, def, fmt.Sprintf("%s (env %s)", help, env))
}

func (f flags) int(name, env string, def int, help string) *int {
	p := new(int)
	f.intVar(p, name, env, def, help)
	return p
}

func (f flags) intVar(p *int, name, env string, def int, help string) {
	if v, ok := os.LookupEnv(env); ok {
		if n, err := strconv.Atoi(v); err == nil {
			def = n
		}
	}
	f.IntVar(p, name, def, fmt.Sprintf("%s (env %s)", help, env))
}

func (f flags) duration(name, env string, def time.Duration, help string) *time.Duration {
	p := new(time.Duration)
	f.durationVar(p, name, env, def, help)
	return p
}

func (f flags) durationVar(p *time.Duration, name, env string, def time.Duration, help string) {
	if v, ok := os.LookupEnv(env); ok {
		if d, err := time.ParseDuration(v); err == nil {
			def = d
		}
	}
	f.DurationVar(p, name, def, fmt.Sprintf("%s (env %s)", help, env))
}

// database adds the --db and --secret-key flags every command shares.
func (f flags) database() (dsn, secretKey *string) {
	dsn = f.string("db", "PARTNERGRAPH_DB", "partnergraph.db", "database: a SQLite file path or a postgres:// URL")
	secretKey = f.string("secret-key", "PARTNERGRAPH_SECRET_KEY", "",
		"64 hex characters (32 bytes) encrypting integration passwords; SQLite keeps a generated one in DB.key when unset")
	return dsn, secretKey
}

func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	key, err := hex.DecodeString(s)
	if err != nil || len(key) != 32 {
		return nil, fmt.Errorf("--secret-key must be 64 hex characters")
	}
	return key, nil
}
