package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
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

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newFlags("migrate", stderr)
	dsn, secret := f.database()
	if err := f.Parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn, *secret)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "Database %s is migrated.\n", db.Dialect())
	return nil
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

func apikey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("apikey needs a subcommand: create, list or revoke")
	}
	f := newFlags("apikey "+args[0], stderr)
	dsn, secret := f.database()
	orgID := f.Int64("org", 0, "organization id")
	switch args[0] {
	case "create":
		userID := f.Int64("user", 0, "id of the user the key acts as")
		name := f.String("name", "cli", "name of the key")
		perm := f.String("permission", "READ", "READ or WRITE")
		ttl := f.Duration("expires-in", 0, "expire the key after this long (0: never)")
		db, err := f.open(ctx, args[1:], dsn, secret)
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
	case "list":
		db, err := f.open(ctx, args[1:], dsn, secret)
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
	case "revoke":
		if err := f.Parse(args[1:]); err != nil {
			return err
		}
		if f.NArg() != 1 {
			return fmt.Errorf("apikey revoke needs the key's id")
		}
		id, err := strconv.ParseInt(f.Arg(0), 10, 64)
		if err != nil {
			return fmt.Errorf("key id: %w", err)
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
	return fmt.Errorf("unknown apikey subcommand %q", args[0])
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
