package allowlist

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidHost is wrapped by every error of CanonicalHost, so callers can
// tell a malformed host (answer 400) from other failures.
var ErrInvalidHost = errors.New("invalid host")

// HostError says why a host was refused by CanonicalHost.
type HostError struct {
	// Host is the host as given.
	Host string
	// Reason is a short explanation ("empty label", ...).
	Reason string
}

// Error returns `invalid host "h": reason`.
func (e *HostError) Error() string {
	return fmt.Sprintf("invalid host %q: %s", e.Host, e.Reason)
}

// Unwrap returns ErrInvalidHost.
func (e *HostError) Unwrap() error { return ErrInvalidHost }

const (
	maxHostLen  = 253
	maxLabelLen = 63
)

// Byte classes of host names.
const (
	classInvalid = iota
	className    // a-z 0-9 _ -
	classUpper   // A-Z
	classDot
)

var hostClass = func() (t [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = className
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = className
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = classUpper
	}
	t['_'], t['-'], t['.'] = className, className, classDot
	return t
}()

// CanonicalHost returns the canonical form of a host (design.md §3 rule 3),
// the only form Match accepts:
//
//   - a name is lower-cased and loses exactly one trailing dot ("CAF.fr." is
//     "caf.fr"); its labels are 1 to 63 bytes of [a-z0-9_-], at most 253
//     bytes in all. Percent-encoding, non-ASCII bytes (use the xn-- A-label),
//     userinfo, empty labels and two trailing dots are refused;
//   - a name whose last label is a number is an IPv4 address in any of the
//     spellings browsers accept (WHATWG URL host parsing: "127.1",
//     "0x7f.0.0.1", "2130706433", "0177.0.0.1"). It is returned as a dotted
//     quad ("127.0.0.1"), or refused when it is not a valid address;
//   - an IPv6 address, with or without brackets, is returned in brackets in
//     its canonical text form ("[::1]", "[fe80::1%eth0]", "[::ffff:127.0.0.1]").
//
// Use IsIPLiteral on the result to refuse addresses. CanonicalHost does not
// allocate when s is already canonical. All errors wrap ErrInvalidHost.
func CanonicalHost(s string) (string, error) {
	if s == "" {
		return "", &HostError{s, "empty host"}
	}
	if s[0] == '[' || strings.IndexByte(s, ':') >= 0 {
		return canonicalIPv6(s)
	}
	name := s
	if name[len(name)-1] == '.' {
		name = name[:len(name)-1]
		if name == "" || name[len(name)-1] == '.' {
			return "", &HostError{s, "empty label"}
		}
	}
	if len(name) > maxHostLen {
		return "", &HostError{s, fmt.Sprintf("longer than %d characters", maxHostLen)}
	}
	upper, start := false, 0
	for i := 0; i < len(name); i++ {
		switch hostClass[name[i]] {
		case className:
		case classUpper:
			upper = true
		case classDot:
			if i == start {
				return "", &HostError{s, "empty label"}
			}
			if i-start > maxLabelLen {
				return "", &HostError{s, fmt.Sprintf("label longer than %d characters", maxLabelLen)}
			}
			start = i + 1
		default:
			return "", &HostError{s, badHostByte(name[i])}
		}
	}
	if len(name)-start > maxLabelLen {
		return "", &HostError{s, fmt.Sprintf("label longer than %d characters", maxLabelLen)}
	}
	if endsInNumber(name[start:]) {
		return canonicalIPv4(s, name)
	}
	if upper {
		return strings.ToLower(name), nil
	}
	return name, nil
}

// badHostByte explains why c cannot appear in a host name.
func badHostByte(c byte) string {
	switch {
	case c == '%':
		return "percent-encoding is not allowed in a host"
	case c == '@':
		return "userinfo (user@host) is not allowed"
	case c >= 0x80:
		return "non-ASCII host: use its A-label (xn--...) form"
	case c == '[' || c == ']':
		return "brackets are only allowed around an IPv6 address"
	case c == '/' || c == '\\' || c == '?' || c == '#':
		return fmt.Sprintf("%q cannot appear in a host (a path or query?)", c)
	default:
		return fmt.Sprintf("invalid character %q", c)
	}
}

// canonicalIPv4 returns the dotted quad of an IPv4 literal name (one
// trailing dot already removed), or an error when it is not a valid address.
func canonicalIPv4(s, name string) (string, error) {
	if isDottedQuad(name) {
		return name, nil
	}
	a, ok := parseIPv4(name)
	if !ok {
		return "", &HostError{s, "its last label is a number but it is not a valid IPv4 address"}
	}
	return a.String(), nil
}

// canonicalIPv6 handles hosts with brackets or colons: only an IPv6
// address (optionally bracketed, optionally with a zone) is accepted.
func canonicalIPv6(s string) (string, error) {
	a, ok := parseIPv6(s)
	if !ok {
		if s[0] != '[' && strings.Count(s, ":") == 1 {
			return "", &HostError{s, "a port is not part of a host"}
		}
		return "", &HostError{s, "not a valid IPv6 address (brackets and colons are only for IPv6)"}
	}
	c := "[" + a.String() + "]"
	if c == s {
		return s, nil
	}
	return c, nil
}

// isDottedQuad reports whether s is an IPv4 address in canonical dotted
// decimal form: four decimal numbers 0-255 without leading zeros.
func isDottedQuad(s string) bool {
	parts := 0
	for {
		i := 0
		v := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			v = v*10 + int(s[i]-'0')
			i++
			if i > 3 {
				return false
			}
		}
		if i == 0 || v > 255 || (i > 1 && s[0] == '0') {
			return false
		}
		parts++
		if i == len(s) {
			return parts == 4
		}
		if s[i] != '.' || parts == 4 {
			return false
		}
		s = s[i+1:]
	}
}
