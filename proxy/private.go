package proxy

import (
	"net/netip"
)

// private4 and private6 are the destinations the proxy never dials (design.md §3
// rule 8), checked after unwrapping embedded IPv4 addresses. The
// documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
// 2001:db8::/32) are deliberately absent: they stand for public servers.
var private4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network", unspecified
	netip.MustParsePrefix("10.0.0.0/8"),     // RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),  // CGNAT, RFC 6598
	netip.MustParsePrefix("127.0.0.0/8"),    // loopback
	netip.MustParsePrefix("169.254.0.0/16"), // link-local
	netip.MustParsePrefix("172.16.0.0/12"),  // RFC 1918
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments (DS-Lite, NAT64 discovery)
	netip.MustParsePrefix("192.168.0.0/16"), // RFC 1918
	netip.MustParsePrefix("198.18.0.0/15"),  // benchmarking, RFC 2544 (lab networks)
	netip.MustParsePrefix("224.0.0.0/4"),    // multicast
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, includes 255.255.255.255 broadcast
}

// private6 is the IPv6 part of the list, checked after embedded IPv4
// addresses are unwrapped.
var private6 = []netip.Prefix{
	netip.MustParsePrefix("::/128"),         // unspecified
	netip.MustParsePrefix("::1/128"),        // loopback
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64, RFC 8215 (embedding not fixed)
	netip.MustParsePrefix("100::/64"),       // discard-only, RFC 6666
	netip.MustParsePrefix("fc00::/7"),       // unique local (ULA)
	netip.MustParsePrefix("fe80::/10"),      // link-local
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated, still private)
	netip.MustParsePrefix("ff00::/8"),       // multicast
}

var (
	nat64Prefix  = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour    = netip.MustParsePrefix("2002::/16")
	teredoPrefix = netip.MustParsePrefix("2001::/32")
	v4Compatible = netip.MustParsePrefix("::/96")
)

// embeddedIPv4 returns the IPv4 addresses that an IPv6 address carries in
// one of the transition forms the proxy unwraps: IPv4-mapped (::ffff:a.b.c.d),
// the deprecated IPv4-compatible form (::a.b.c.d), NAT64 (64:ff9b::/96),
// 6to4 (2002:AABB:CCDD::/48) and Teredo (2001:0::/32, server and client
// addresses). It returns n = 0 for other addresses.
func embeddedIPv4(a netip.Addr) (out [2]netip.Addr, n int) {
	if a.Is4() {
		return out, 0
	}
	b := a.As16()
	v4 := func(x, y, z, w byte) netip.Addr { return netip.AddrFrom4([4]byte{x, y, z, w}) }
	switch {
	case a.Is4In6():
		out[0], n = a.Unmap(), 1
	case nat64Prefix.Contains(a), v4Compatible.Contains(a):
		out[0], n = v4(b[12], b[13], b[14], b[15]), 1
	case sixToFour.Contains(a):
		out[0], n = v4(b[2], b[3], b[4], b[5]), 1
	case teredoPrefix.Contains(a):
		// Server address in bits 32-63, client address obfuscated (XOR) in
		// the last 32 bits.
		out[0] = v4(b[4], b[5], b[6], b[7])
		out[1] = v4(b[12]^0xff, b[13]^0xff, b[14]^0xff, b[15]^0xff)
		n = 2
	}
	return out, n
}

// isPrivate reports whether a is a destination the proxy must not dial:
// loopback, unspecified, RFC 1918, link-local, CGNAT, ULA, multicast,
// reserved and broadcast, directly or through an embedded IPv4 address.
// An invalid address counts as private. Zones are ignored (an address with
// a zone is link-scoped and refused by its prefix anyway).
func isPrivate(a netip.Addr) bool {
	if !a.IsValid() {
		return true
	}
	a = a.WithZone("")
	if a.Is6() {
		if v4s, n := embeddedIPv4(a); n > 0 {
			// :: and ::1 are in ::/96 but are IPv6 addresses in their own
			// right: both are private anyway.
			for _, v := range v4s[:n] {
				if isPrivate4(v) {
					return true
				}
			}
			if a.Is4In6() {
				return false
			}
		}
	}
	if a.Is4() {
		return isPrivate4(a)
	}
	for _, p := range private6 {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func isPrivate4(a netip.Addr) bool {
	for _, p := range private4 {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
