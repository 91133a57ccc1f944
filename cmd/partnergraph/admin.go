package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	pg "partnergraph"
	"partnergraph/store"
)

// open parses a command's flags (args) and opens its database: what every
// administrative command starts with.
// dsn and secret point at the flags' values, read once parsed.
func (f flags) open(ctx context.Context, args []string, dsn, secret *string) (*store.DB, error) {
	if err := f.Parse(args); err != nil {
		return nil, err
	}
	return openDB(ctx, *dsn, *secret)
}

func openDB(ctx context.Context, dsn, secret string) (*store.DB, error) {
	key, err := decodeKey(secret)
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, dsn, store.Options{SecretKey: key})
}

// migrate applies pending migrations (migrate, migrate up), rolls the
// latest one back (migrate down) or lists them (migrate status).
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	f := newFlags("migrate", stderr)
	f.Usage = func() {
		fmt.Fprintf(stderr, "Usage: partnergraph migrate [up|down|status] [--db DSN]\n\n"+
			"  up      apply every pending migration (the default)\n"+
			"  down    roll the latest applied migration back\n"+
			"  status  list the migrations and when each was applied\n\n")
		f.PrintDefaults()
	}
	dsn, _ := f.database() // the secret key is accepted, and not needed
	if err := f.Parse(args); err != nil {
		return err
	}
	if f.NArg() == 1 && sub == "up" && len(args) > 0 {
		sub = f.Arg(0) // flags first: migrate --db DSN status
	} else if f.NArg() > 0 {
		return fmt.Errorf("migrate: unexpected %q (usage: partnergraph migrate [up|down|status] [--db DSN])", f.Arg(0))
	}
	run, ok := map[string]func(context.Context, *store.Migrator, string, io.Writer) error{
		"up": migrateUp, "down": migrateDown, "status": migrateStatus,
	}[sub]
	if !ok {
		return fmt.Errorf("unknown migrate subcommand %q: up, down or status", sub)
	}
	m, err := store.OpenMigrator(ctx, *dsn)
	if err != nil {
		return err
	}
	defer m.Close()
	return run(ctx, m, store.DisplayName(*dsn), stdout)
}

func migrateUp(ctx context.Context, m *store.Migrator, name string, stdout io.Writer) error {
	applied, err := m.Up(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	for _, r := range applied {
		fmt.Fprintf(stdout, "Applied %s in %s.\n", r.Name, r.Duration.Round(time.Microsecond))
	}
	v, err := m.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Database %s is migrated: version %d.\n", name, v)
	return nil
}

func migrateDown(ctx context.Context, m *store.Migrator, name string, stdout io.Writer) error {
	r, err := m.Down(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	v, err := m.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Rolled back %s in %s.\nDatabase %s is at version %d.\n", r.Name, r.Duration.Round(time.Microsecond), name, v)
	return nil
}

func migrateStatus(ctx context.Context, m *store.Migrator, name string, stdout io.Writer) error {
	st, err := m.Status(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	v, err := m.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Database %s is at version %d.\n\n", name, v)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tMIGRATION\tAPPLIED")
	for _, s := range st {
		applied := "pending"
		if s.AppliedAt != nil {
			applied = s.AppliedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", s.Version, s.Name, applied)
	}
	return tw.Flush()
}

func bootstrap(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("bootstrap", stderr)
	dsn, secret := f.database()
	org := f.String("org", "", "name of the organization to create")
	email := f.String("email", "", "email of its first ADMIN user")
	name := f.String("name", "", "name of the ADMIN user (default: the email)")
	asJSON := f.Bool("json", false, "print the result as JSON")
	if err := f.Parse(args); err != nil {
		return err
	}
	if *org == "" || *email == "" {
		return fmt.Errorf("bootstrap needs --org and --email")
	}
	if *name == "" {
		*name = *email
	}
	db, err := openDB(ctx, *dsn, *secret)
	if err != nil {
		return err
	}
	defer db.Close()
	o, err := db.CreateOrganization(ctx, *org)
	if err != nil {
		return err
	}
	a := pg.Actor{OrganizationID: o.ID, KeyOrganizationID: o.ID, Role: pg.RoleAdmin, Permission: pg.PermissionWrite}
	u, err := db.CreateUser(ctx, a, pg.UserCreate{Name: *name, Email: *email, Role: pg.RoleAdmin})
	if err != nil {
		return err
	}
	_, key, err := db.CreateAPIKey(ctx, a, pg.APIKeyCreate{UserID: u.ID, Name: "bootstrap", Permission: pg.PermissionWrite})
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{
			"organization": map[string]any{"id": o.ID, "uuid": o.UUID, "name": o.Name},
			"user":         map[string]any{"id": u.ID, "uuid": u.UUID, "email": u.Email},
			"apiKey":       key,
		})
	}
	fmt.Fprintf(stdout, "Organization %q (id %d, uuid %s)\nAdmin %s (id %d)\nAPI key (WRITE, shown once): %s\n", o.Name, o.ID, o.UUID, u.Email, u.ID, key)
	return nil
}

const apikeyUsage = `Usage:
  partnergraph apikey create --org ID --user ID [--permission READ|WRITE] [--name NAME] [--expires-in DURATION]
  partnergraph apikey list   --org ID
  partnergraph apikey revoke --org ID KEY_ID

ID is an organization's or a user's integer id, as bootstrap prints them.
Every subcommand also takes --db DSN; "partnergraph apikey SUBCOMMAND --help"
lists its flags.
`

// apikey creates, lists and revokes the API keys of one organization.
func apikey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return command{name: "apikey", usage: apikeyUsage, subcommands: []subcommand{
		{"create", apikeyCreate}, {"list", apikeyList}, {"revoke", apikeyRevoke},
	}}.run(ctx, args, stdout, stderr)
}

