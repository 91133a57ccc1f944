package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"

	pg "partnergraph"
)

// Guard refuses webhook URLs on addresses a gateway must not call on a
// customer's behalf: loopback, private, link-local (cloud metadata lives
// there), unspecified and multicast. Tests and private deployments allow
// them explicitly.
type Guard struct {
	AllowPrivate bool
	Resolver     *net.Resolver
}

// CheckURL validates an endpoint URL when it is registered; field names the
// input for the error.
func (g Guard) CheckURL(ctx context.Context, field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(raw) > 2048 || u.User != nil {
		return pg.InvalidField(field, "%s must be an http or https URL without credentials.", field)
	}
	if g.AllowPrivate {
		return nil
	}
	resolver := g.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", u.Hostname())
	if err != nil || len(addrs) == 0 {
		return pg.InvalidField(field, "%s: the host does not resolve.", field)
	}
	for _, a := range addrs {
		if !public(a) {
			return pg.InvalidField(field, "%s resolves to a private or reserved address.", field)
		}
	}
	return nil
}

func public(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() &&
		!netip.MustParsePrefix("100.64.0.0/10").Contains(a) && !netip.MustParsePrefix("fc00::/7").Contains(a)
}

// control checks the address actually dialled, so a host that resolved to
// a public address at registration cannot later point at a private one.
func (g Guard) control(_, address string, _ syscall.RawConn) error {
	if g.AllowPrivate {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return err
	}
	if !public(ap.Addr()) {
		return fmt.Errorf("refusing to connect to private address %s", ap.Addr())
	}
	return nil
}
