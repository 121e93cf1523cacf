// Package allowlist parses, validates and matches the kiosk's allowlist.yaml.
//
// The file format and the host-pattern grammar are described in
// docs/allowlist.md. A List is immutable once built: reloads build a new
// List and swap it atomically, so a List is safe for concurrent use.
//
// This package imports no other package of the project: the proxy (service
// side) and the shell (decide-policy) share the same matcher.
package allowlist

// Group says who may open a site.
type Group uint8

const (
	// Public sites are open to every resident.
	Public Group = iota
	// Supervised sites are open only in agent-unlocked sessions.
	Supervised
)

// String returns "public" or "supervised".
func (g Group) String() string {
	if g == Supervised {
		return "supervised"
	}
	return "public"
}

// Site is one named entry of the file (a tile of the welcome screen).
type Site struct {
	// Name is the display name, unique in the file ("CAF").
	Name string
	// Category is optional (famille, emploi, santé, impôts, ...).
	Category string
	// Home is the optional home URL, used for the welcome screen's tile.
	Home string
	// Icon is an optional file name in the icons folder beside the file.
	Icon string
	// Group is Public or Supervised.
	Group Group
	// SelfService is true for a site written under supervised: whose
	// category the file's self_service key opens to every resident (its
	// Group is then Public).
	SelfService bool
	// Patterns are the host patterns of the site, in file order.
	Patterns []*Pattern
	// Line is the line of the site in the file, for messages.
	Line int
}

// Pattern is one host pattern in Chrome URLAllowlist grammar.
type Pattern struct {
	// Raw is the pattern as written in the file ("caf.fr", ".www.impots.gouv.fr").
	Raw string
	// Host is the canonical A-label host (lower case, no trailing dot), as
	// CanonicalHost returns it, or for an entry of "ips:" the address in
	// the same form: a dotted quad, or an IPv6 address in brackets
	// ("[2001:db8::1]"; Match also accepts it without brackets).
	Host string
	// Exact is true for a leading-dot pattern (that name only) and for IP
	// addresses; false means the name and every subdomain at a label
	// boundary.
	Exact bool
	// Port is the explicit port, or 0 when the pattern names none (then
	// only the scheme's default port matches: 80 for http, 443 for CONNECT).
	// The file may not name 80 or 443, which 0 already covers.
	Port int
	// Site is the site the pattern belongs to.
	Site *Site
	// Line and Col locate the pattern in the file.
	Line, Col int
}

// Decision is the result of a match. It holds pointers into the List and
// costs no allocation.
type Decision struct {
	// Allowed is true when a pattern admits the host and port.
	Allowed bool
	// Pattern is the pattern that decided, nil when nothing matched.
	Pattern *Pattern
}

// Site returns the site of the deciding pattern, or nil.
func (d Decision) Site() *Site {
	if d.Pattern == nil {
		return nil
	}
	return d.Pattern.Site
}
