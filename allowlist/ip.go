package allowlist

import (
	"net/netip"
	"strings"
)

// ParseIP parses host as an IP address in every spelling a browser or libc
// would accept (design.md §3 rule 5), and reports whether it is one:
//
//   - IPv4 as WHATWG URL host parsing reads it: dotted quad, short forms
//     ("127.1", "127.0.1"), a single integer ("3232235777"), octal
//     ("0177.0.0.1") and hex ("0x7f.1") parts, one trailing dot;
//   - IPv6 with or without brackets, IPv4-mapped ("::ffff:127.0.0.1"), with
//     a zone ("fe80::1%eth0", or "%25eth0" as written in URLs).
//
// The address is returned as parsed: IPv4-mapped addresses are not unmapped
// and zones are kept.
func ParseIP(host string) (netip.Addr, bool) {
	if host == "" {
		return netip.Addr{}, false
	}
	if host[0] == '[' || strings.IndexByte(host, ':') >= 0 {
		return parseIPv6(host)
	}
	return parseIPv4(host)
}

// IsIPLiteral reports whether host is not a name but an address: every
// spelling ParseIP accepts, and also the malformed ones a browser would
// still read as an address and then refuse: a host whose last label is a
// number ("1.2.3.4.5", "999.1"), or one with brackets or colons. Only a
// host for which IsIPLiteral is false can be matched by a name pattern.
func IsIPLiteral(host string) bool {
	if host == "" {
		return false
	}
	if strings.ContainsAny(host, "[]:") {
		return true
	}
	if _, ok := parseIPv4(host); ok {
		return true
	}
	h := host
	if h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	return endsInNumber(h[strings.LastIndexByte(h, '.')+1:])
}

// parseIPv6 parses an IPv6 address, optionally bracketed, with an optional
// zone written "%zone" or "%25zone".
func parseIPv6(s string) (netip.Addr, bool) {
	if s[0] == '[' {
		if len(s) < 2 || s[len(s)-1] != ']' {
			return netip.Addr{}, false
		}
		s = s[1 : len(s)-1]
	}
	if strings.ContainsAny(s, "[]") || strings.IndexByte(s, ':') < 0 {
		return netip.Addr{}, false
	}
	if i := strings.IndexByte(s, '%'); i >= 0 {
		zone := s[i+1:]
		if strings.HasPrefix(zone, "25") && len(zone) > 2 {
			zone = zone[2:]
		}
		if zone == "" || strings.IndexByte(zone, '%') >= 0 {
			return netip.Addr{}, false
		}
		s = s[:i] + "%" + zone
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return netip.Addr{}, false
	}
	return a, true
}

// endsInNumber reports whether label (the last label of a name) makes the
// name an IPv4 literal for the WHATWG URL parser: all decimal digits, or
// "0x"/"0X" followed by hex digits (possibly none).
func endsInNumber(label string) bool {
	if label == "" {
		return false
	}
	if len(label) >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X') {
		for i := 2; i < len(label); i++ {
			if digitValue(label[i]) >= 16 {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(label); i++ {
		if label[i] < '0' || label[i] > '9' {
			return false
		}
	}
	return true
}

// parseIPv4 implements the WHATWG IPv4 parser: up to four parts separated
// by dots (one trailing dot allowed), each decimal, octal (leading 0) or hex
// (0x); the last part fills the remaining bytes.
func parseIPv4(s string) (netip.Addr, bool) {
	if s != "" && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	if s == "" {
		return netip.Addr{}, false
	}
	var nums [4]uint64
	n := 0
	for {
		if n == 4 {
			return netip.Addr{}, false
		}
		part := s
		i := strings.IndexByte(s, '.')
		if i >= 0 {
			part = s[:i]
		}
		v, ok := parseIPv4Number(part)
		if !ok {
			return netip.Addr{}, false
		}
		nums[n] = v
		n++
		if i < 0 {
			break
		}
		s = s[i+1:]
	}
	for i := 0; i < n-1; i++ {
		if nums[i] > 255 {
			return netip.Addr{}, false
		}
	}
	if nums[n-1] >= 1<<(8*(5-n)) {
		return netip.Addr{}, false
	}
	v := nums[n-1]
	for i := 0; i < n-1; i++ {
		v += nums[i] << (8 * (3 - i))
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// parseIPv4Number parses one part of an IPv4 literal. Values are capped
// just above 2^32 so that long inputs cannot overflow.
func parseIPv4Number(s string) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	base := uint64(10)
	switch {
	case len(s) >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'):
		s, base = s[2:], 16
	case len(s) >= 2 && s[0] == '0':
		s, base = s[1:], 8
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		d := uint64(digitValue(s[i]))
		if d >= base {
			return 0, false
		}
		v = v*base + d
		if v > 1<<32 {
			v = 1<<32 + 1
		}
	}
	return v, true
}

// digitValue returns the value of a hex digit, or 255.
func digitValue(c byte) uint8 {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 255
}
