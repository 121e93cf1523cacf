package allowlist

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// patternKey identifies a pattern for duplicate detection and indexing.
type patternKey struct {
	host  string
	port  int
	exact bool
}

// parsePattern parses one entry of a site's hosts: (ipList false) or ips:
// (ipList true) list. It returns the canonical host, whether the pattern is
// exact, its port, and a message for IT when the entry is refused.
func parsePattern(raw string, ipList bool) (host string, exact bool, port int, msg string) {
	if msg := checkPatternShape(raw); msg != "" {
		return "", false, 0, msg
	}
	s := raw
	if s[0] == '.' {
		exact, s = true, s[1:]
		if s == "" || s[0] == '.' {
			return "", false, 0, fmt.Sprintf("%q: a leading dot must be followed by a host name (.www.caf.fr)", raw)
		}
	}
	h, p, hasPort := splitHostPort(s)
	if hasPort {
		var msg string
		if port, msg = parsePort(p, h); msg != "" {
			return "", false, 0, fmt.Sprintf("%q: %s", raw, msg)
		}
	}
	if h == "" {
		return "", false, 0, fmt.Sprintf("%q: the host is missing", raw)
	}
	if ipList {
		host, msg = parseIPPattern(raw, h, exact)
		return host, true, port, msg
	}
	host, msg = parseNamePattern(raw, h)
	return host, exact, port, msg
}

// checkPatternShape refuses what is not a host pattern at all: empty
// entries, spaces, wildcards, schemes, userinfo and paths.
func checkPatternShape(raw string) string {
	switch {
	case raw == "":
		return "empty host pattern"
	case strings.IndexFunc(raw, unicode.IsSpace) >= 0:
		return fmt.Sprintf("%q: a host pattern cannot contain spaces", raw)
	case raw == "*" || raw == ".*" || raw == "*.*":
		return fmt.Sprintf("%q would allow every site: list the hosts each site needs", raw)
	}
	if i := strings.Index(raw, "://"); i >= 0 {
		return fmt.Sprintf("%q: write the host only, without %q: %s", raw, raw[:i+3], hostHint(raw[i+3:]))
	}
	if strings.IndexByte(raw, '*') >= 0 {
		if h := hostHint(raw); strings.HasPrefix(h, "write ") {
			return fmt.Sprintf("%q: wildcards are not supported: %s, it already covers subdomains", raw, h)
		}
		return fmt.Sprintf("%q: wildcards are not supported: list each host (caf.fr already covers its subdomains)", raw)
	}
	if i := strings.IndexByte(raw, '@'); i >= 0 {
		return fmt.Sprintf("%q: userinfo (user@) is not allowed: %s", raw, hostHint(raw[i+1:]))
	}
	if strings.ContainsAny(raw, "/\\?#") {
		return fmt.Sprintf("%q: write the host only, without a path: %s", raw, hostHint(raw))
	}
	return ""
}

// hostHint suggests the plain host hidden in a malformed entry.
func hostHint(s string) string {
	s = strings.TrimLeft(s, "/\\")
	if i := strings.IndexAny(s, "/\\?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimLeft(s, "*.")
	s = strings.TrimSuffix(s, ".*")
	if strings.IndexByte(s, '.') < 0 || strings.IndexByte(s, '*') >= 0 {
		return "list each host (caf.fr covers its subdomains)"
	}
	return "write " + s
}

// splitHostPort splits "host[:port]"; an unbracketed host with several
// colons is an IPv6 address without a port.
func splitHostPort(s string) (host, port string, hasPort bool) {
	if s != "" && s[0] == '[' {
		i := strings.IndexByte(s, ']')
		if i < 0 {
			return s, "", false
		}
		if rest := s[i+1:]; rest != "" {
			if rest[0] != ':' {
				return s, "", false
			}
			return s[:i+1], rest[1:], true
		}
		return s, "", false
	}
	switch strings.Count(s, ":") {
	case 0:
		return s, "", false
	case 1:
		i := strings.IndexByte(s, ':')
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// parsePort checks a port written in a pattern: canonical decimal, 1 to
// 65535, and not a default port (which a pattern without a port already
// covers).
func parsePort(p, host string) (int, string) {
	if p == "" {
		return 0, "empty port after ':'"
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return 0, fmt.Sprintf("port %q is not a number", p)
		}
	}
	if len(p) > 1 && p[0] == '0' {
		return 0, fmt.Sprintf("port %q: write it without leading zeros", p)
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Sprintf("port %s is out of range (1-65535)", p)
	}
	if n == 80 || n == 443 {
		return 0, fmt.Sprintf("port %d is a default port: write %s without it (80 for http and 443 for https are implied)", n, host)
	}
	return n, ""
}

// parseNamePattern canonicalises the host part of a name pattern,
// converting Unicode to A-labels (UTS #46 lookup profile).
func parseNamePattern(raw, h string) (string, string) {
	ascii := h
	if !isASCII(h) {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return "", fmt.Sprintf("%q is not a valid international domain name: %v", raw, err)
		}
		ascii = a
	}
	if _, ok := ParseIP(ascii); ok {
		return "", fmt.Sprintf("IP literal %q in hosts: list it under ips: if this site really is reached by address", raw)
	}
	if strings.ContainsAny(ascii, "[]:") {
		return "", fmt.Sprintf("%q: brackets and colons are only for a port (example.org:8443) or an IPv6 address (under ips:)", raw)
	}
	if IsIPLiteral(ascii) {
		return "", fmt.Sprintf("%q ends with a number: browsers read such a name as an IP address, and this one is not valid", raw)
	}
	host, err := CanonicalHost(ascii)
	if err != nil {
		var he *HostError
		if errors.As(err, &he) {
			return "", fmt.Sprintf("%q: %s", raw, he.Reason)
		}
		return "", fmt.Sprintf("%q: %v", raw, err)
	}
	if strings.Contains(host, "xn--") {
		if _, err := idna.Lookup.ToUnicode(host); err != nil {
			return "", fmt.Sprintf("%q: invalid A-label (xn--): %v", raw, err)
		}
	}
	if strings.IndexByte(host, '.') < 0 {
		return "", fmt.Sprintf("%q is a single label (a top-level domain or a local name): write a full name such as caf.fr", raw)
	}
	if ps, _ := publicsuffix.PublicSuffix(host); ps == host {
		return "", fmt.Sprintf("%q is a public suffix: anyone can register names under it; list the sites themselves (impots.gouv.fr, caf.fr)", raw)
	}
	return host, ""
}

// parseIPPattern checks an entry of an ips: list: one address, written in
// canonical form (dotted quad or IPv6), without zone or leading dot.
func parseIPPattern(raw, h string, exact bool) (string, string) {
	if exact {
		return "", fmt.Sprintf("%q: a leading dot has no meaning for an address", raw)
	}
	a, ok := ParseIP(h)
	if !ok {
		return "", fmt.Sprintf("%q is not an IP address: names go under hosts:", raw)
	}
	if a.Zone() != "" {
		return "", fmt.Sprintf("%q: zone ids (%%...) are not allowed", raw)
	}
	if a.Is4() {
		if !isDottedQuad(h) {
			return "", fmt.Sprintf("%q: write the address as %s", raw, a)
		}
		return h, ""
	}
	if a.Is4In6() {
		return "", fmt.Sprintf("%q: write the IPv4 address as %s", raw, a.Unmap())
	}
	return "[" + a.String() + "]", ""
}

// isASCII reports whether s has only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
