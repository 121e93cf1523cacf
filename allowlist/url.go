package allowlist

import (
	"errors"
	"fmt"
	"strings"
)

// ErrScheme is wrapped by MatchURL's error for a URL whose scheme is not
// http or https (file, data, javascript, about, ftp, ...).
var ErrScheme = errors.New("scheme not allowed")

// MatchURL decides whether rawURL may be opened, for the shell's
// navigation policy and `kiosk allowlist test`. Only absolute http and https
// URLs can be allowed; the host goes through CanonicalHost and an explicit
// default port (":80" for http, ":443" for https) counts as no port. A URL
// that cannot be allowed for its form (another scheme, userinfo, a
// malformed host or port) returns a denying Decision and an error that says
// why; a well-formed URL that no pattern admits returns a denying Decision
// and a nil error.
func (l *List) MatchURL(rawURL string, supervised bool) (Decision, error) {
	host, port, err := SplitURL(rawURL)
	if err != nil {
		return Decision{}, err
	}
	return l.Match(host, port, supervised), nil
}

// SplitURL returns the canonical host (as CanonicalHost) and port (0 for
// the scheme's default) of an absolute http or https URL, the values
// MatchURL gives to Match. The authority is read from the raw string, so
// percent-encoding, userinfo and backslashes cannot disguise a host: they
// are refused.
func SplitURL(rawURL string) (string, int, error) {
	colon := strings.IndexByte(rawURL, ':')
	if colon <= 0 {
		return "", 0, fmt.Errorf("parsing URL: not an absolute URL (it needs http:// or https://)")
	}
	scheme := strings.ToLower(rawURL[:colon])
	var defaultPort int
	switch scheme {
	case "http":
		defaultPort = 80
	case "https":
		defaultPort = 443
	default:
		if !isScheme(scheme) {
			return "", 0, fmt.Errorf("parsing URL: not an absolute URL (it needs http:// or https://)")
		}
		return "", 0, fmt.Errorf("%w: %q (only http and https)", ErrScheme, scheme)
	}
	rest, ok := strings.CutPrefix(rawURL[colon+1:], "//")
	if !ok {
		return "", 0, fmt.Errorf("parsing URL: %s: must be followed by //", scheme)
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if strings.IndexByte(authority, '@') >= 0 {
		return "", 0, fmt.Errorf("parsing URL: userinfo (user@host) is not allowed")
	}
	if strings.IndexByte(authority, '\\') >= 0 {
		return "", 0, fmt.Errorf("parsing URL: backslash in the host")
	}
	h, p, hasPort := splitHostPort(authority)
	if !hasPort && h != "" && h[0] != '[' && strings.IndexByte(h, ':') >= 0 {
		return "", 0, fmt.Errorf("parsing URL: IPv6 addresses must be in brackets")
	}
	host, err := CanonicalHost(h)
	if err != nil {
		return "", 0, fmt.Errorf("parsing URL: %w", err)
	}
	port := 0
	if hasPort && p != "" {
		if port, err = urlPort(p); err != nil {
			return "", 0, err
		}
		if port == defaultPort {
			port = 0
		}
	}
	return host, port, nil
}

// urlPort parses a port written in canonical decimal, 1 to 65535.
func urlPort(p string) (int, error) {
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' || i == 5 {
			return 0, fmt.Errorf("parsing URL: invalid port %q", p)
		}
		n = n*10 + int(p[i]-'0')
	}
	if (len(p) > 1 && p[0] == '0') || n < 1 || n > 65535 {
		return 0, fmt.Errorf("parsing URL: invalid port %q (canonical decimal 1-65535 only)", p)
	}
	return n, nil
}

// isScheme reports whether s is a syntactically valid URL scheme.
func isScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}