// command is a command made of subcommands, such as apikey create.
type command struct {
	name, usage string
	subcommands []subcommand
}

type subcommand struct {
	name string
	run  func(ctx context.Context, f flags, args []string, stdout io.Writer) error
}

// run runs the subcommand args[0] names with the rest of args, prints the
// usage for help, and names the subcommands when none or another is given.
func (c command) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(stdout, c.usage)
		return nil
	}
	names := make([]string, len(c.subcommands))
	for i, sub := range c.subcommands {
		if len(args) > 0 && sub.name == args[0] {
			return sub.run(ctx, newFlags(c.name+" "+sub.name, stderr), args[1:], stdout)
		}
		names[i] = sub.name
	}
	choice := strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
	fmt.Fprint(stderr, c.usage)
	if len(args) == 0 {
		return fmt.Errorf("%s needs a subcommand: %s", c.name, choice)
	}
	return fmt.Errorf("unknown %s subcommand %q: %s", c.name, args[0], choice)
}

// isHelp reports whether arg asks for help rather than naming a subcommand.
func isHelp(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// orgFlag adds --org, the organization an apikey subcommand acts on.
func (f flags) orgFlag() *int64 {
	return f.Int64("org", 0, "id of the organization (required; bootstrap prints it)")
}

// needOrg says what is missing when --org was not given.
func needOrg(cmd string, org int64) error {
	if org <= 0 {
		return fmt.Errorf("%s needs --org ID: the id of the organization whose keys these are (bootstrap prints it)", cmd)
	}
	return nil
}

func apikeyCreate(ctx context.Context, f flags, args []string, stdout io.Writer) error {
	dsn, secret := f.database()
	orgID := f.orgFlag()
	userID := f.Int64("user", 0, "id of the user the key acts as (required)")
	name := f.String("name", "cli", "name of the key")
	perm := f.String("permission", "READ", "READ or WRITE")
	ttl := f.Duration("expires-in", 0, "expire the key after this long, such as 720h (0: never)")
	if err := f.Parse(args); err != nil {
		return err
	}
	if err := needOrg("apikey create", *orgID); err != nil {
		return err
	}
	if *userID <= 0 {
		return fmt.Errorf("apikey create needs --user ID: the id of the user the key acts as")
	}
	db, err := openDB(ctx, *dsn, *secret)
	if err != nil {
		return err
	}
	defer db.Close()
	c := pg.APIKeyCreate{UserID: *userID, Name: *name, Permission: pg.Permission(*perm)}
	if *ttl > 0 {
		t := time.Now().Add(*ttl)
		c.ExpiresAt = &t
	}
	k, key, err := db.CreateAPIKey(ctx, pg.Actor{OrganizationID: *orgID}, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API key %d (%s, %s), shown once:\n%s\n", k.ID, k.Name, k.Permission, key)
	return nil
}

func apikeyList(ctx context.Context, f flags, args []string, stdout io.Writer) error {
	dsn, secret := f.database()
	orgID := f.orgFlag()
	if err := f.Parse(args); err != nil {
		return err
	}
	if err := needOrg("apikey list", *orgID); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, *secret)
	if err != nil {
		return err
	}
	defer db.Close()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPREFIX\tNAME\tUSER\tPERMISSION\tCREATED\tLAST USED\tREVOKED")
	var after *pg.Cursor
	for {
		l, err := db.APIKeys(ctx, pg.Actor{OrganizationID: *orgID}, pg.PageRequest{Limit: pg.MaxPageSize, After: after})
		if err != nil {
			return err
		}
		for _, k := range l.Items {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", k.ID, k.Prefix, k.Name, k.UserID, k.Permission,
				k.CreatedAt.Format(time.RFC3339), fmtTime(k.LastUsedAt), fmtTime(k.RevokedAt))
		}
		if !l.HasNext {
			break
		}
		c := l.Cursor(l.Items[len(l.Items)-1])
		after = &c
	}
	return tw.Flush()
}

func apikeyRevoke(ctx context.Context, f flags, args []string, stdout io.Writer) error {
	dsn, secret := f.database()
	orgID := f.orgFlag()
	if err := f.Parse(args); err != nil {
		return err
	}
	if err := needOrg("apikey revoke", *orgID); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return fmt.Errorf("apikey revoke needs the key's id (apikey list shows it)")
	}
	id, err := strconv.ParseInt(f.Arg(0), 10, 64)
	if err != nil {
		return fmt.Errorf("key id %q is not an integer", f.Arg(0))
	}
	db, err := openDB(ctx, *dsn, *secret)
	if err != nil {
		return err
	}
	defer db.Close()
	k, err := db.RevokeAPIKey(ctx, pg.Actor{OrganizationID: *orgID}, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "API key %d (%s) revoked at %s\n", k.ID, k.Prefix, k.RevokedAt.Format(time.RFC3339))
	return nil
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
