package proxy

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"

	"github.com/communes/kiosk/allowlist"
)

// target is the destination of one request, taken from its request line
// only (design.md §3 rule 2) and put in canonical form (rule 3).
type target struct {
	// host is the canonical host name (lower case A-labels, no trailing
	// dot), or the canonical text of an IP literal (no brackets, IPv4 for
	// IPv4-mapped forms).
	host string
	// ip is true when the request named an IP literal, in any spelling.
	ip bool
	// addr is the literal's address when ip is true.
	addr netip.Addr
	// port is the explicit port of the request line, 0 when it had none.
	port int
}

// authority returns host[:port] for the URL and Host header sent upstream,
// with brackets around IPv6 literals and the port only when it is not
// the default one.
func (t target) authority(defaultPort int) string {
	h := t.host
	if t.ip && t.addr.Is6() {
		h = "[" + h + "]"
	}
	if t.port == 0 || t.port == defaultPort {
		return h
	}
	return h + ":" + strconv.Itoa(t.port)
}

// dialAddr returns host:port for dialing, with the default port filled in.
func (t target) dialAddr(defaultPort int) string {
	p := t.port
	if p == 0 {
		p = defaultPort
	}
	h := t.host
	if t.ip && t.addr.Is6() {
		h = "[" + h + "]"
	}
	return h + ":" + strconv.Itoa(p)
}

// Errors of the request-target parser; each becomes a 400 answer.
var (
	errNotAbsolute   = errors.New("request target is not absolute-form http://host/…")
	errScheme        = errors.New("only http:// is accepted in absolute-form (https goes through CONNECT)")
	errUserinfo      = errors.New("userinfo (user@) is not allowed in the request target")
	errEmptyHost     = errors.New("empty host")
	errBadPort       = errors.New("port must be canonical decimal 1-65535")
	errMissingPort   = errors.New("CONNECT target must be host:port")
	errBadAuthority  = errors.New("malformed host:port")
	errBadIPLiteral  = errors.New("malformed or zoned IP literal")
	errNumericTLD    = errors.New("host ends in a number but is not an IP address")
	errConnectTarget = errors.New("CONNECT target must be host:port, without path, query or userinfo")
	errPercent       = errors.New("percent-encoded host")
)

// parseAbsolute parses an absolute-form request target (the raw request
// line, not Go's lenient URL parse): "http://" (scheme case-insensitive),
// an authority without userinfo, then nothing or a path or query.
func parseAbsolute(uri string) (target, error) {
	const scheme = "http://"
	i := strings.Index(uri, "://")
	if i < 0 {
		return target{}, errNotAbsolute
	}
	if len(uri) < len(scheme) || !strings.EqualFold(uri[:len(scheme)], scheme) {
		return target{}, errScheme
	}
	rest := uri[len(scheme):]
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	} else if rest[end] == '#' {
		return target{}, errBadAuthority
	}
	return parseAuthority(rest[:end], false)
}

// parseConnect parses a CONNECT target strictly as host:port: no scheme,
// no userinfo, no path, a mandatory canonical port.
func parseConnect(uri string) (target, error) {
	if strings.ContainsAny(uri, "/?#@") {
		return target{}, errConnectTarget
	}
	return parseAuthority(uri, true)
}

// parseAuthority splits host[:port] and canonicalises the host. An IPv6
// literal must be bracketed. needPort makes the port mandatory.
func parseAuthority(a string, needPort bool) (target, error) {
	if strings.Contains(a, "@") {
		return target{}, errUserinfo
	}
	var host, port string
	hasPort := false
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return target{}, errBadAuthority
		}
		host = a[1:end]
		switch rest := a[end+1:]; {
		case rest == "":
		case rest[0] == ':':
			port, hasPort = rest[1:], true
		default:
			return target{}, errBadAuthority
		}
		if host == "" || strings.ContainsAny(host, "%[]") {
			return target{}, errBadIPLiteral
		}
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return target{}, errBadIPLiteral
		}
	} else {
		host = a
		if i := strings.LastIndexByte(a, ':'); i >= 0 {
			host, port, hasPort = a[:i], a[i+1:], true
		}
		if strings.ContainsAny(host, ":[]") {
			return target{}, errBadAuthority
		}
	}
	t := target{}
	if hasPort {
		p, ok := parsePort(port)
		if !ok {
			return target{}, errBadPort
		}
		t.port = p
	} else if needPort {
		return target{}, errMissingPort
	}
	if host == "" {
		return target{}, errEmptyHost
	}
	if err := t.setHost(host); err != nil {
		return target{}, err
	}
	return t, nil
}

// setHost canonicalises host: IP literals in any spelling become the
// address's canonical text, names go through allowlist.CanonicalHost.
func (t *target) setHost(host string) error {
	if allowlist.IsIPLiteral(host) {
		addr, ok := allowlist.ParseIP(host)
		if !ok || addr.Zone() != "" {
			return errBadIPLiteral
		}
		t.ip, t.addr, t.host = true, addr.Unmap(), addr.Unmap().String()
		return nil
	}
	if strings.IndexByte(host, '%') >= 0 {
		return errPercent
	}
	h, err := allowlist.CanonicalHost(host)
	if err != nil {
		return err
	}
	if allowlist.IsIPLiteral(h) {
		// A spelling only the canonical form reveals (trailing dot, case).
		addr, ok := allowlist.ParseIP(h)
		if !ok {
			return errBadIPLiteral
		}
		t.ip, t.addr, t.host = true, addr.Unmap(), addr.Unmap().String()
		return nil
	}
	if endsInNumber(h) {
		// Browsers parse such a host as IPv4 (WHATWG URL "ends in a
		// number"); one that is not a valid address is no name either.
		return errNumericTLD
	}
	t.host = h
	return nil
}

// endsInNumber reports whether the last label of a canonical host is all
// decimal digits or a 0x hexadecimal number.
func endsInNumber(h string) bool {
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		last = last[2:]
		for i := 0; i < len(last); i++ {
			c := last[i]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(last); i++ {
		if last[i] < '0' || last[i] > '9' {
			return false
		}
	}
	return true
}

// parsePort accepts canonical decimal ports only: 1-65535, digits, no sign,
// no leading zero.
func parsePort(s string) (int, bool) {
	if s == "" || len(s) > 5 || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > 65535 {
		return 0, false
	}
	return n, true
}
