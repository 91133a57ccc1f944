package webhook

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"

	"code.dny.dev/ssrf"

	pg "partnergraph"
)

// Guard refuses webhook URLs on addresses a gateway must not call on a
// customer's behalf: every range of the IANA IPv4 and IPv6 Special-Purpose
// Address Registries (loopback, private, shared, link-local where cloud
// metadata lives, benchmarking, documentation, reserved, multicast, the
// IPv6 forms that embed an IPv4 address: mapped, NAT64, 6to4, Teredo) and
// every IPv6 address outside global unicast. The table is
// code.dny.dev/ssrf's, generated from the registries by its ssrfgen, so it
// follows them rather than a hand list. An IPv4-mapped IPv6 address is
// judged as the IPv4 address it maps. Tests and private deployments allow
// them all explicitly (AllowPrivate).
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

// special is the registries' table, for any port and network.
var special = ssrf.New(ssrf.WithAnyPort(), ssrf.WithAnyNetwork())

// public reports whether a is outside every special-purpose range.
func public(a netip.Addr) bool {
	return special.Safe("tcp", netip.AddrPortFrom(a.Unmap(), 443).String(), nil) == nil
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
