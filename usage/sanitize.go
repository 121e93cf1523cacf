package usage

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits applied to recorded strings.
const (
	maxHostLen     = 253
	maxLabelLen    = 64
	maxLangLen     = 16
	maxSiteVisited = 64
)

// cleanHost reduces s to a lower-case host name: it drops any scheme, path, query,
// fragment, user info and port, and any character that can't be in a host name, and
// caps its length. It doesn't allocate when s is already clean.
func cleanHost(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	s = stripPort(s)
	s = strings.TrimSuffix(s, ".")
	if len(s) > maxHostLen {
		s = s[:maxHostLen]
	}

	clean := true
	for i := 0; i < len(s); i++ {
		if !isHostByte(s[i]) {
			clean = false

			break
		}
	}
	if clean {
		return s
	}

	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if isHostByte(c) {
			b.WriteByte(c)
		}
	}

	return b.String()
}

// stripPort removes a ":port" suffix and IPv6 brackets.
func stripPort(s string) string {
	if strings.HasPrefix(s, "[") {
		if i := strings.IndexByte(s, ']'); i > 0 {
			return s[1:i]
		}

		return s[1:]
	}
	if i := strings.IndexByte(s, ':'); i >= 0 && strings.IndexByte(s[i+1:], ':') < 0 {
		return s[:i]
	}

	return s
}

// isHostByte reports whether c may appear in a lower-case host name or IP address.
func isHostByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':'
}

// cleanLabel returns s as valid UTF-8 without control characters or surrounding spaces,
// capped at maxLabelLen bytes on a rune boundary.
func cleanLabel(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}

		return r
	}, s)
	s = strings.TrimSpace(s)
	for len(s) > maxLabelLen {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}

	return s
}

// cleanLang returns s as a lower-case language tag ("fr", "pt-br"), or "" when s isn't
// one.
func cleanLang(s string) string {
	if s == "" || len(s) > maxLangLen {
		return ""
	}
	s = strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return ""
		}
	}

	return s
}

// cleanSites returns the distinct clean names of sites, at most maxSiteVisited.
func cleanSites(sites []string) []string {
	out := make([]string, 0, len(sites))
	for _, s := range sites {
		s = cleanLabel(s)
		if s == "" || contains(out, s) {
			continue
		}
		out = append(out, s)
		if len(out) == maxSiteVisited {
			break
		}
	}

	return out
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}

	return false
}
